/**
 * `god bootstrap-admin LOGIN`: how a fresh install gets its first administrator. Run on the
 * server with the server's configuration, it writes to the store directly (no web process
 * needed): it creates LOGIN, or makes an existing LOGIN an administrator, and prints a new API
 * key for it once.
 */
import { isPasswordSetter, isValidLogin, type Config } from '@god/core';
import { silentLogger } from '@god/coord';
import { createStore, type User } from '@god/store';
import { createAuthPlugin, makeApiKey } from '@god/web';
import { usage } from '../errors.js';
import type { ExitCode, Output } from '../output.js';

/** The flags of `god bootstrap-admin`. */
export interface BootstrapOptions {
  uid?: number;
  gid?: number;
  allowRootUid?: boolean;
  /** A password for the local auth plugin, when asked for. */
  password?: string;
}

/** Creates or promotes `login` and prints a fresh API key for it. */
export async function bootstrapAdmin(
  config: Config,
  typed: string,
  opts: BootstrapOptions,
  local: { uid: number; gid: number; hostname: string },
  io: Output,
  now: number,
): Promise<ExitCode> {
  if (!isValidLogin(typed)) throw usage(`"${typed}" is not a valid login name`);
  const store = await createStore(config.store);
  try {
    // Logins are case-insensitive: an existing user keeps the spelling they were created with.
    const existing = await store.findUser(typed);
    const login = existing?.id ?? typed;
    // An existing account keeps its ids unless told otherwise: its files are owned by them.
    const uid = opts.uid ?? existing?.uid ?? local.uid;
    const gid = opts.gid ?? existing?.gid ?? local.gid;
    if (uid === 0 && opts.allowRootUid !== true)
      throw usage(
        `${login} would get uid 0: their jobs would run as root; give --uid N --gid N (or --allow-root-uid)`,
      );
    const user: User = {
      ...(existing ?? {
        sgids: [],
        home: '',
        email: '',
        priority: 50,
        quota: null,
        passwordHash: null,
        createdAt: now,
      }),
      id: login,
      uid,
      gid,
      admin: true,
    };
    if (opts.password !== undefined) {
      const plugin = createAuthPlugin(config, store, silentLogger);
      if (!isPasswordSetter(plugin))
        throw usage(
          `the ${plugin.name} auth plugin keeps no passwords: leave out --password-stdin`,
        );
      user.passwordHash = await plugin.hashPassword(opts.password);
    }
    await store.putUser(user);
    const made = makeApiKey(login, `bootstrap@${local.hostname}`, now);
    await store.putApiKey(made.record);
    io.out(made.key);
    io.err(
      `${existing === null ? 'created' : 'updated'} administrator ${login} (uid ${uid}, gid ${gid}) in the ${store.kind} store; ` +
        'the API key above is shown only now: god login --server URL --api-key KEY',
    );
    return 0;
  } finally {
    await store.close();
  }
}
