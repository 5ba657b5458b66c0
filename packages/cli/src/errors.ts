/**
 * How the CLI fails: `CliError` for what the user can fix (bad flags, missing credentials), and
 * one line on stderr for every API error, never a stack trace. The exit code says which kind.
 */
import { ApiError } from '@god/client';
import { GodError } from '@god/core';
import type { ExitCode, Output } from './output.js';

/** A failure with a message meant for the user and the exit code to leave with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error (bad flag value): exit 2. */
export function usage(message: string): CliError {
  return new CliError(message, 2);
}

/** Prints `err` for a person and returns the exit code; rethrows what is a bug. */
export function reportError(err: unknown, io: Output): ExitCode {
  if (err instanceof CliError) {
    io.err(`god: ${err.message}`);
    return err.exitCode;
  }
  // god's own errors (a bad configuration, a store that cannot be opened) say what is wrong.
  if (err instanceof GodError) {
    io.err(`god: ${err.message}`);
    return err.code === 'INVALID_INPUT' || err.code === 'INVALID_CONFIG' ? 2 : 1;
  }
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 400 && err.issues.length > 0) {
    // The message repeats the issues after "what:"; each gets its own line instead.
    const what = err.message.split(': ')[0] ?? 'invalid input';
    const n = err.issues.length;
    io.err(`god: ${what} (${n} problem${n === 1 ? '' : 's'}):`);
    for (const issue of err.issues)
      io.err(`${issue.path === '' ? '(body)' : issue.path}: ${issue.message}`);
    return 2;
  }
  io.err(`god: ${describeApiError(err)}`);
  return err.status === 400 ? 2 : 1;
}

/** One line saying what went wrong and, where there is one, what to do about it. */
export function describeApiError(err: ApiError): string {
  switch (err.status) {
    case 0:
      return `${err.message} (is the server running? set it with god login --server URL or GOD_SERVER)`;
    case 401:
      return `not authenticated: ${err.message}; run \`god login\``;
    case 403:
      return `not allowed: ${err.message}`;
    case 404:
      return err.message;
    case 409:
      return `conflict: ${err.message}`;
    case 429:
      return `too many requests: ${err.message}${err.retryAfter === undefined ? '' : ` (retry after ${err.retryAfter} s)`}`;
    default:
      return err.status >= 500
        ? `server error (HTTP ${err.status}): ${err.message}`
        : `${err.message} (HTTP ${err.status})`;
  }
}
