/**
 * The one place where god's errors become HTTP answers. Every error body has the same shape,
 * `{ error: { code, message, issues? } }`, so clients map on `code`, never on messages. An
 * error that is not a GodError is a bug: it is logged with its stack and answered as a bare
 * 500 that says nothing of the internals.
 */
import type { ErrorRequestHandler } from 'express';
import { GodError, ValidationError, type ErrorCode, type FieldIssue } from '@god/core';
import type { Logger } from '@god/coord';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode | 'PAYLOAD_TOO_LARGE'; message: string; issues?: FieldIssue[] };
}

const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  LIMIT_EXCEEDED: 429,
  UNAVAILABLE: 503,
  INVALID_CONFIG: 500,
  INTERNAL: 500,
};

/** The HTTP status of an error code. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** Thrown by handlers and the auth layer: a GodError with an HTTP meaning. */
export class HttpError extends GodError {
  constructor(
    code: ErrorCode,
    message: string,
    /** Seconds before a retry may succeed (`Retry-After`). */
    readonly retryAfter?: number,
  ) {
    super(code, message, { retryable: retryAfter !== undefined });
  }
}

/** What the caller may not see is answered like what does not exist: ids do not leak. */
export function notFound(what: string): HttpError {
  return new HttpError('NOT_FOUND', `${what} not found`);
}

/** Express error middleware: maps errors to status and body, logs the unexpected ones. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const { status, body, retryAfter } = answerFor(err);
    if (status >= 500 && !(err instanceof GodError && err.code === 'UNAVAILABLE'))
      logger.error({ err, method: req.method, path: req.path }, 'request failed');
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json(body);
  };
}

/** The status and body for an error thrown anywhere below a route. */
export function answerFor(err: unknown): { status: number; body: ErrorBody; retryAfter?: number } {
  if (err instanceof ValidationError) {
    return {
      status: 400,
      body: { error: { code: 'INVALID_INPUT', message: err.message, issues: [...err.issues] } },
    };
  }
  if (err instanceof GodError) {
    const retryAfter = err instanceof HttpError ? err.retryAfter : undefined;
    return {
      status: statusOf(err.code),
      body: { error: { code: err.code, message: err.message } },
      ...(retryAfter !== undefined && { retryAfter }),
    };
  }
  const bodyParser = bodyParserError(err);
  if (bodyParser !== null) return bodyParser;
  // The router decodes path parameters: `/jobs/%ff` is the client's mistake, not a bug of ours.
  if (err instanceof URIError) {
    const message = 'the request path is not valid percent-encoded UTF-8';
    return {
      status: 400,
      body: { error: { code: 'INVALID_INPUT', message, issues: [{ path: 'path', message }] } },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}

/** Errors of express.json(): malformed JSON, a body too large, a wrong charset. */
function bodyParserError(err: unknown): { status: number; body: ErrorBody } | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { type?: unknown; status?: unknown };
  if (typeof e.type !== 'string' || typeof e.status !== 'number') return null;
  if (e.type === 'entity.too.large')
    return {
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' } },
    };
  if (e.status >= 400 && e.status < 500) {
    const message =
      e.type === 'entity.parse.failed' ? 'the request body is not valid JSON' : 'bad request body';
    return {
      status: 400,
      body: { error: { code: 'INVALID_INPUT', message, issues: [{ path: '', message }] } },
    };
  }
  return null;
}
