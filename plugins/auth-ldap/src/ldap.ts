/**
 * The `ldap` auth plugin: find the user's entry with the service account, read its posix
 * identity and groups, then prove the password by binding as that entry. Refusals are answers
 * (null); a directory that cannot be asked throws (see errors.ts).
 */
import {
  isValidLogin,
  sameLogin,
  type AccessPolicy,
  type Account,
  type AuthPlugin,
  type PluginContext,
  type PluginLogger,
} from '@god/core';
import { ResultCodeError, type Client, type Entry } from 'ldapts';
import { directoryTarget, step, withDirectory, type DirectoryTarget } from './directory.js';
import { attributeValues, findGroupIds, findUserEntries } from './search.js';
import type { LdapConfig } from './settings.js';

/** Bind results that mean "not this password / not this user", not "the directory failed". */
const REFUSED_BIND_CODES = new Set([
  48, // inappropriateAuthentication: e.g. an entry without a password
  49, // invalidCredentials
  50, // insufficientAccessRights
  53, // unwillingToPerform: e.g. a locked or disabled account
]);

/** Largest posix id (2^32 - 2: 2^32 - 1 is (uid_t)-1). */
const MAX_POSIX_ID = 4_294_967_294;

/** A user entry found and read, before its groups. */
interface FoundUser {
  dn: string;
  account: Account;
}

/** The one value of a numeric posix id attribute, or null when absent, repeated or not a number. */
function posixId(values: readonly string[]): number | null {
  if (values.length !== 1 || !/^[0-9]{1,10}$/.test(values[0]!)) return null;
  const id = Number(values[0]);
  return id <= MAX_POSIX_ID ? id : null;
}

/**
 * The identity in `entry`, without groups; null when it has no usable uid or gid number, or no
 * value of the login attribute god accepts that equals `login` without case.
 */
function readIdentity(entry: Entry, s: LdapConfig, login: string): Omit<Account, 'sgids'> | null {
  const uid = posixId(attributeValues(entry, s.uid_number_attribute));
  const gid = posixId(attributeValues(entry, s.gid_number_attribute));
  if (uid === null || gid === null) return null;
  // The directory's own spelling is the one identity: `ALICE` and `alice` are one person. The
  // typed spelling is never used, so a directory that matched otherwise yields no account.
  const stored = attributeValues(entry, s.user_attribute).find(
    (v) => sameLogin(v, login) && isValidLogin(v),
  );
  if (stored === undefined) return null;
  const home = attributeValues(entry, s.home_attribute)[0];
  return {
    id: stored,
    uid,
    gid,
    home: home === undefined || home === '' ? null : home,
    email: attributeValues(entry, s.mail_attribute)[0] ?? '',
  };
}

/** Supplementary gids: the groups' numbers, the primary gid left out, each once, ascending. */
function supplementary(values: readonly string[], primary: number): number[] {
  const ids = values
    .map((v) => posixId([v]))
    .filter((id): id is number => id !== null && id !== primary);
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Finds and reads the one entry of `login`; null for none, several, or no posix identity. */
async function lookUp(
  client: Client,
  target: DirectoryTarget,
  login: string,
  logger: PluginLogger,
): Promise<FoundUser | null> {
  const entries = await findUserEntries(client, target, login);
  const [entry] = entries;
  if (entry === undefined) return null;
  if (entries.length > 1) {
    logger.warn({ user: login }, 'ldap login matches several entries');
    return null;
  }
  const identity = readIdentity(entry, target.settings, login);
  if (identity === null) {
    logger.warn({ user: login, dn: entry.dn }, 'ldap entry lacks a numeric uid or gid, or a login');
    return null;
  }
  const member = target.settings.group_membership === 'member' ? entry.dn : identity.id;
  const gids = await findGroupIds(client, target, member);
  return { dn: entry.dn, account: { ...identity, sgids: supplementary(gids, identity.gid) } };
}

/** True when `password` binds as `dn`; false when the directory refuses that bind. */
function bindAs(
  client: Client,
  target: DirectoryTarget,
  dn: string,
  password: string,
): Promise<boolean> {
  return step(target, 'user bind', async () => {
    try {
      await client.bind(dn, password);
      return true;
    } catch (err) {
      if (err instanceof ResultCodeError && REFUSED_BIND_CODES.has(err.code)) return false;
      throw err;
    }
  });
}

/** Logs, once at startup, settings that weaken security. */
function warnAboutSettings(s: LdapConfig, logger: PluginLogger): void {
  const host = new URL(s.url).hostname;
  const loopback = host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  if (/^ldap:/i.test(s.url) && !s.start_tls && !loopback)
    logger.warn({ url: s.url }, 'ldap passwords are sent unencrypted (use ldaps:// or start_tls)');
  if (!s.reject_unauthorized)
    logger.warn({ url: s.url }, 'ldap server certificate is not verified');
}

/** Creates the plugin on `settings` (reads `ca_file` now; throws INVALID_CONFIG if it cannot). */
export function createLdapAuth(settings: LdapConfig, ctx: PluginContext): AuthPlugin {
  const plugin = directoryAuth(settings, ctx);
  if (settings.root_gids.length === 0) return plugin;
  const rootGids = new Set(settings.root_gids);
  const withAccess: AuthPlugin & AccessPolicy = {
    ...plugin,
    // Only ever narrows: a user outside the root groups loses root; volumes stay as configured.
    access(account, configured) {
      const member = [account.gid, ...account.sgids].some((g) => rootGids.has(g));
      return member
        ? configured
        : { ...configured, security: { ...configured.security, allow_root: false } };
    },
  };
  return withAccess;
}

function directoryAuth(settings: LdapConfig, ctx: PluginContext): AuthPlugin {
  const target = directoryTarget(settings);
  const { logger } = ctx;
  warnAboutSettings(settings, logger);
  return {
    name: 'ldap',

    async login(login, password) {
      // Before any network call: an empty password would be an unauthenticated bind, which
      // servers may report as a success (RFC 4513 5.1.2).
      if (!isValidLogin(login) || password === '') return null;
      return withDirectory(target, async (client) => {
        const found = await lookUp(client, target, login, logger);
        if (found === null) return null;
        if (await bindAs(client, target, found.dn, password)) return found.account;
        logger.info({ user: login }, 'ldap bind refused');
        return null;
      });
    },

    async account(login) {
      if (!isValidLogin(login)) return null;
      return withDirectory(
        target,
        async (client) => (await lookUp(client, target, login, logger))?.account ?? null,
      );
    },
  };
}
