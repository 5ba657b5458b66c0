/**
 * API benchmark: bulk submission through one web process (a child process, over HTTP with an
 * API key, the way the CLI and DRMAA submit), against the same submissions done directly with
 * `submitJobs` in this process on another copy of the same kind of store (validation, grants,
 * rate-limit counters, insert, wake-up: everything but HTTP and authentication). Also the time
 * for the API to accept a 1,000,000-task array (one record; tasks are made lazily later).
 * Prints the figures and replaces the `## API` section of docs/benchmarks.md.
 *
 *   npm run bench:api -- [--jobs 100000] [--bulk 1000] [--concurrency 4] [--arrays 10]
 */
import { fork } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GodClient } from '@god/client';
import { resolveConfig, type JobSubmissionInput } from '@god/core';
import { createCounters, createEventPublisher, createKeys, createRedisFromUrl } from '@god/coord';
import { submitJobs } from '@god/jobs';
import { createSqliteStore } from '@god/store';
import { makeApiKey } from '@god/web';
import { tempDir } from '../services/common.js';
import { startRedis } from '../services/redis.js';
import { machine, writeBenchSection } from './report.js';

const BAR = { jobsPerSecond: 5_000, arrayMs: 1_000 };
const USER = { id: 'bench', uid: 4242, gid: 4242, sgids: [], home: null };

const job = (i: number): JobSubmissionInput => ({
  meta: { name: `bench-${i}`, tags: ['bench'] },
  requirements: { cpu: 1, ram: '1G' },
  container: { image: 'god-test/busybox:latest' },
  command: { cmd: '#!/bin/sh\ntrue\n' },
});

/** Runs `count` bulk requests of `size` jobs with `concurrency` in flight; resolves to seconds. */
async function load(
  submit: (jobs: JobSubmissionInput[]) => Promise<number>,
  total: number,
  size: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  let accepted = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (let at = next; at < total; at = next) {
      next += size;
      const jobs = Array.from({ length: Math.min(size, total - at) }, (_, i) => job(at + i));
      // Not `accepted += await …`: that reads `accepted` before the await and loses updates.
      const got = await submit(jobs);
      accepted += got;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (accepted !== total) throw new Error(`${accepted} of ${total} jobs accepted`);
  return (performance.now() - t0) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '100000' },
      bulk: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '4' },
      arrays: { type: 'string', default: '10' },
    },
  });
  const total = Number(values.jobs);
  const bulk = Number(values.bulk);
  const concurrency = Number(values.concurrency);
  const dir = await tempDir('bench-api');
  const redis = await startRedis();
  const url = new URL(redis.url);
  const sets = (name: string) => [
    `redis.host=${url.hostname}`,
    `redis.port=${url.port}`,
    `redis.prefix=${name}`,
    `store.sqlite.path=${join(dir, `${name}.db`)}`,
    `shared_dir=${join(dir, 'tasks')}`,
    `auth.token_secret_file=${join(dir, 'token-secret')}`,
    'web.port=0',
    'limits.max_array_tasks=1000000', // the million-task arrays below
  ];
  let server: ReturnType<typeof fork> | null = null;
  try {
    // The direct baseline: the same submissions, no HTTP, on its own database and prefix.
    const direct = createSqliteStore({ path: join(dir, 'direct.db') });
    const conn = createRedisFromUrl(redis.url);
    const keys = createKeys('direct');
    const config = resolveConfig({ sets: sets('direct') });
    const deps = {
      store: direct,
      counters: createCounters({ redis: conn, keys }),
      publisher: createEventPublisher({ redis: conn, keys }),
      limits: config.limits,
      constraints: config.constraints,
      access: config,
    };
    const directS = await load(
      async (jobs) => (await submitJobs(deps, USER, jobs)).length,
      total,
      bulk,
      concurrency,
    );
    await direct.close();
    conn.disconnect();

    // The web process, with the benchmark user and its API key in its store.
    const webDb = createSqliteStore({ path: join(dir, 'web.db') });
    await webDb.putUser({
      ...USER,
      sgids: [],
      home: '',
      email: '',
      admin: false,
      priority: 50,
      quota: null,
      passwordHash: null,
      createdAt: Date.now(),
    });
    const made = makeApiKey(USER.id, 'bench', Date.now());
    await webDb.putApiKey(made.record);
    await webDb.close();
    const child = fork(join(import.meta.dirname, 'api-server.ts'), [JSON.stringify(sets('web'))], {
      execArgv: ['--conditions=source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    server = child;
    const webUrl = await new Promise<string>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { url: string }).url));
      child.once('exit', (code) => reject(new Error(`the web process exited (${code})`)));
    });
    const client = new GodClient({ server: webUrl, credential: made.key, timeoutMs: 600_000 });
    await client.submitBulk([job(-1)]); // warm up: JIT, statements, token cache
    const httpS = await load(
      async (jobs) => (await client.submitBulk(jobs)).count,
      total,
      bulk,
      concurrency,
    );

    const arrayMs: number[] = [];
    for (let i = 0; i < Number(values.arrays); i++) {
      const t0 = performance.now();
      const a = await client.submit({
        ...job(i),
        requirements: { cpu: 1, ram: '1G', array: '1:1000000' },
      });
      arrayMs.push(performance.now() - t0);
      if (a.requirements.array?.count !== 1_000_000)
        throw new Error('the array was not stored whole');
    }
    report({ total, bulk, concurrency, directS, httpS, arrayMs });
  } finally {
    server?.kill('SIGTERM');
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(r: {
  total: number;
  bulk: number;
  concurrency: number;
  directS: number;
  httpS: number;
  arrayMs: number[];
}): void {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const direct = r.total / r.directS;
  const http = r.total / r.httpS;
  const arr = median(r.arrayMs);
  const text = [
    '<!-- bench:api:begin -->',
    '## API',
    '',
    `Run ${new Date().toISOString()} on ${machine()}, by \`npm run bench:api\`.`,
    '',
    `${n(r.total)} jobs submitted in bulks of ${n(r.bulk)}, ${r.concurrency} requests in flight, embedded SQLite store, a real redis-server. ` +
      '**HTTP**: one `god web` process (a child process) over HTTP with an API key, each bulk validated, checked against grants and rate limits, ' +
      'inserted all-or-nothing and announced on the event stream. **direct**: the same `submitJobs` calls in-process on another database — everything but HTTP and authentication.',
    '',
    '| path | wall | jobs/s |',
    '|---|---|---|',
    `| direct \`submitJobs\` | ${r.directS.toFixed(1)} s | ${n(direct)} |`,
    `| HTTP \`POST /api/v1/jobs/bulk\` | ${r.httpS.toFixed(1)} s | **${n(http)}** |`,
    '',
    `HTTP / direct: ${(http / direct).toFixed(2)}. A 1,000,000-task array (\`--array 1:1000000\`) is accepted in **${arr.toFixed(1)} ms** ` +
      `(median of ${r.arrayMs.length}; min ${Math.min(...r.arrayMs).toFixed(1)} ms, max ${Math.max(...r.arrayMs).toFixed(1)} ms): it is stored as one record and its tasks are made as they are scheduled.`,
    '',
    `Bar: ≥ ${n(BAR.jobsPerSecond)} jobs/s (${http >= BAR.jobsPerSecond ? 'met' : '**not met**'}) and < 1 s for the array (${arr < BAR.arrayMs ? 'met' : '**not met**'}).`,
    '<!-- bench:api:end -->',
  ].join('\n');
  writeBenchSection('api', text);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
