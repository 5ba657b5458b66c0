/**
 * Store benchmark: inserts N jobs (default 100,000) in batches through `insertJobs`, then runs
 * every job through pending -> scheduled -> running -> over (success), one `transition` each,
 * on SQLite (temp dir) and on MongoDB (a FerretDB started for the run). Prints ops/s per phase
 * and replaces its section of docs/benchmarks.md. Build first (`npm run build`): it loads
 * @god/store from dist. A transition phase stops taking new jobs after `--budget` seconds (the
 * next phase then runs the jobs that made it), because FerretDB v1.24 scans its collection for
 * every update and delete (its SQLite backend never uses the `_id` index, see
 * packages/store/src/mongo-keys.ts) and cannot take 100,000 jobs through in reasonable time.
 * $GOD_FERRETDB names another FerretDB binary to run against.
 *
 *   npm run bench:store -- [--jobs N] [--batch N] [--concurrency N] [--budget S]
 *                          [--only sqlite|mongodb]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobState, NewJob, TransitionPatch } from '@god/core';
import { createMongoStore, createSqliteStore, type Store } from '@god/store';
import { ferretdbBinary, startFerretDB } from '../services/ferretdb.js';

interface Phase {
  name: string;
  /** Operations done, and how many were asked for (fewer when the budget ran out). */
  ops: number;
  planned: number;
  ms: number;
}

interface Options {
  jobs: number;
  batch: number;
  concurrency: number;
  budgetMs: number;
}

interface AdapterRun {
  adapter: string;
  server: string;
  concurrency: number;
  phases: Phase[];
}

const USAGE = {
  cpuSeconds: 60,
  ramGBSeconds: 60,
  gpuSeconds: 0,
  wallSeconds: 60,
  maxRamBytes: 1e8,
};
const STEPS: Array<[JobState, JobState, TransitionPatch]> = [
  [
    'pending',
    'scheduled',
    {
      placement: { host: 'h1', shard: 'h1/0', cpus: '0', mems: '0', gpus: [], ports: [] },
      epoch: 1,
    },
  ],
  ['scheduled', 'running', {}],
  ['running', 'over', { outcome: 'success', exitcode: 0, usage: USAGE }],
];

function makeJob(i: number): NewJob {
  return {
    state: 'pending',
    user: { id: `user${i % 50}`, uid: 10_000 + (i % 50), gid: 100, sgids: [], project: 'default' },
    meta: { name: `bench-${i}`, description: '', tags: i % 10 === 0 ? ['tenth'] : [] },
    requirements: {
      cpu: 1 + (i % 4),
      ram: 2 * 2 ** 30,
      gpus: 0,
      array: null,
      label: [],
      tasks: [],
      ports: [],
      tmpstorage: null,
      maxlifespan: 3600,
      executor: null,
      group: null,
    },
    container: { image: 'god-test/busybox:latest', volumes: [], root: false },
    command: { cmd: `#!/bin/sh\necho job ${i}\nsleep 1\n`, interactive: false },
    env: { BENCH: '1' },
    parent: null,
    taskId: null,
    why: { code: 'NEW', message: 'waiting for the scheduler' },
  };
}

/**
 * Runs `task(0..n-1)` with at most `concurrency` calls in flight, starting no new call after
 * `deadline` (performance.now() ms). Returns how many calls ran.
 */
async function pool(
  n: number,
  concurrency: number,
  deadline: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n && performance.now() < deadline) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return Math.min(next, n);
}

async function timed(name: string, planned: number, work: () => Promise<number>): Promise<Phase> {
  const start = performance.now();
  const ops = await work();
  const phase = { name, ops, planned, ms: performance.now() - start };
  const part =
    ops < planned
      ? `, ${ops.toLocaleString('en-US')} of ${planned.toLocaleString('en-US')} jobs`
      : '';
  console.log(
    `  ${name.padEnd(22)} ${rate(phase).padStart(12)} ops/s  (${seconds(phase.ms)}${part})`,
  );
  return phase;
}

async function run(store: Store, o: Options): Promise<Phase[]> {
  let ids: number[] = [];
  const batches = Math.ceil(o.jobs / o.batch);
  const phases = [
    await timed('insert', o.jobs, async () => {
      await pool(batches, 1, Infinity, async (b) => {
        const size = Math.min(o.batch, o.jobs - b * o.batch);
        const made = await store.insertJobs(
          Array.from({ length: size }, (_, k) => makeJob(b * o.batch + k)),
        );
        for (const job of made) ids.push(job.id);
      });
      return ids.length;
    }),
  ];
  for (const [from, to, patch] of STEPS) {
    const moved: number[] = [];
    const todo = ids;
    phases.push(
      await timed(`${from} -> ${to}`, o.jobs, () =>
        pool(todo.length, o.concurrency, performance.now() + o.budgetMs, async (i) => {
          const id = todo[i] ?? 0;
          const r = await store.transition(id, from, to, patch);
          if (!r.ok) throw new Error(`job ${id}: ${from} -> ${to} failed (${r.actual})`);
          moved.push(id);
        }),
      ),
    );
    ids = moved.sort((a, b) => a - b);
  }
  return phases;
}

