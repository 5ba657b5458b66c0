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

/** What a valid token says. */
export interface TokenClaims {
  /** The login it was issued to (the auth plugin's canonical spelling). */
  login: string;
  /** Where it came from: `k.<API key id>` or `s.<password session id>` (see sessions.ts). */
  sid: string;
  /** Epoch ms (the `ims` claim: `iat` has whole seconds only). */
  issuedAt: number;
  /** Epoch ms. */
  expiresAt: number;
}

/** Issues and checks tokens. */
export interface TokenService {
  /**
   * A token for `login` from source `sid`, and when it expires (epoch ms): after the configured
   * lifetime, or at `notAfter` when that comes first (a token never outlives its API key).
   */
  issue(
    login: string,
    sid: string,
    notAfter?: number | null,
  ): Promise<{ token: string; expiresAt: number }>;
  /**
   * The claims of a correctly signed, unexpired token that has `sub`, `sid`, `iat` and `exp`;
   * null otherwise. Whether its source is still valid is the caller's question (sessions.ts).
   */
  verify(token: string): Promise<TokenClaims | null>;
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
    async issue(login, sid, notAfter = null) {
      const ims = now();
      const issuedAt = Math.floor(ims / 1000);
      const limit = notAfter === null ? Infinity : Math.floor(notAfter / 1000);
      const exp = Math.min(issuedAt + opts.ttlSeconds, limit);
      const token = await new SignJWT({ sid, ims })
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
          // A token without an expiry would be valid forever: refused, however well signed.
          requiredClaims: ['sub', 'sid', 'iat', 'exp'],
          currentDate: new Date(now()),
        });
        const { sub, sid, exp, iat, ims } = payload;
        if (typeof sub !== 'string' || sub === '' || typeof sid !== 'string' || sid === '')
          return null;
        const issuedAt = typeof ims === 'number' ? ims : iat! * 1000;
        return { login: sub, sid, issuedAt, expiresAt: exp! * 1000 };
      } catch (err) {
        if (err instanceof joseErrors.JOSEError) return null;
        throw err;
      }
    },
  };
}
