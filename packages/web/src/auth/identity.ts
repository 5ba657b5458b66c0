/**
 * Who a request comes from. `Authorization: Bearer <token>` or `Bearer god_<api key>` names a
 * login; the account behind it is asked of the auth plugin (cached for a short while, so a
 * removed directory user loses access within `ACCOUNT_TTL_MS`) and its rights of the store
 * (`admin`) and the config (`auth.admins`). A token is accepted only while its source (API key
 * or password session) stands: see sessions.ts. Where asked (god's own API, routes that need a
 * caller), a request without Authorization may be authenticated by the browser session cookie,
 * with the CSRF rule of browser.ts. Password logins go through the failed-login
 * limiter. Users who log in through a directory get a user record in the store on first login,
 * which is where their priority and quota live.
 *
 * Identities are the auth plugin's canonical logins (`Account.id`): whatever spelling a user
 * typed, tokens, user records, job owners and key owners carry the plugin's one spelling.
 */
import type { Request } from 'express';
import type { Account, AuthPlugin, Config } from '@god/core';
import { isAdministrator, isValidLogin } from '@god/core';
import type { Store, User } from '@god/store';
import { HttpError } from '../http/errors.js';
import type { Authenticate } from '../http/route.js';
import { checkApiKey, looksLikeApiKey } from './api-keys.js';
import { CSRF_HEADER, isUnsafeMethod, renewal, sessionTokenOf } from './browser.js';
import type { LoginLimiter } from './login-limit.js';
import type { Principal } from './principal.js';
import { keySession, newPasswordSession, type Sessions } from './sessions.js';
import type { TokenService } from './tokens.js';

/** How long an account read from the auth plugin is trusted without asking again. */
const ACCOUNT_TTL_MS = 30_000;
const MAX_CACHED = 10_000;

/** How a caller proved who they are: the credential fields of a principal. */
export type Credential = Pick<Principal, 'via' | 'sid' | 'notAfter'>;

/** Authentication of requests and password logins. */
export interface Identity {
  /**
   * The caller of `req`; null without credentials; throws 401 for a bad Authorization. The
   * session cookie counts only with `{ cookie: true }`: an ended session is then no credential,
   * and a state-changing request without its CSRF header throws 403.
   */
  authenticate: Authenticate;
  /** Checks a password login (limited), making the user's store record if it has none. */
  login(login: string, password: string, addr: string): Promise<Principal>;
  /** The principal of a presented API key; null when the key is not valid. */
  apiKey(key: string): Promise<Principal | null>;
  /** The principal for a login known to be genuine; null when the account is gone. */
  principal(login: string, credential: Credential): Promise<Principal | null>;
  /** Drops what is cached about `login` (after an administrator changed the user). */
  forget(login: string): void;
}

/** What the identity service needs. */
export interface IdentityDeps {
  config: Config;
  store: Store;
  plugin: AuthPlugin;
  tokens: TokenService;
  sessions: Sessions;
  limiter: LoginLimiter;
  now: () => number;
}

