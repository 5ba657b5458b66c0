/** `god users list|show|add|set|remove`: accounts of the local auth plugin (administrators). */
import type { Command } from 'commander';
import { usage } from '../errors.js';
import { intOption, table, text, time } from '../format.js';
import type { Kit } from '../kit.js';
import type { ExitCode } from '../output.js';
import {
  describeQuota,
  editable,
  quotaFlags,
  quotaOf,
  type QuotaFields,
  type QuotaOptions,
} from './account-options.js';

interface UserOptions extends QuotaOptions {
  uid?: string;
  gid?: string;
  sgids?: string;
  home?: string;
  email?: string;
  admin?: boolean;
  priority?: string;
  passwordStdin?: boolean;
}

/** Registers `god users`. */
export function registerUsers(program: Command, kit: Kit): void {
  const users = program.command('users').description('manage users (administrators)');
  users
    .command('list')
    .description('every user')
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (opts: { json?: boolean }) => {
        const answer = await (await kit.remote()).client.users();
        if (opts.json === true) kit.json(answer);
        else
          for (const line of userTable(answer.users as Array<Record<string, unknown>>))
            kit.ctx.io.out(line);
        return 0;
      }),
    );
  users
    .command('show <login>')
    .description('one user')
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (login: string, opts: { json?: boolean }) => {
        const u = await (await kit.remote()).client.user(login);
        if (opts.json === true) kit.json(u);
        else for (const line of describeUser(u)) kit.ctx.io.out(line);
        return 0;
      }),
    );
  registerUserChanges(users, kit);
}

/** add, set and remove. */
function registerUserChanges(users: Command, kit: Kit): void {
  const fields = (cmd: Command, adding: boolean): Command =>
    quotaFlags(
      cmd
        .option('--sgids <gids>', 'supplementary group ids, comma separated')
        .option('--home <dir>', 'home directory (absolute)')
        .option('--email <address>', 'e-mail address')
        .option('--priority <n>', 'priority 0-100 for fair share (default 50)')
        .option(
          '--password-stdin',
          'read a password for the local auth plugin from standard input',
        ),
      !adding,
    );
  fields(
    users
      .command('add <login>')
      .description('create a user')
      .requiredOption('--uid <uid>', 'uid the jobs run as')
      .requiredOption('--gid <gid>', 'primary gid the jobs run as')
      .option('--admin', 'an administrator'),
    true,
  )
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action((login: string, opts: UserOptions & { json?: boolean }) =>
        addUser(kit, login, opts),
      ),
    );
  fields(
    users
      .command('set <login>')
      .description('change a user: only the fields given')
      .option('--uid <uid>', 'uid the jobs run as')
      .option('--gid <gid>', 'primary gid')
      .option('--admin', 'make an administrator')
      .option('--no-admin', 'no longer an administrator'),
    false,
  )
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action((login: string, opts: UserOptions & { json?: boolean }) =>
        setUser(kit, login, opts),
      ),
    );
  users
    .command('remove <login>')
    .description('delete a user and revoke their API keys (their jobs stay)')
    .action(
      kit.action(async (login: string) => {
        await (await kit.remote()).client.deleteUser(login);
        kit.ctx.io.out(`user ${login} removed`);
        return 0;
      }),
    );
}

async function userFields(
  kit: Kit,
  opts: UserOptions,
  current: QuotaFields | null,
): Promise<Record<string, unknown>> {
  const quota = quotaOf(opts, current);
  const password = opts.passwordStdin === true ? await kit.passwordFromStdin() : undefined;
  return {
    ...(opts.uid !== undefined && { uid: intOption('--uid', opts.uid) }),
    ...(opts.gid !== undefined && { gid: intOption('--gid', opts.gid) }),
    ...(opts.sgids !== undefined && { sgids: gidList(opts.sgids) }),
    ...(opts.home !== undefined && { home: opts.home }),
    ...(opts.email !== undefined && { email: opts.email }),
    ...(opts.admin !== undefined && { admin: opts.admin }),
    ...(opts.priority !== undefined && { priority: intOption('--priority', opts.priority) }),
    ...(quota !== undefined && { quota }),
    ...(password !== undefined && { password }),
  };
}

async function addUser(
  kit: Kit,
  login: string,
  opts: UserOptions & { json?: boolean },
): Promise<ExitCode> {
  const created = await (
    await kit.remote()
  ).client.createUser({ id: login, ...(await userFields(kit, opts, null)) });
  if (opts.json === true) kit.json(created);
  else
    kit.ctx.io.out(
      `user ${login} created (uid ${String(created['uid'])}, gid ${String(created['gid'])})`,
    );
  return 0;
}

async function setUser(
  kit: Kit,
  login: string,
  opts: UserOptions & { json?: boolean },
): Promise<ExitCode> {
  const { client } = await kit.remote();
  const current = await client.user(login);
  const fields = await userFields(kit, opts, (current['quota'] ?? null) as QuotaFields | null);
  if (Object.keys(fields).length === 0) throw usage('nothing to change');
  const updated = await client.updateUser(login, { ...editable(current, USER_FIELDS), ...fields });
  if (opts.json === true) kit.json(updated);
  else kit.ctx.io.out(`user ${login} updated: ${Object.keys(fields).join(', ')}`);
  return 0;
}

/** What `users set` may change: sent whole (see `editable`). */
const USER_FIELDS = ['uid', 'gid', 'sgids', 'home', 'email', 'admin', 'priority', 'quota'];

function gidList(value: string): number[] {
  return value
    .split(',')
    .filter((v) => v.trim() !== '')
    .map((v) => intOption('--sgids', v));
}

function userTable(users: ReadonlyArray<Record<string, unknown>>): string[] {
  const rows = users.map((u) => [
    String(u['id']),
    String(u['uid']),
    String(u['gid']),
    Array.isArray(u['sgids']) ? u['sgids'].join(',') || '-' : '-',
    u['admin'] === true ? 'yes' : '',
    String(u['priority']),
    u['hasPassword'] === true ? 'yes' : '',
    text(u['email']),
  ]);
  return table(['LOGIN', 'UID', 'GID', 'SGIDS', 'ADMIN', 'PRIORITY', 'PASSWORD', 'EMAIL'], rows);
}

function describeUser(u: Record<string, unknown>): string[] {
  return [
    `login:     ${String(u['id'])}${u['admin'] === true ? ' (administrator)' : ''}`,
    `uid/gid:   ${String(u['uid'])}/${String(u['gid'])}${Array.isArray(u['sgids']) && u['sgids'].length > 0 ? `, groups ${u['sgids'].join(',')}` : ''}`,
    `home:      ${text(u['home'])}`,
    `email:     ${text(u['email'])}`,
    `priority:  ${String(u['priority'])}`,
    `quota:     ${describeQuota(u['quota'])}`,
    `password:  ${u['hasPassword'] === true ? 'set' : 'none'}`,
    `created:   ${time(typeof u['createdAt'] === 'number' ? u['createdAt'] : null)}`,
  ];
}
