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
}
