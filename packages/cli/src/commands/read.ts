/** `god list`, `god show`, `god why`: jobs as a table, one job in detail, why one waits. */
import type { Command } from 'commander';
import type { JobQuery } from '@god/client';
import { JOB_STATES, type Job, type JobState } from '@god/core';
import { usage } from '../errors.js';
import { ram, intOption, jobId, nameOf, stateOf, table, time } from '../format.js';
import { collectList, type Kit } from '../kit.js';
import type { ExitCode } from '../output.js';
import { visible } from '../visible.js';

/** States of jobs still alive: what `god list` shows without --all or --state. */
const ACTIVE: JobState[] = ['pending', 'held', 'scheduled', 'running', 'suspended'];

interface ListOptions {
  state: string[];
  all?: boolean;
  user?: string;
  project?: string;
  tag?: string;
  name?: string;
  parent?: string;
  limit: string;
  json?: boolean;
}

/** Registers list, show and why. */
export function registerRead(program: Command, kit: Kit): void {
  program
    .command('list')
    .alias('ls')
    .description('list jobs, oldest first (active ones unless --all or --state)')
    .option('--state <states>', `only these states (${JOB_STATES.join(',')})`, collectList, [])
    .option('-a, --all', 'finished jobs too')
    .option('--user <login>', "another user's jobs (administrators)")
    .option('--project <project>', "a project's jobs")
    .option('--tag <tag>', 'jobs with this tag')
    .option('--name <name>', 'jobs with this name')
    .option('--parent <id>', 'the tasks of this array')
    .option('--limit <n>', 'at most this many jobs', '1000')
    .option('--json', 'the jobs as the API answered them (a JSON list)')
    .action(kit.action((opts: ListOptions) => list(kit, opts)));
  program
    .command('show <id>')
    .description('one job in detail')
    .option('--json', 'the job as the API answered it')
    .action(
      kit.action(async (id: string, opts: { json?: boolean }) => {
        const job = await (await kit.remote()).client.getJob(jobId(id));
        if (opts.json === true) kit.json(job);
        else for (const line of describeJob(job)) kit.ctx.io.out(line);
        return 0;
      }),
    );
  program
    .command('why <id>')
    .description('why a job is not running yet (or how it ended)')
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (id: string, opts: { json?: boolean }) => {
        const why = await (await kit.remote()).client.why(jobId(id));
        if (opts.json === true) kit.json(why);
        else
          kit.ctx.io.out(
            `job ${why.jobId} is ${why.state}${why.code === null ? '' : ` (${why.code})`}: ${why.message}`,
          );
        return 0;
      }),
    );
}

async function list(kit: Kit, opts: ListOptions): Promise<ExitCode> {
  const limit = intOption('--limit', opts.limit);
  if (limit < 1) throw usage('--limit: must be at least 1');
  const bad = opts.state.filter((s) => !(JOB_STATES as readonly string[]).includes(s));
  if (bad.length > 0)
    throw usage(`--state: unknown state ${bad.join(', ')} (${JOB_STATES.join(', ')})`);
  const states = opts.state as JobState[];
  const query: JobQuery = {
    ...(states.length > 0 ? { state: states } : opts.all === true ? {} : { state: ACTIVE }),
    ...(opts.user !== undefined && { user: opts.user }),
    ...(opts.project !== undefined && { project: opts.project }),
    ...(opts.tag !== undefined && { tag: opts.tag }),
    ...(opts.name !== undefined && { name: opts.name }),
    ...(opts.parent !== undefined && { parent: jobId(opts.parent) }),
    limit: Math.min(limit, 1000),
  };
  const { client } = await kit.remote();
  const jobs: Job[] = [];
  let more = false;
  for await (const job of client.allJobs(query)) {
    if (jobs.length >= limit) {
      more = true;
      break;
    }
    jobs.push(job);
  }
  if (more) kit.ctx.io.err(`god: only the first ${limit} jobs are shown (--limit N for more)`);
  if (opts.json === true) {
    kit.json(jobs);
    return 0;
  }
  const rows = jobs.map((j) => [
    String(j.id),
    nameOf(j),
    stateOf(j),
    j.user.id,
    j.user.project,
    String(j.requirements.cpu),
    ram(j.requirements.ram),
    time(j.status.dates.submitted),
    time(j.status.dates.ended),
  ]);
  const headers = ['ID', 'NAME', 'STATE', 'USER', 'PROJECT', 'CPU', 'RAM', 'SUBMITTED', 'ENDED'];
  for (const line of table(headers, rows)) kit.ctx.io.out(line);
  if (jobs.length === 0)
    kit.ctx.io.err(opts.all === true ? 'no jobs' : 'no active jobs (--all for finished ones)');
  return 0;
}

/** The lines of `god show`. */
export function describeJob(job: Job): string[] {
  const r = job.requirements;
  const s = job.status;
  const arr = r.array === null ? '' : `, array ${r.array.spec} (${r.array.count} tasks)`;
  const rows: Array<[string, string | null]> = [
    ['job', `${job.id} ${nameOf(job)}${job.parent === null ? '' : ` (task of ${job.parent})`}`],
    [
      'owner',
      `${job.user.id} (uid ${job.user.uid}, gid ${job.user.gid}), project ${job.user.project}`,
    ],
    ['state', `${stateOf(job)}${s.reason === '' ? '' : ` - ${s.reason}`}`],
    [
      'why',
      job.why === null || job.outcome !== null ? null : `${job.why.code}: ${job.why.message}`,
    ],
    ['description', job.meta.description === '' ? null : job.meta.description],
    ['tags', job.meta.tags.length === 0 ? null : job.meta.tags.join(', ')],
    ['image', `${job.container.image}${job.container.root ? ' (as root)' : ''}`],
    ['requires', `${r.cpu} cpu, ${ram(r.ram)} ram, ${r.gpus} gpus${arr}`],
    ['after', r.tasks.length === 0 ? null : r.tasks.map((t) => `${t.kind}:${t.id}`).join(', ')],
    ['volumes', job.container.volumes.map((v) => `${v.name}:${v.acl}`).join(', ') || null],
    ['max lifespan', r.maxlifespan === 0 ? null : `${r.maxlifespan} s`],
    [
      'placement',
      job.placement === null
        ? null
        : `${job.placement.host}/${job.placement.shard} cpus ${job.placement.cpus}`,
    ],
    ['submitted', time(s.dates.submitted)],
    ['started', s.dates.started === null ? null : time(s.dates.started)],
    ['ended', s.dates.ended === null ? null : time(s.dates.ended)],
    ['attempts', job.attempts > 1 ? String(job.attempts) : null],
    [
      'usage',
      job.usage === null
        ? null
        : `${job.usage.cpuSeconds.toFixed(1)} cpu·s, ${job.usage.wallSeconds.toFixed(1)} s wall`,
    ],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== null);
  const width = Math.max(...shown.map(([k]) => k.length));
  // Values are data: one line each, control characters shown as escapes.
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${visible(v)}`);
}