function rate(p: Pick<Phase, 'ops' | 'ms'>): string {
  const perSecond = p.ops / (p.ms / 1000);
  // FerretDB's transitions are a few per second or less: keep their digits.
  if (perSecond < 10) return perSecond.toFixed(2);
  return Math.round(perSecond).toLocaleString('en-US');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function machine(): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  const ram = (totalmem() / 2 ** 30).toFixed(1);
  return `${model ?? 'unknown CPU'} (${cpus().length} cores), ${ram} GiB RAM, Node ${process.version}, Linux ${release()}`;
}

function section(runs: AdapterRun[], jobs: number, batch: number, budget: number): string {
  const header = [
    'adapter',
    'server',
    'in flight',
    ...(runs[0]?.phases.map((p) => p.name) ?? []),
    'total',
  ];
  const rows = runs.map((r) => {
    const ops = r.phases.reduce((a, p) => a + p.ops, 0);
    const ms = r.phases.reduce((a, p) => a + p.ms, 0);
    const cells = r.phases.map((p) =>
      p.ops < p.planned
        ? `${rate(p)}/s (${p.ops.toLocaleString('en-US')} of ${p.planned.toLocaleString('en-US')} jobs in ${seconds(p.ms)})`
        : `${rate(p)}/s (${seconds(p.ms)})`,
    );
    const total = `${rate({ ops, ms })}/s (${ops.toLocaleString('en-US')} ops, ${seconds(ms)})`;
    return [r.adapter, r.server, String(r.concurrency), ...cells, total];
  });
  return [
    '<!-- bench:store:begin -->',
    `## Store: ${jobs.toLocaleString('en-US')} jobs, pending → scheduled → running → over`,
    '',
    `Run ${new Date().toISOString()} on ${machine()}, by \`npm run bench:store\`.`,
    `Inserts: \`insertJobs\` in batches of ${batch.toLocaleString('en-US')}. Transitions: one \`transition\` per job and edge; "in flight" is how many calls run at once. A transition phase stops taking new jobs after ${budget} s; the next phase runs the jobs that made it.`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '<!-- bench:store:end -->',
  ].join('\n');
}

function writeDoc(text: string): void {
  const path = join(import.meta.dirname, '../../docs/benchmarks.md');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const at = /<!-- bench:store:begin -->[\s\S]*?<!-- bench:store:end -->/;
  const next = at.test(old) ? old.replace(at, text) : `${old.trimEnd()}\n\n${text}\n`;
  writeFileSync(path, next);
  console.log(`wrote ${path}`);
}

function parseOptions(): Options & { only: string | undefined } {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '100000' },
      batch: { type: 'string', default: '1000' },
      // FerretDB v1 is CPU-bound on collection scans: more calls in flight only add lock waits.
      concurrency: { type: 'string', default: '1' },
      budget: { type: 'string', default: '180' },
      only: { type: 'string' },
    },
  });
  return {
    jobs: Number(values.jobs),
    batch: Number(values.batch),
    concurrency: Number(values.concurrency),
    budgetMs: Number(values.budget) * 1000,
    only: values.only,
  };
}

async function benchSqlite(o: Options): Promise<AdapterRun> {
  const dir = mkdtempSync(join(tmpdir(), 'god-bench-'));
  console.log(`sqlite (${dir})`);
  const store = createSqliteStore({ path: join(dir, 'god.db') });
  try {
    // better-sqlite3 is synchronous: more calls in flight would still run one by one.
    const phases = await run(store, { ...o, concurrency: 1 });
    return { adapter: 'sqlite', server: 'SQLite, WAL, synchronous=NORMAL', concurrency: 1, phases };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchMongo(o: Options): Promise<AdapterRun> {
  const out = execFileSync(ferretdbBinary(), ['--version'], { encoding: 'utf8' });
  const server = `FerretDB ${/version:\s*(\S+)/.exec(out)?.[1] ?? '?'} (SQLite backend)`;
  const ferret = await startFerretDB();
  console.log(`mongodb (${server} at ${ferret.url})`);
  try {
    const store = await createMongoStore({ url: ferret.url, db: 'bench' });
    try {
      const phases = await run(store, o);
      return { adapter: 'mongodb', server, concurrency: o.concurrency, phases };
    } finally {
      await store.close();
    }
  } finally {
    await ferret.stop();
  }
}

async function main(): Promise<void> {
  const o = parseOptions();
  const runs: AdapterRun[] = [];
  if (o.only !== 'mongodb') runs.push(await benchSqlite(o));
  if (o.only !== 'sqlite') runs.push(await benchMongo(o));
  writeDoc(section(runs, o.jobs, o.batch, o.budgetMs / 1000));
}

await main();
