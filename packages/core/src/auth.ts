/**
 * The authentication plugin contract (`local`, `ldap`, ...). An auth plugin answers two
 * questions: do this login and password belong together, and who is this user (uid, gid,
 * groups, home) right now. The web process issues tokens and API keys itself and asks the plugin
 * for the account on every authenticated request path that needs a fresh identity, so a user
 * removed from the directory loses access and a changed uid is picked up.
 *
 * What a user may mount and whether root is allowed is decided from the account the plugin
 * returns (`accessFor`): the configured volumes are templates over its fields, and a plugin may
 * narrow them further (`AccessPolicy`).
 */
import type { z } from 'zod';
import type { Config } from './config.js';
import type { PluginContext, PluginDefinition } from './plugins.js';

/** A user as the directory (or god's own user records) knows them. */
export interface Account {
  /**
   * The canonical login, whatever spelling the user typed (LDAP: the directory's own value of
   * the login attribute; local: the stored record's id). god identifies the user by it alone.
   */
  id: string;
  uid: number;
  gid: number;
  /** Supplementary group ids. */
  sgids: number[];
  /** Home directory; null when the account has none. */
  home: string | null;
  email: string;
}

/** A user record kept in god's store, as the local plugin needs it. */
export interface LocalAccount extends Account {
  /** The slow hash of the user's password; null when the user has no password (API keys only). */
  passwordHash: string | null;
}

/** An auth plugin. Bad credentials are answers (null), never exceptions. */
export interface AuthPlugin {
  readonly name: string;
  /**
   * The account when `password` is the password of `login`, else null. Throws only when the
   * directory cannot be asked (a GodError with `retryable`), so a directory outage is never
   * mistaken for a wrong password.
   */
  login(login: string, password: string): Promise<Account | null>;
  /** The current account of a user known to be who they are (token, API key); null if unknown. */
  account(login: string): Promise<Account | null>;
}

/** Optional ability: the plugin keeps passwords itself and can set them (local). */
export interface PasswordSetter {
  /** The slow hash to store for `password`. */
  hashPassword(password: string): Promise<string>;
}

/** True when `plugin` can hash passwords (the local plugin). */
export function isPasswordSetter(plugin: AuthPlugin): plugin is AuthPlugin & PasswordSetter {
  return typeof (plugin as Partial<PasswordSetter>).hashPassword === 'function';
}

/** Optional ability: the plugin narrows volumes and root for some accounts. */
export interface AccessPolicy {
  /** The volumes and root rules that apply to `account`, starting from the configured ones. */
  access(
    account: Account,
    configured: Pick<Config, 'volumes' | 'security'>,
  ): Pick<Config, 'volumes' | 'security'>;
}

/** True when `plugin` narrows access itself. */
export function isAccessPolicy(plugin: AuthPlugin): plugin is AuthPlugin & AccessPolicy {
  return typeof (plugin as Partial<AccessPolicy>).access === 'function';
}

/** The volumes and root rules for `account`: the configuration, narrowed by the plugin if it does. */
export function accessFor(
  plugin: AuthPlugin,
  account: Account,
  config: Pick<Config, 'volumes' | 'security'>,
): Pick<Config, 'volumes' | 'security'> {
  return isAccessPolicy(plugin) ? plugin.access(account, config) : config;
}

/** What an auth plugin gets besides its own settings. */
export interface AuthContext extends PluginContext {
  /**
   * god's user records (the local plugin's accounts), found whatever the case of `login`; the
   * record's `id` is the canonical spelling.
   */
  localAccounts: { get(login: string): Promise<LocalAccount | null> };
}

/** An auth plugin definition. */
export type AuthDefinition<S extends z.ZodType = z.ZodType> = PluginDefinition<
  'auth',
  S,
  AuthPlugin,
  AuthContext
>;

/**
 * Login names god accepts anywhere: what POSIX and LDAP both take without escaping games.
 * Anything else is refused before any directory is asked.
 */
export const LOGIN_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** True when `login` is a name god accepts. */
export function isValidLogin(login: string): boolean {
  return LOGIN_PATTERN.test(login);
}

/**
 * True when two logins name the same person. Logins are ASCII (LOGIN_PATTERN) and compared
 * without case everywhere: POSIX systems and LDAP's `uid` (caseIgnoreMatch) would otherwise
 * see one person where god sees two.
 */
export function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
