/**
 * Request bodies: JSON only, and text exactly as sent. Bytes that are not valid UTF-8 (or the
 * declared UTF-16) and strings with lone surrogates (`"\ud800"`) are refused with a 400 instead
 * of being stored with replacement characters: god keeps what it accepts byte for byte, and a
 * request it would have to alter is a request it refuses.
 */
import express, { type RequestHandler } from 'express';
import { TextDecoder } from 'node:util';
import { ValidationError } from '@god/core';

const notText = (message: string): ValidationError =>
  new ValidationError('invalid request body', [{ path: '', message }]);

/** Throws unless `buf` decodes in `encoding` without a single replacement. */
function checkEncoding(buf: Buffer, encoding: string): void {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw notText(`the charset ${encoding} is not supported`);
  }
  try {
    decoder.decode(buf);
  } catch {
    throw notText(`the request body is not valid ${encoding.toUpperCase()}`);
  }
}

// In a /u regular expression a well-formed pair is one code point: only lone halves match.
const LONE_SURROGATE = /\p{Cs}/u;

/** The path of the first string (or key) in `v` with a lone surrogate, or null. */
function illFormedAt(v: unknown, path: string): string | null {
  if (typeof v === 'string') return LONE_SURROGATE.test(v) ? path : null;
  if (typeof v !== 'object' || v === null) return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const at = illFormedAt(v[i], `${path}[${i}]`);
      if (at !== null) return at;
    }
    return null;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const here = path === '' ? k : `${path}.${k}`;
    if (LONE_SURROGATE.test(k)) return path;
    const at = illFormedAt(x, here);
    if (at !== null) return at;
  }
  return null;
}

/** express.json() that refuses bodies whose text it could not keep exactly. */
export function jsonBody(limitMb: number): RequestHandler[] {
  const parse = express.json({
    limit: `${limitMb}mb`,
    strict: false,
    verify: (_req, _res, buf, encoding) => checkEncoding(buf, encoding),
  });
  const wellFormed: RequestHandler = (req, _res, next) => {
    const at = illFormedAt(req.body as unknown, '');
    if (at === null) return next();
    next(
      new ValidationError('invalid request body', [
        { path: at, message: 'text with a lone UTF-16 surrogate is not valid Unicode' },
      ]),
    );
  };
  return [parse, wellFormed];
}
