/** Who is calling: the authenticated user, their account as the auth plugin knows it, and rights. */
import type { Account } from '@god/core';

/** The caller of an authenticated request. */
export interface Principal {
  /** Login name. */
  id: string;
  /** Administrators see and act on everything. */
  admin: boolean;
  /** The account as the auth plugin returned it (uid, gid, groups, home). */
  account: Account;
  /** How the caller proved who they are. */
  via: 'token' | 'apikey';
  /** The source of the credential: `k.<API key id>` or `s.<password session>` (sessions.ts). */
  sid: string;
  /**
   * The latest moment a credential made with this one may live (its API key's expiry, epoch
   * ms); null when its source does not expire (a password, a key without expiry).
   */
  notAfter: number | null;
  /**
   * Set when the browser session cookie authenticated the request: when the session ends, and
   * the renewed cookie to send back when it was renewed (see browser.ts).
   */
  cookie?: { expiresAt: number; renewed?: string };
}
