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
const LONE_MESSAGE = 'text with a lone UTF-16 surrogate is not valid Unicode';

/** Deepest nesting of arrays and objects a body may have: no god request needs more. */
export const MAX_BODY_DEPTH = 64;

/**
 * Where `v` holds text god could not keep exactly: the path of the first string (or key) with a
 * lone surrogate, or of the first value nested deeper than MAX_BODY_DEPTH; null when none.
 * Iterative, so no body can exhaust the stack.
 */
function illFormedAt(v: unknown): { path: string; message: string } | null {
  const todo: { v: unknown; path: string; depth: number }[] = [{ v, path: '', depth: 0 }];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const { v: x, path, depth } = next;
    if (typeof x === 'string') {
      if (LONE_SURROGATE.test(x)) return { path, message: LONE_MESSAGE };
      continue;
    }
    if (typeof x !== 'object' || x === null) continue;
    if (depth >= MAX_BODY_DEPTH)
      return { path, message: `nested deeper than ${MAX_BODY_DEPTH} levels` };
    const entries: [string, unknown][] = [];
    if (Array.isArray(x)) x.forEach((e, i) => entries.push([`${path}[${i}]`, e]));
    else
      for (const [k, e] of Object.entries(x as Record<string, unknown>)) {
        // A bad key is reported at the path of the object holding it.
        if (LONE_SURROGATE.test(k)) return { path, message: LONE_MESSAGE };
        entries.push([path === '' ? k : `${path}.${k}`, e]);
      }
    // Reversed onto the stack, so the first problem in document order is found first.
    for (let i = entries.length - 1; i >= 0; i--)
      todo.push({ v: entries[i]![1], path: entries[i]![0], depth: depth + 1 });
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
    const problem = illFormedAt(req.body as unknown);
    if (problem === null) return next();
    next(new ValidationError('invalid request body', [problem]));
  };
  return [parse, wellFormed];
}
