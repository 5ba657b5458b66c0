/**
 * Where a token came from, and whether that source still stands. Every token names its source
 * (`sid`): `k.<key id>` for one exchanged for an API key, `k.<key id>.<random>` for a browser
 * session opened with an API key (its own sid, so logging the browser out leaves the key's other
 * tokens alone), `s.<random>` for a password login.
 * A key-made token is good only while its key exists, still belongs to the token's user and is
 * unexpired (asked of the store on every use, like the key itself, so revoking a key ends its
 * tokens at once on every web process). Any source can also be revoked in Redis (logout), and
 * all password sessions of a user ended at once (password changed, user deleted): each mark
 * lives as long as a token issued before it can, so the revocation marks never pile up.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Keys, Redis } from '@god/coord';
import type { ApiKeyRecord, Store } from '@god/store';
import type { TokenClaims } from './tokens.js';

const KEY_SID = /^k\.([0-9a-f]{16})(?:\.[A-Za-z0-9_-]{22})?$/;

/** The source id of tokens exchanged for API key `keyId`. */
export function keySession(keyId: string): string {
  return `k.${keyId}`;
}

/** A fresh source id for a browser session opened with API key `keyId`: it ends with the key. */
export function newKeySession(keyId: string): string {
  return `k.${keyId}.${randomBytes(16).toString('base64url')}`;
}

/** A fresh source id for a password login. */
export function newPasswordSession(): string {
  return `s.${randomBytes(16).toString('base64url')}`;
}

/** The API key id behind source `sid`, or null when it is a password session. */
export function keyIdOf(sid: string): string | null {
  return KEY_SID.exec(sid)?.[1] ?? null;
}

/** A token's source, once checked. */
export interface TokenSource {
  /** The API key the token came from; null for a password session. */
  key: ApiKeyRecord | null;
}

/** Checks and revokes token sources. */
export interface Sessions {
  /** The source of a verified token while it stands; null when revoked, unknown or expired. */
  check(claims: TokenClaims, now: number): Promise<TokenSource | null>;
  /** Revokes source `sid`: no token of it is accepted any more, on any web process. */
  revoke(sid: string): Promise<void>;
  /**
   * Ends every password session of `login` begun by `now` (epoch ms, the clock tokens are
   * stamped with); tokens of the user's API keys are not touched.
   */
  endAll(login: string, now: number): Promise<void>;
}

/** Creates the session checks; a revocation mark lives `ttlSeconds` (the token lifetime). */
export function createSessions(opts: {
  redis: Redis;
  keys: Keys;
  store: Store;
  ttlSeconds: number;
}): Sessions {
  const mark = (sid: string): string => opts.keys.revokedSession(digest(sid));
  // Logins are case-insensitive: one mark per person whatever the spelling.
  const ended = (login: string): string => opts.keys.sessionsEnded(digest(login.toLowerCase()));
  return {
    async check(claims, now) {
      const keyId = keyIdOf(claims.sid);
      if (keyId === null && !claims.sid.startsWith('s.')) return null;
      const [revoked, endedAt] = await opts.redis.mget(mark(claims.sid), ended(claims.login));
      if (revoked !== null) return null;
      if (keyId === null)
        return endedAt !== null && claims.issuedAt <= Number(endedAt) ? null : { key: null };
      const key = await opts.store.getApiKey(keyId);
      if (key === null || key.user !== claims.login) return null;
      if (key.expiresAt !== null && key.expiresAt <= now) return null;
      return { key };
    },
    async revoke(sid) {
      // Every token of `sid` was issued at most one lifetime before now: after that, none is left.
      await opts.redis.set(mark(sid), '1', 'EX', opts.ttlSeconds);
    },
    async endAll(login, now) {
      await opts.redis.set(ended(login), String(now), 'EX', opts.ttlSeconds);
    },
  };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
