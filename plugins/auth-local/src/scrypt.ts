/**
 * scrypt password hashes in a self-describing text form:
 *
 *   scrypt$<logN>$<r>$<p>$<salt, base64>$<key, base64>
 *
 * The cost travels with the hash, so raising the configured cost later does not break the
 * hashes already stored; the parser still refuses costs under the floor (a tampered record
 * cannot downgrade a user to a cheap hash) and over the memory cap (nor make a login eat the
 * host's memory).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { GodError } from '@god/core';

/** The scrypt cost: N = 2^logN, block size r, parallelism p. */
export interface ScryptCost {
  logN: number;
  r: number;
  p: number;
}

/** The default cost: N=2^15, r=8, p=1 (32 MiB, tens of ms per hash). */
export const DEFAULT_COST: Readonly<ScryptCost> = Object.freeze({ logN: 15, r: 8, p: 1 });

/**
 * The lowest cost god accepts, in settings and in stored hashes: N=2^14, r=8 is the interactive
 * login minimum of Percival's scrypt paper, and below it a stolen hash file is cheap to attack.
 */
export const COST_FLOOR: Readonly<ScryptCost> = Object.freeze({ logN: 14, r: 8, p: 1 });

/** The highest cost accepted, so that neither a setting nor a stored hash can exhaust a host. */
export const COST_CEILING: Readonly<ScryptCost> = Object.freeze({ logN: 20, r: 32, p: 16 });

/** At most this much memory (128·N·r bytes) for one hash. */
export const MAX_MEMORY_BYTES = 1024 * 1024 * 1024;

/** Length of a new random salt, in bytes. */
export const SALT_BYTES = 16;

/** Length of the derived key, in bytes. */
export const KEY_BYTES = 32;

/** Longest password accepted, in bytes: scrypt takes any length, this only bounds the work. */
export const MAX_PASSWORD_BYTES = 4096;

/** A parsed hash. */
export interface ParsedHash extends ScryptCost {
  salt: Buffer;
  key: Buffer;
}

/** A stored hash that is not in the `scrypt$…` form or outside the accepted costs. */
export class HashFormatError extends GodError {
  constructor(reason: string) {
    super('INVALID_INPUT', `password hash: ${reason}`);
  }
}

/** Memory one scrypt run of `cost` takes, in bytes. */
export function scryptMemory(cost: ScryptCost): number {
  return 128 * 2 ** cost.logN * cost.r;
}

/** The reason `cost` is refused, or null when it is within floor, ceiling and memory cap. */
export function costProblem(cost: ScryptCost): string | null {
  for (const k of ['logN', 'r', 'p'] as const) {
    const v = cost[k];
    if (!Number.isSafeInteger(v)) return `${k} must be an integer`;
    if (v < COST_FLOOR[k]) return `${k} ${v} is below the floor ${COST_FLOOR[k]}`;
    if (v > COST_CEILING[k]) return `${k} ${v} is above the ceiling ${COST_CEILING[k]}`;
  }
  if (scryptMemory(cost) > MAX_MEMORY_BYTES) return 'N·r needs more than 1 GiB of memory';
  return null;
}

/** Runs scrypt with `cost`, allowing exactly the memory it needs. */
function derive(
  password: Buffer,
  salt: Buffer,
  keyLength: number,
  cost: ScryptCost,
): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** cost.logN,
    r: cost.r,
    p: cost.p,
    // Node refuses runs over 32 MiB by default; the cost was bounded by costProblem.
    maxmem: scryptMemory(cost) + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `password` as bytes; throws INVALID_INPUT when empty or over MAX_PASSWORD_BYTES. */
function passwordBytes(password: string): Buffer {
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length === 0) throw new GodError('INVALID_INPUT', 'password must not be empty');
  if (bytes.length > MAX_PASSWORD_BYTES)
    throw new GodError('INVALID_INPUT', `password is longer than ${MAX_PASSWORD_BYTES} bytes`);
  return bytes;
}

/** The stored form of `password` hashed at `cost` with a fresh random salt. */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_COST,
): Promise<string> {
  const problem = costProblem(cost);
  if (problem !== null) throw new GodError('INVALID_CONFIG', `scrypt cost: ${problem}`);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(passwordBytes(password), salt, KEY_BYTES, cost);
  return formatHash({ ...cost, salt, key });
}

/** The text form of a parsed hash. */
export function formatHash(h: ParsedHash): string {
  return ['scrypt', h.logN, h.r, h.p, h.salt.toString('base64'), h.key.toString('base64')].join(
    '$',
  );
}

/** Decodes canonical base64 only: Node's decoder skips junk, which would let tampering pass. */
function strictBase64(text: string, what: string, min: number, max: number): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (text.length === 0 || bytes.toString('base64') !== text)
    throw new HashFormatError(`${what} is not canonical base64`);
  if (bytes.length < min || bytes.length > max)
    throw new HashFormatError(`${what} must be ${min} to ${max} bytes`);
  return bytes;
}

/** Parses a stored hash; throws HashFormatError naming what is wrong. */
export function parseHash(stored: string): ParsedHash {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt')
    throw new HashFormatError('expected scrypt$logN$r$p$salt$key');
  const [logN, r, p] = parts.slice(1, 4).map((part) => {
    if (!/^[1-9][0-9]{0,2}$/.test(part)) throw new HashFormatError('cost is not a number');
    return Number(part);
  }) as [number, number, number];
  const cost = { logN, r, p };
  const problem = costProblem(cost);
  if (problem !== null) throw new HashFormatError(problem);
  const salt = strictBase64(parts[4]!, 'salt', SALT_BYTES, 64);
  const key = strictBase64(parts[5]!, 'key', KEY_BYTES, 64);
  return { ...cost, salt, key };
}

/**
 * True when `password` matches `stored`; false for a wrong or empty password. Throws
 * HashFormatError when `stored` cannot be parsed. Compares in constant time.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_PASSWORD_BYTES) return false;
  const key = await derive(bytes, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(key, parsed.key);
}

// Fixed and public on purpose: the dummy run only has to cost the same, not protect anything.
const DUMMY_SALT = Buffer.alloc(SALT_BYTES, 0x5a);
const DUMMY_KEY = Buffer.alloc(KEY_BYTES, 0);

/**
 * Does the work of one verification at `cost` and throws the result away: what a login for an
 * unknown user costs, so that response times do not tell which logins exist.
 */
export async function dummyVerify(password: string, cost: ScryptCost): Promise<false> {
  const bytes = Buffer.from(password.slice(0, MAX_PASSWORD_BYTES), 'utf8');
  const key = await derive(bytes, DUMMY_SALT, KEY_BYTES, cost);
  timingSafeEqual(key, DUMMY_KEY);
  return false;
}