/** Creates the identity service. */
export function createIdentity(deps: IdentityDeps): Identity {
  const cache = new Map<string, { at: number; principal: Omit<Principal, keyof Credential> }>();

  async function principal(login: string, credential: Credential): Promise<Principal | null> {
    const hit = cache.get(login.toLowerCase());
    if (hit !== undefined && deps.now() - hit.at < ACCOUNT_TTL_MS)
      return { ...hit.principal, ...credential };
    const account = await deps.plugin.account(login);
    if (account === null) {
      cache.delete(login.toLowerCase());
      return null;
    }
    // The plugin's spelling, not the one asked for: one identity per person.
    const user = await deps.store.getUser(account.id);
    // A disabled user is no one: every credential of theirs is refused until enabled again.
    if (user?.disabled === true) {
      cache.delete(login.toLowerCase());
      return null;
    }
    const base = { id: account.id, admin: isAdmin(deps.config, account.id, user), account };
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(login.toLowerCase(), { at: deps.now(), principal: base });
    return { ...base, ...credential };
  }

  async function apiKey(key: string): Promise<Principal | null> {
    const record = await checkApiKey(deps.store, key, deps.now());
    if (record === null) return null;
    const sid = keySession(record.id);
    return principal(record.user, { via: 'apikey', sid, notAfter: record.expiresAt });
  }

  /** The principal of a valid token whose source stands, and when the token expires. */
  async function token(token: string): Promise<{ p: Principal; expiresAt: number } | null> {
    const claims = await deps.tokens.verify(token);
    if (claims === null) return null;
    const source = await deps.sessions.check(claims, deps.now());
    if (source === null) return null;
    const notAfter = source.key === null ? null : source.key.expiresAt;
    const p = await principal(claims.login, { via: 'token', sid: claims.sid, notAfter });
    return p === null ? null : { p, expiresAt: claims.expiresAt };
  }

  async function bearer(header: string): Promise<Principal> {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m === null)
      throw new HttpError('UNAUTHENTICATED', 'Authorization must be "Bearer <token or API key>"');
    const credential = m[1]!;
    const isKey = looksLikeApiKey(credential);
    const p = isKey ? await apiKey(credential) : ((await token(credential))?.p ?? null);
    if (p === null)
      throw new HttpError(
        'UNAUTHENTICATED',
        `the ${isKey ? 'API key' : 'token'} is not valid (unknown, revoked or expired)`,
      );
    return p;
  }

  return {
    principal,
    apiKey,
    forget: (login) => void cache.delete(login.toLowerCase()),
    async authenticate(req: Request, opts = {}) {
      const header = req.headers.authorization;
      // Authorization wins over the cookie: no other site can set it, so it needs no CSRF check.
      if (header !== undefined && header !== '') return bearer(header);
      return opts.cookie === true ? fromCookie(deps, req, token) : null;
    },
    async login(login, password, addr) {
      await deps.limiter.check(login, addr);
      const account = isValidLogin(login) ? await deps.plugin.login(login, password) : null;
      if (account === null) {
        await deps.limiter.failed(login, addr);
        throw new HttpError('UNAUTHENTICATED', 'wrong login or password');
      }
      await deps.limiter.succeeded(login, addr);
      await ensureUser(deps.store, account, deps.now());
      cache.delete(account.id.toLowerCase());
      const sid = newPasswordSession();
      const p = await principal(account.id, { via: 'token', sid, notAfter: null });
      if (p === null) throw new HttpError('UNAUTHENTICATED', 'wrong login or password');
      return p;
    },
  };
}

/**
 * The principal of the request's session cookie (renewed when due); null when there is none or
 * it is no longer valid; 403 for a state change without the session's CSRF value.
 */
async function fromCookie(
  deps: IdentityDeps,
  req: Request,
  token: (value: string) => Promise<{ p: Principal; expiresAt: number } | null>,
): Promise<Principal | null> {
  const value = sessionTokenOf(req);
  if (value === null) return null;
  // An ended or forged session is no credential: a login still works, anything else is a 401.
  const found = await token(value);
  if (found === null) return null;
  const { p, expiresAt } = found;
  checkCsrf(deps.tokens, req, p.sid);
  const session = { login: p.id, sid: p.sid, notAfter: p.notAfter, expiresAt };
  const ttl = deps.config.auth.token_ttl_s;
  const renewed = await renewal(deps.tokens, session, ttl, deps.now(), req.secure);
  const cookie =
    renewed === null ? { expiresAt } : { expiresAt: renewed.expiresAt, renewed: renewed.setCookie };
  return { ...p, cookie };
}

/** Throws 403 unless a state-changing request carries the CSRF value of session `sid`. */
function checkCsrf(tokens: TokenService, req: Request, sid: string): void {
  if (!isUnsafeMethod(req.method)) return;
  const presented = req.get(CSRF_HEADER);
  if (presented === undefined || !tokens.isCsrfOf(sid, presented))
    throw new HttpError(
      'FORBIDDEN',
      `a request authenticated by the session cookie must carry the ${CSRF_HEADER} header of its session`,
    );
}

/** True when `login` is an administrator (listed in the config or marked in the store). */
export function isAdmin(config: Config, login: string, user: User | null): boolean {
  return isAdministrator(config.auth.admins, login, user);
}

/** Creates the store record of a directory user on first login; refreshes its identity fields. */
async function ensureUser(store: Store, account: Account, now: number): Promise<void> {
  const user = await store.getUser(account.id);
  const same =
    user !== null &&
    user.uid === account.uid &&
    user.gid === account.gid &&
    user.home === (account.home ?? '') &&
    user.email === account.email &&
    user.sgids.join(',') === account.sgids.join(',');
  if (same) return;
  await store.putUser({
    id: account.id,
    uid: account.uid,
    gid: account.gid,
    sgids: [...account.sgids],
    home: account.home ?? '',
    email: account.email,
    admin: user?.admin ?? false,
    priority: user?.priority ?? 50,
    quota: user?.quota ?? null,
    passwordHash: user?.passwordHash ?? null,
    createdAt: user?.createdAt ?? now,
    ...(user?.disabled === true && { disabled: true }),
  });
}
