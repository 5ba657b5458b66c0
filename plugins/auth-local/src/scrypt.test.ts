/** The scrypt hash format: round trips, tampering, parse errors and the cost bounds. */
import { describe, expect, it } from 'vitest';
import {
  COST_FLOOR,
  costProblem,
  DEFAULT_COST,
  formatHash,
  HashFormatError,
  hashPassword,
  parseHash,
  verifyPassword,
} from './scrypt.js';

// The floor: the cheapest cost the parser and the settings accept, so tests stay fast.
const FAST = COST_FLOOR;

/** `stored` with field `index` (0 = "scrypt") replaced by `value`. */
function withField(stored: string, index: number, value: string): string {
  const parts = stored.split('$');
  parts[index] = value;
  return parts.join('$');
}

describe('scrypt hashes', () => {
  it('round-trips a password in the self-describing format', async () => {
    const stored = await hashPassword('correct horse', FAST);
    expect(stored).toMatch(/^scrypt\$14\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    const parsed = parseHash(stored);
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.key).toHaveLength(32);
    expect(formatHash(parsed)).toBe(stored);
  });

  it('hashes at the default cost N=2^15, r=8, p=1', async () => {
    const stored = await hashPassword('pw', DEFAULT_COST);
    expect(stored.startsWith('scrypt$15$8$1$')).toBe(true);
    expect(await verifyPassword('pw', stored)).toBe(true);
  });

  it('salts every hash, so the same password hashes differently', async () => {
    const [a, b] = await Promise.all([hashPassword('same', FAST), hashPassword('same', FAST)]);
    expect(a).not.toBe(b);
  });

  it('refuses a wrong, an empty or a differently-cased password', async () => {
    const stored = await hashPassword('Secret-1', FAST);
    expect(await verifyPassword('Secret-2', stored)).toBe(false);
    expect(await verifyPassword('secret-1', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('refuses a hash whose key or salt was tampered with', async () => {
    const stored = await hashPassword('pw', FAST);
    const { salt, key } = parseHash(stored);
    const flip = (b: Buffer): string => {
      const c = Buffer.from(b);
      c[0] = c[0]! ^ 1;
      return c.toString('base64');
    };
    expect(await verifyPassword('pw', withField(stored, 5, flip(key)))).toBe(false);
    expect(await verifyPassword('pw', withField(stored, 4, flip(salt)))).toBe(false);
    // The same key at another cost is another hash: r and p are part of what is verified.
    expect(await verifyPassword('pw', withField(stored, 2, '9'))).toBe(false);
  });

  it('refuses a tampered cost under the floor instead of verifying cheaply', async () => {
    const stored = await hashPassword('pw', FAST);
    await expect(verifyPassword('pw', withField(stored, 1, '10'))).rejects.toThrow(
      /logN 10 is below the floor 14/,
    );
  });

  it('refuses passwords it will not hash', async () => {
    await expect(hashPassword('', FAST)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(hashPassword('x'.repeat(4097), FAST)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('refuses to hash at a cost under the floor', async () => {
    await expect(hashPassword('pw', { logN: 10, r: 8, p: 1 })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
  });
});

describe('parseHash', () => {
  const salt = Buffer.alloc(16, 1).toString('base64');
  const key = Buffer.alloc(32, 2).toString('base64');
  const good = `scrypt$14$8$1$${salt}$${key}`;

  it('parses a well-formed hash', () => {
    expect(parseHash(good)).toMatchObject({ logN: 14, r: 8, p: 1 });
  });

  it.each([
    ['empty', '', /expected scrypt/],
    ['another scheme', `bcrypt$14$8$1$${salt}$${key}`, /expected scrypt/],
    ['a missing field', `scrypt$14$8$${salt}$${key}`, /expected scrypt/],
    ['an extra field', `${good}$x`, /expected scrypt/],
    ['a cost that is not a number', `scrypt$1e1$8$1$${salt}$${key}`, /not a number/],
    ['a cost with a leading zero', `scrypt$014$8$1$${salt}$${key}`, /not a number/],
    ['a negative cost', `scrypt$-14$8$1$${salt}$${key}`, /not a number/],
    ['r under the floor', `scrypt$14$4$1$${salt}$${key}`, /r 4 is below the floor/],
    ['logN over the ceiling', `scrypt$21$8$1$${salt}$${key}`, /above the ceiling/],
    ['more than 1 GiB', `scrypt$20$16$1$${salt}$${key}`, /1 GiB/],
    ['non-base64 salt', `scrypt$14$8$1$${salt.slice(0, -3)}!!=$${key}`, /salt is not canonical/],
    ['unpadded key', `scrypt$14$8$1$${salt}$${key.slice(0, -1)}`, /key is not canonical/],
    ['a short salt', `scrypt$14$8$1$${Buffer.alloc(8).toString('base64')}$${key}`, /salt must be/],
    ['a short key', `scrypt$14$8$1$${salt}$${Buffer.alloc(16).toString('base64')}`, /key must be/],
    ['an empty key', `scrypt$14$8$1$${salt}$`, /key is not canonical/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseHash(text)).toThrow(HashFormatError);
    expect(() => parseHash(text)).toThrow(message);
  });
});

describe('costProblem', () => {
  it('accepts the default and the floor, refuses below, above and over memory', () => {
    expect(costProblem(DEFAULT_COST)).toBeNull();
    expect(costProblem(COST_FLOOR)).toBeNull();
    expect(costProblem({ logN: 13, r: 8, p: 1 })).toMatch(/below the floor/);
    expect(costProblem({ logN: 14, r: 8, p: 0 })).toMatch(/below the floor/);
    expect(costProblem({ logN: 14.5, r: 8, p: 1 })).toMatch(/integer/);
    expect(costProblem({ logN: 20, r: 8, p: 17 })).toMatch(/above the ceiling/);
    expect(costProblem({ logN: 20, r: 9, p: 1 })).toMatch(/1 GiB/);
  });
});
