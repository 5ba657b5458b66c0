/**
 * Short-lived signed tokens (JWT, HS256, via jose). A token says "this is user X" until it
 * expires; it is never stored. The signing secret is the configured one, else a random secret
 * kept in Redis and shared by every web process (set once with NX). Losing Redis loses that
 * secret: outstanding tokens stop verifying and clients exchange their API key or password
 * again, which is the cheap failure to have.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Keys, Redis } from '@god/coord';

const ISSUER = 'god';
const AUDIENCE = 'god-api';

/** Issues and checks tokens. */
export interface TokenService {
  /** A token for `login`, and when it expires (epoch ms). */
  issue(login: string): Promise<{ token: string; expiresAt: number }>;
  /** The login a valid token names; null for an expired, forged or malformed one. */
  verify(token: string): Promise<string | null>;
}

/** The secret: the configured one, else the shared random one in Redis (made on first use). */
export async function tokenSecret(
  configured: string,
  redis: Redis,
  keys: Keys,
): Promise<Uint8Array> {
  if (configured !== '') return new TextEncoder().encode(configured);
  const fresh = randomBytes(48).toString('base64url');
  await redis.set(keys.tokenSecret(), fresh, 'NX');
  const shared = await redis.get(keys.tokenSecret());
  return new TextEncoder().encode(shared ?? fresh);
}

/** Creates the token service over `secret` with tokens living `ttlSeconds`. */
export function createTokenService(opts: {
  secret: Uint8Array;
  ttlSeconds: number;
  now?: () => number;
}): TokenService {
  const now = opts.now ?? Date.now;
  return {
    async issue(login) {
      const issuedAt = Math.floor(now() / 1000);
      const exp = issuedAt + opts.ttlSeconds;
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(login)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(exp)
        .sign(opts.secret);
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, opts.secret, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        });
        return typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
      } catch (err) {
        if (err instanceof joseErrors.JOSEError) return null;
        throw err;
      }
    },
  };
}
