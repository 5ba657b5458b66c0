/**
 * Short-lived signed tokens (JWT, HS256, via jose). A token says "this is user X" until it
 * expires; it is never stored. Whoever knows the signing secret can sign a token for any login,
 * administrators included, so it lives only where god's own account can read it: the config
 * (`auth.token_secret`, best from the environment) or an owner-only file
 * (`auth.token_secret_file`, made by the first web process). Never in Redis, which other local
 * accounts may be able to reach.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ensureSecretFile } from '@god/coord';
import { ValidationError } from '@god/core';

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
  /**
   * The CSRF value of browser session `sid`: an HMAC of it under a key derived from the signing
   * secret, so nobody without the secret can make one, and each session has its own.
   */
  csrfFor(sid: string): string;
  /** Whether `presented` is the CSRF value of `sid` (compared in constant time). */
  isCsrfOf(sid: string, presented: string): boolean;
}

/** The signing secret: `auth.token_secret`, else the one in `auth.token_secret_file` (made if missing). */
export function tokenSecret(auth: { token_secret: string; token_secret_file: string }): Uint8Array {
  if (auth.token_secret !== '') return new TextEncoder().encode(auth.token_secret);
  const secret = ensureSecretFile(auth.token_secret_file, 'auth.token_secret_file');
  // The same floor as auth.token_secret: a short secret can be guessed offline from one token.
  if (secret.length < 32)
    throw new ValidationError(
      'invalid configuration',
      [
        {
          path: 'auth.token_secret_file',
          message: `${auth.token_secret_file} holds fewer than 32 characters`,
        },
      ],
      'INVALID_CONFIG',
    );
  return new TextEncoder().encode(secret);
}

/** Creates the token service over `secret` with tokens living `ttlSeconds`. */
export function createTokenService(opts: {
  secret: Uint8Array;
  ttlSeconds: number;
  now?: () => number;
}): TokenService {
  const now = opts.now ?? Date.now;
  // A key of its own for CSRF values: an HMAC output never doubles as a token signature.
  const csrfKey = createHmac('sha256', opts.secret).update('god csrf v1').digest();
  const csrfFor = (sid: string): string =>
    createHmac('sha256', csrfKey).update(sid).digest('base64url');
  return {
    csrfFor,
    isCsrfOf(sid, presented) {
      const want = Buffer.from(csrfFor(sid));
      const got = Buffer.from(presented);
      return got.length === want.length && timingSafeEqual(got, want);
    },
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
