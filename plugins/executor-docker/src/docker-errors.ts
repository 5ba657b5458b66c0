/**
 * Reading dockerode's errors: whether the daemon was unreachable (retry elsewhere or later), what
 * HTTP status it answered, and the start failure a caught error means for a job.
 */
import { GodError, type StartResult } from '@god/core';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** The HTTP status of a daemon answer carried by `err`, if it is one. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** True when `err` says the daemon could not be reached at all. */
export function isUnreachable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && UNREACHABLE.has(code);
}

/** True for a daemon's 404 answer. */
export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

/**
 * The failed start `err` means: GodErrors say themselves; the daemon refusing the request (4xx)
 * is about the job and final; anything else (unreachable, 5xx, file system) may pass: retryable.
 */
export function startFailure(err: unknown): Extract<StartResult, { ok: false }> {
  const reason = messageOf(err);
  if (err instanceof GodError) return { ok: false, retryable: err.retryable, reason };
  if (isUnreachable(err))
    return { ok: false, retryable: true, reason: `docker daemon unreachable: ${reason}` };
  const status = statusOf(err);
  const retryable = status === undefined || status >= 500;
  return { ok: false, retryable, reason };
}

/** A one-line message of `err` (dockerode's carry the daemon's JSON answer: keep its message). */
export function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const json = (err as { json?: unknown }).json;
  if (typeof json === 'object' && json !== null) {
    const message = (json as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return err.message.replace(/\s+/g, ' ').trim();
}
