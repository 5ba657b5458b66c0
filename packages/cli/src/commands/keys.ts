/** `god keys create|list|revoke`: API keys, for scripts and other machines. */
import type { Command } from 'commander';
import { intOption, table, time } from '../format.js';
import type { Kit } from '../kit.js';
import type { ExitCode } from '../output.js';

interface CreateOptions {
  name: string;
  user?: string;
  ttlDays?: string;
  json?: boolean;
}

/** Registers `god keys`. */
export function registerKeys(program: Command, kit: Kit): void {
  const keys = program.command('keys').description('API keys (for scripts and other machines)');
  keys
    .command('create')
    .description('create an API key and print it: it is shown only this once')
    .option('--name <name>', 'what it is for', 'key')
    .option('--user <login>', 'for another user (administrators)')
    .option('--ttl-days <n>', 'expire after this many days (default: never)')
    .option('--json', 'the API answer as JSON (it holds the key)')
    .action(kit.action((opts: CreateOptions) => createKey(kit, opts)));
  keys
    .command('list')
    .description('your API keys (without their secrets)')
    .option('--user <login>', "another user's keys (administrators)")
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (opts: { user?: string; json?: boolean }) => {
        const answer = await (await kit.remote()).client.listKeys(opts.user);
        if (opts.json === true) kit.json(answer);
        else {
          const rows = answer.keys.map((k) => [
            k.id,
            k.name,
            k.user,
            time(k.createdAt),
            time(k.expiresAt),
          ]);
          for (const line of table(['ID', 'NAME', 'USER', 'CREATED', 'EXPIRES'], rows))
            kit.ctx.io.out(line);
        }
        return 0;
      }),
    );
  keys
    .command('revoke <id>')
    .description('revoke an API key (its id, as god keys list shows it)')
    .action(
      kit.action(async (id: string) => {
        await (await kit.remote()).client.revokeKey(id);
        kit.ctx.io.out(`key ${id} revoked`);
        return 0;
      }),
    );
}

async function createKey(kit: Kit, opts: CreateOptions): Promise<ExitCode> {
  const made = await (
    await kit.remote()
  ).client.createKey(opts.name, {
    ...(opts.user !== undefined && { user: opts.user }),
    ...(opts.ttlDays !== undefined && { ttlDays: intOption('--ttl-days', opts.ttlDays) }),
  });
  if (opts.json === true) {
    kit.json(made);
    return 0;
  }
  // The key alone on stdout, so that KEY=$(god keys create) works; the rest is for people.
  kit.ctx.io.out(made.key);
  const expiry = made.expiresAt === null ? 'never expires' : `expires ${time(made.expiresAt)}`;
  kit.ctx.io.err(
    `key ${made.id} (${made.name}) for ${made.user}, ${expiry}: keep it secret, it is not shown again`,
  );
  return 0;
}
