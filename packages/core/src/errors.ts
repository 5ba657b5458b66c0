/** One problem with one input field, named by its path (`requirements.ram`, `scheduler.lease.ttl_ms`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Stable error codes. Clients and the HTTP layer map on these, never on messages. */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ILLEGAL_TRANSITION'
  | 'LIMIT_EXCEEDED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** Base class of every error god raises on purpose: a stable `code` and whether a retry may help. */
export class GodError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Bad input: carries every bad field at once so the user can fix them in one go. */
export class ValidationError extends GodError {
  readonly issues: readonly FieldIssue[];

  constructor(
    what: string,
    issues: readonly FieldIssue[],
    code: 'INVALID_INPUT' | 'INVALID_CONFIG' = 'INVALID_INPUT',
  ) {
    super(code, `${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** A state change the state machine does not allow (a programming error, never retryable). */
export class IllegalTransitionError extends GodError {
  constructor(message: string) {
    super('ILLEGAL_TRANSITION', message);
  }
}

/** The thing asked for does not exist (or is not visible to the caller). */
export class NotFoundError extends GodError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}
