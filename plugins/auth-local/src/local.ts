/**
 * The `local` auth plugin: accounts are god's own user records, passwords scrypt hashes kept
 * in them. Refusals are answers (null); only the record store failing throws.
 */
import {
  isValidLogin,
  type Account,
  type AuthContext,
  type AuthPlugin,
  type LocalAccount,
  type PasswordSetter,
} from '@god/core';
import {
  dummyVerify,
  hashPassword,
  HashFormatError,
  MAX_PASSWORD_BYTES,
  verifyPassword,
  type ScryptCost,
} from './scrypt.js';

/** The account part of a record: the password hash never leaves this plugin. */
function toAccount(record: LocalAccount): Account {
  return {
    id: record.id,
    uid: record.uid,
    gid: record.gid,
    sgids: [...record.sgids],
    home: record.home,
    email: record.email,
  };
}

/** True when `password` may be checked at all (so every later path costs one scrypt run). */
function checkable(password: string): boolean {
  return password !== '' && Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
}

/** Creates the local plugin hashing new passwords at `cost`. */
export function createLocalAuth(cost: ScryptCost, ctx: AuthContext): AuthPlugin & PasswordSetter {
  const { logger } = ctx;

  /** Verifies against a stored hash; an unusable hash is logged (reason only) and refused. */
  async function matches(login: string, password: string, stored: string): Promise<boolean> {
    try {
      return await verifyPassword(password, stored);
    } catch (err) {
      if (!(err instanceof HashFormatError)) throw err;
      logger.warn({ user: login, reason: err.message }, 'stored password hash is unusable');
      return dummyVerify(password, cost);
    }
  }

  return {
    name: 'local',

    async login(login, password) {
      // Malformed names and empty passwords are refused before any lookup or hashing.
      if (!isValidLogin(login) || !checkable(password)) return null;
      const record = await ctx.localAccounts.get(login);
      if (record === null || record.passwordHash === null) {
        // Same scrypt work as a wrong password, so timing does not reveal which logins exist.
        await dummyVerify(password, cost);
        return null;
      }
      return (await matches(login, password, record.passwordHash)) ? toAccount(record) : null;
    },

    async account(login) {
      if (!isValidLogin(login)) return null;
      const record = await ctx.localAccounts.get(login);
      return record === null ? null : toAccount(record);
    },

    hashPassword: (password) => hashPassword(password, cost),
  };
}
