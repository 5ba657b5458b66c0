/**
 * Short-lived signed tokens (JWT, HS256, via jose). A token says "this is user X" until it
 * expires; it is never stored. Whoever knows the signing secret can sign a token for any login,
 * administrators included, so it lives only where god's own account can read it: the config
 * (`auth.token_secret`, best from the environment) or an owner-only file
 * (`auth.token_secret_file`, made by the first web process). Never in Redis, which other local
 * accounts may be able to reach.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ensureSecretFile } from '@god/coord';
import { ValidationError } from '@god/core';

const ISSUER = 'god';
const AUDIENCE = 'god-api';

/** Issues and checks tokens. */
export interface TokenService {
  /** A token for `login`, and when it expires (epoch ms). */
  issue(login: string): Promise<{ token: string; expiresAt: number }>;
  /** The login a valid token names; null for an expired, forged or malformed one. */
  verify(token: string): Promise<string | null>;
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
