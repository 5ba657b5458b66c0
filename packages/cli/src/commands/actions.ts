/**
 * Actions on jobs: kill, suspend, resume, reschedule (queued for the watchers), hold, release,
 * archive, update. Each id gets its own line, so one bad id does not hide what happened to the
 * others; the exit status is 1 when any failed.
 */
import type { Command } from 'commander';
import { ApiError, type GodClient } from '@god/client';
import { describeApiError, usage } from '../errors.js';
import { jobId } from '../format.js';
import { collect, type Kit } from '../kit.js';
import type { ExitCode } from '../output.js';

type Control = 'kill' | 'suspend' | 'resume' | 'reschedule';

const CONTROLS: ReadonlyArray<[Control, string, string]> = [
  ['kill', 'kill jobs (pending, held or running)', 'kill requested'],
  ['suspend', 'suspend (pause) running jobs', 'suspend requested'],
  ['resume', 'resume suspended jobs', 'resume requested'],
  ['reschedule', 'stop running jobs and queue them again', 'reschedule requested'],
];

interface UpdateOptions {
  name?: string;
  description?: string;
  tag: string[];
  maxlifespan?: string;
  json?: boolean;
}

/** Registers the job actions. */
export function registerActions(program: Command, kit: Kit): void {
  for (const [action, description, done] of CONTROLS)
    program
      .command(`${action} <ids...>`)
      .description(description)
      .option('--reason <text>', 'why (kept with the job)')
      .action(
        kit.action((ids: string[], opts: { reason?: string }) =>
          each(kit, ids, async (c, id) => {
            await c.control(id, action, opts.reason);
            return done;
          }),
        ),
      );
  const simple = (
    name: string,
    description: string,
    run: (c: GodClient, id: number) => Promise<string>,
  ) =>
    program
      .command(`${name} <ids...>`)
      .description(description)
      .action(kit.action((ids: string[]) => each(kit, ids, run)));
  simple(
    'hold',
    'hold pending jobs: the scheduler skips them until released',
    async (c, id) => (await c.hold(id)).state,
  );
  simple(
    'release',
    'release held jobs',
    async (c, id) => `${(await c.release(id)).state} (released)`,
  );
  simple(
    'archive',
    'archive finished jobs now (their task directories are removed)',
    async (c, id) => {
      await c.archive(id);
      return 'archive requested';
    },
  );
  program
    .command('update <id>')
    .description('change the name, description, tags or max lifespan of an active job')
    .option('--name <name>', 'new name')
    .option('--description <text>', 'new description')
    .option('--tag <tag>', 'the new tags, replacing the old ones (repeatable)', collect, [])
    .option('--maxlifespan <duration>', 'new max lifespan, e.g. 2h (administrators)')
    .option('--json', 'the updated job as the API answered it')
    .action(kit.action((id: string, opts: UpdateOptions) => update(kit, jobId(id), opts)));
}

/** Runs `run` on each id, one line per id; stops early when the server cannot be used at all. */
async function each(
  kit: Kit,
  ids: readonly string[],
  run: (client: GodClient, id: number) => Promise<string>,
): Promise<ExitCode> {
  const parsed = ids.map((raw) => ({ raw, id: /^\d+$/.test(raw) ? Number(raw) : null }));
  const bad = parsed.filter((p) => p.id === null || p.id < 1).map((p) => p.raw);
  if (bad.length > 0) throw usage(`not job ids: ${bad.join(', ')}`);
  const { client } = await kit.remote();
  let failed = false;
  for (const { id } of parsed) {
    try {
      kit.ctx.io.out(`job ${id}: ${await run(client, id!)}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // Unreachable or not logged in: every other id would fail the same way.
      if (err.status === 0 || err.status === 401) throw err;
      // The server's 404 already names the job.
      kit.ctx.io.err(
        `god: ${err.status === 404 ? err.message : `job ${id}: ${describeApiError(err)}`}`,
      );
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

async function update(kit: Kit, id: number, opts: UpdateOptions): Promise<ExitCode> {
  const fields = {
    ...(opts.name !== undefined && { name: opts.name }),
    ...(opts.description !== undefined && { description: opts.description }),
    ...(opts.tag.length > 0 && { tags: opts.tag }),
    ...(opts.maxlifespan !== undefined && { maxlifespan: opts.maxlifespan }),
  };
  if (Object.keys(fields).length === 0)
    throw usage('nothing to change: give --name, --description, --tag or --maxlifespan');
  const job = await (await kit.remote()).client.update(id, fields);
  if (opts.json === true) kit.json(job);
  else
    kit.ctx.io.out(
      `job ${id} updated: name ${job.meta.name}, tags ${job.meta.tags.join(',') || '-'}, max lifespan ${job.requirements.maxlifespan} s`,
    );
  return 0;
}
