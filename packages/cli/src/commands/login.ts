/**
 * `god login`, `god logout`, `god whoami`. A password login is exchanged at once for a
 * long-lived API key named `cli@<host>`, so the password is never stored and the key can be
 * revoked on its own; the key is written to the credentials file and not printed.
 */
import type { Command } from 'commander';
import { ApiError, GodClient } from '@god/client';
import {
  credentialsPath,
  keyIdOf,
  readCredentials,
  removeCredentials,
  writeCredentials,
  type Credentials,
} from '../credentials.js';
import { describeApiError, usage } from '../errors.js';
import type { Kit } from '../kit.js';
import type { ExitCode } from '../output.js';
import { DEFAULT_SERVER, normalise } from '../remote.js';

interface LoginOptions {
  server?: string;
  user?: string;
  apiKey?: string;
  passwordStdin?: boolean;
}

/** Registers login, logout and whoami. */
export function registerLogin(program: Command, kit: Kit): void {
  program
    .command('login')
    .description(
      'log in and store an API key in $XDG_CONFIG_HOME/god/credentials.json (mode 0600); ' +
        'asks for the password on a terminal',
    )
    .option(
      '--server <url>',
      `the god server (default: $GOD_SERVER, the last login, ${DEFAULT_SERVER})`,
    )
    .option('--user <name>', 'login name (default: the last login, else the local user)')
    .option('--api-key <key>', 'store this API key instead of logging in with a password')
    .option('--password-stdin', 'read the password from standard input')
    .addHelpText(
      'after',
      '\nThe password is exchanged at once for an API key named cli@<host>, which is stored; the\n' +
        'password is not. GOD_SERVER and GOD_API_KEY, when set, override what is stored.',
    )
    .action(kit.action((opts: LoginOptions) => login(kit, opts)));
  program
    .command('logout')
    .description(
      'revoke the stored API key on the server (best effort) and remove the credentials file',
    )
    .action(kit.action(() => logout(kit)));
  program
    .command('whoami')
    .description('who the server takes you for')
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (opts: { json?: boolean }) => {
        const { client, server } = await kit.remote();
        const me = await client.me();
        if (opts.json === true) kit.json(me);
        else
          kit.ctx.io.out(
            `${me.id} (uid ${me.uid}, gid ${me.gid}${me.admin ? ', administrator' : ''}) on ${server} via ${me.via}`,
          );
        return 0;
      }),
    );
}

async function login(kit: Kit, opts: LoginOptions): Promise<ExitCode> {
  const { ctx } = kit;
  if (opts.apiKey !== undefined && opts.passwordStdin === true)
    throw usage('--api-key and --password-stdin exclude each other');
  const path = credentialsPath(ctx.env, ctx.home);
  // No readable earlier credentials is the usual case (first login): nothing to revoke then.
  const previous = await readCredentials(path, { insecureOk: true }).catch(() => null);
  const server = normalise(
    opts.server ?? nonEmpty(ctx.env['GOD_SERVER']) ?? previous?.server ?? DEFAULT_SERVER,
  );
  const base = new GodClient({ server });
  let creds: Credentials;
  if (opts.apiKey !== undefined) {
    const me = await base.withCredential(opts.apiKey).me();
    if (opts.user !== undefined && opts.user !== me.id)
      throw usage(`this API key belongs to ${me.id}, not ${opts.user}`);
    creds = { server, user: me.id, key: opts.apiKey };
  } else {
    const sameServer = previous !== null && normalise(previous.server) === server;
    const user = opts.user ?? (sameServer ? previous.user : ctx.user.id);
    const password = await passwordOf(kit, opts, `Password for ${user} at ${server}: `);
    const { token } = await base.login(user, password);
    const made = await base.withCredential(token).createKey(`cli@${ctx.hostname}`);
    creds = { server, user: made.user, key: made.key };
  }
  try {
    await writeCredentials(path, creds);
  } catch (err) {
    // Best effort: the key was never stored, and the write's own error is what the user sees.
    if (opts.apiKey === undefined) await revoke(creds).catch(() => undefined);
    throw err;
  }
  // The key the last login made is no longer kept anywhere: nobody should hold it.
  if (previous !== null && previous.key !== creds.key)
    await revoke(previous).catch(() => undefined);
  ctx.io.out(`logged in to ${server} as ${creds.user}; API key stored in ${path}`);
  return 0;
}

async function passwordOf(kit: Kit, opts: LoginOptions, prompt: string): Promise<string> {
  const { ctx } = kit;
  if (opts.passwordStdin === true) return kit.passwordFromStdin();
  if (!ctx.isTTY.stdin)
    throw usage('no terminal to ask for the password: use --password-stdin or --api-key');
  const password = await ctx.promptSecret(prompt);
  if (password === '') throw usage('the password is empty');
  return password;
}

async function logout(kit: Kit): Promise<ExitCode> {
  const { io } = kit.ctx;
  const path = credentialsPath(kit.ctx.env, kit.ctx.home);
  const creds = await readCredentials(path, { insecureOk: true });
  if (creds === null) {
    io.out('not logged in');
    return 0;
  }
  let note = '';
  try {
    await revoke(creds);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // 401/404: the key was already revoked (or expired); anything else, the user must know.
    if (err.status !== 401 && err.status !== 404) {
      io.err(`god: the API key was not revoked: ${describeApiError(err)}`);
      note = ' (the key was not revoked on the server)';
    }
  }
  await removeCredentials(path);
  io.out(`logged out of ${creds.server}${note}`);
  return 0;
}

/** Revokes the key of `creds` with that key itself. */
async function revoke(creds: Credentials): Promise<void> {
  const id = keyIdOf(creds.key);
  if (id === null) return;
  await new GodClient({ server: creds.server, credential: creds.key, timeoutMs: 10_000 }).revokeKey(
    id,
  );
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
