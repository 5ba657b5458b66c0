/**
 * The browser's credential. A browser session is a normal session token (tokens.ts, with its
 * own revocable sid) held in an HttpOnly, SameSite=Strict cookie: page scripts cannot read it, a
 * reload keeps it, and EventSource (which cannot set an Authorization header) sends it. Because a
 * browser attaches cookies on its own, a state-changing request authenticated by the cookie must
 * also carry the session's CSRF value in `X-CSRF-Token`: an HMAC of the sid under the server's
 * secret (tokens.ts), which another site can neither read nor compute.
 *
 * A session in use is renewed: past half its lifetime, any request it authenticates gets a new
 * token of the same sid (same CSRF value, same revocation) in a fresh cookie, so only a browser
 * left idle for a whole token lifetime (`auth.token_ttl_s`) is logged out. No token lives longer
 * than that lifetime, so revocation marks keep covering every token of a session.
 */
import { parse, serialize } from 'cookie';
import type { Request } from 'express';
import type { TokenService } from './tokens.js';

/** The cookie that holds a browser session's token. */
export const SESSION_COOKIE = 'god_session';

/** The header a cookie-authenticated state-changing request carries its CSRF value in. */
export const CSRF_HEADER = 'X-CSRF-Token';

/** Methods that change nothing: a cookie alone authenticates them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when `method` may change state (so a cookie-authenticated call needs the CSRF header). */
export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** The session token in the request's cookie; null when there is none. */
export function sessionTokenOf(req: Request): string | null {
  const header = req.headers.cookie;
  if (header === undefined || header === '') return null;
  const value = parse(header)[SESSION_COOKIE];
  return value === undefined || value === '' ? null : value;
}

/** The `Set-Cookie` value that gives the browser `token` for `maxAgeSeconds`. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return serialize(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
    secure,
  });
}

/** The `Set-Cookie` value that makes the browser forget its session. */
export function clearedSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, '', {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: 0,
    secure,
  });
}

/**
 * The renewed session of a cookie-authenticated request: a fresh token of the same `sid` when
 * the current one is past half of `ttlSeconds`; null when it is young enough or cannot outlive
 * itself (an API key expiring first).
 */
export async function renewal(
  tokens: TokenService,
  session: { login: string; sid: string; notAfter: number | null; expiresAt: number },
  ttlSeconds: number,
  now: number,
  secure: boolean,
): Promise<{ expiresAt: number; setCookie: string } | null> {
  if (session.expiresAt - now > (ttlSeconds * 1000) / 2) return null;
  const { token, expiresAt } = await tokens.issue(session.login, session.sid, session.notAfter);
  if (expiresAt <= session.expiresAt) return null;
  return { expiresAt, setCookie: sessionCookie(token, (expiresAt - now) / 1000, secure) };
}
