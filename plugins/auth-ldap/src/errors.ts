/**
 * Directory failures as god errors. A directory that cannot be asked is never an answer: it
 * throws `UNAVAILABLE`, retryable when waiting may help (network, timeouts, a busy or
 * unavailable server), so an outage is never mistaken for a wrong password.
 */
import { GodError } from '@god/core';
import { ResultCodeError } from 'ldapts';

/** The directory could not be asked (code `UNAVAILABLE`). */
export class DirectoryUnavailableError extends GodError {
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super('UNAVAILABLE', message, options);
  }
}

/** LDAP result codes after which a retry may succeed: timeLimitExceeded, busy, unavailable. */
const TRANSIENT_RESULT_CODES = new Set([3, 51, 52]);

/** Node's codes for a TLS peer that failed verification: retrying changes nothing. */
function isCertificateError(code: string): boolean {
  return /CERT|SIGNATURE|ISSUER|ERR_TLS|ERR_SSL/.test(code);
}

/** The `code` property Node puts on system and TLS errors, if any. */
function errorCode(err: Error): string {
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/**
 * `err` (thrown while doing `operation` against `server`) as a DirectoryUnavailableError.
 * LDAP result errors are retryable only for transient codes; transport errors (refused,
 * reset, timed out) always are, except TLS certificate failures.
 */
export function directoryError(err: unknown, operation: string, server: string): GodError {
  if (err instanceof GodError) return err;
  const where = `LDAP ${operation} at ${server}`;
  if (err instanceof ResultCodeError) {
    // ldapts messages end in " Code: 0x20" and may be empty before it: name and code say more.
    const diagnostic = err.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '');
    const detail = `${err.name} (result code ${err.code})${diagnostic === '' ? '' : `: ${diagnostic}`}`;
    return new DirectoryUnavailableError(`${where} failed: ${detail}`, {
      retryable: TRANSIENT_RESULT_CODES.has(err.code),
      cause: err,
    });
  }
  if (err instanceof Error) {
    const code = errorCode(err);
    const detail =
      code !== '' && !err.message.includes(code) ? `${code} ${err.message}` : err.message;
    return new DirectoryUnavailableError(`${where} failed: ${detail}`, {
      retryable: !isCertificateError(code),
      cause: err,
    });
  }
  return new DirectoryUnavailableError(`${where} failed: ${String(err)}`, { retryable: true });
}
