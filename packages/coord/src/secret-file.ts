/**
 * Secrets god keeps in files (the Redis password, the token-signing secret): a file counts only
 * when it is a regular file owned by this process's account that no group or other account can
 * read or write, so a secret never comes from, nor is left in, a place another local account
 * could read or plant. Startup-only I/O, hence synchronous.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { dirname } from 'node:path';
import { ValidationError } from '@god/core';

/** Reads the secret in `path` (trailing newline removed); `key` names the config key in errors. */
export function readSecretFile(path: string, key: string): string {
  const secret = readIfPresent(path, key);
  if (secret === null) throw secretError(key, path, 'does not exist');
  return secret;
}

function readIfPresent(path: string, key: string): string | null {
  let fd: number;
  try {
    // O_NOFOLLOW: a link planted in place of the file is refused, not followed.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw secretError(
      key,
      path,
      code === 'ELOOP' ? 'is a symbolic link' : `cannot be read (${code})`,
    );
  }
  try {
    checkPrivate(fstatSync(fd), path, key);
    const text = readFileSync(fd, 'utf8').replace(/\r?\n$/, '');
    if (text === '') throw secretError(key, path, 'is empty');
    return text;
  } finally {
    closeSync(fd);
  }
}

/**
 * The secret in `path`, made first if the file does not exist: `bytes` random bytes, base64url,
 * in a 0600 file (its directory made 0700). Several processes starting at once all end up with
 * the same secret: the file appears complete or not at all (written aside, then hard-linked in
 * place, which fails if another process got there first).
 */
export function ensureSecretFile(path: string, key: string, bytes = 48): string {
  const existing = readIfPresent(path, key);
  if (existing !== null) return existing;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(aside, `${randomBytes(bytes).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    linkSync(aside, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw secretError(key, path, `cannot be created (${(err as NodeJS.ErrnoException).code})`);
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // Not written at all: nothing to remove.
    }
  }
  return readSecretFile(path, key);
}

function checkPrivate(st: Stats, path: string, key: string): void {
  if (!st.isFile()) throw secretError(key, path, 'is not a regular file');
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw secretError(key, path, `is owned by uid ${st.uid}, not by god's account (uid ${uid})`);
  if ((st.mode & 0o077) !== 0)
    throw secretError(
      key,
      path,
      `has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}: other accounts may read it; chmod 600 it`,
    );
}

function secretError(key: string, path: string, why: string): ValidationError {
  return new ValidationError(
    'invalid configuration',
    [{ path: key, message: `${path} ${why}` }],
    'INVALID_CONFIG',
  );
}
