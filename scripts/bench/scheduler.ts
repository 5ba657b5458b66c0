/**
 * Scheduler benchmark: how fast the leader decides, and how much memory a pending job costs it,
 * at 10k, 100k and 1M pending jobs of 100 users, for FIFO and FairShare. The real scheduler
 * (createScheduler: lease, rebuild from the store, passes, fenced `pending -> scheduled` CAS in
 * SQLite, bulk dispatch to BullMQ on a real redis-server) runs on a fake cluster registered in
 * the node registry, large enough for every measured decision; no agent consumes the queues.
 *
 * For each size the jobs are inserted once (`insertJobs`, batches of 5,000) and the database
 * file is copied for each policy. The scheduler starts in maintenance, so it rebuilds its state
 * and then waits: its heap and RSS are measured (after `gc()`) against a baseline taken before
 * it started. Maintenance is then lifted, and decisions/s is N / the time until N placements are
 * committed and dispatched. Each policy runs `--repeat` times per size (alternating), and the
 * median is reported. Prints a table and replaces the `## Scheduler` section of
 * docs/benchmarks.md.
 *
 *   npm run bench:scheduler -- [--sizes 10000,100000,1000000] [--decisions 10000]
 *                              [--policies FIFO,FairShare] [--users 100] [--repeat 3] [--profile]
 *
 * It re-runs itself under `node --expose-gc --conditions=source --import tsx` (it needs `gc()`
 * and measures the TypeScript sources of the working tree, as tests do).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig, type Config } from '@god/core';
import { createSqliteStore } from '@god/store';
import { startRedis } from '../services/redis.js';
import { insertPending, registerHosts, runScheduler, type RunResult } from './scheduler-run.js';
import { machine, writeSection, type SizeResult } from './scheduler-report.js';

/** Which measurements to make. */
interface Options {
  sizes: number[];
  decisions: number;
  policies: string[];
  users: number;
  /** Runs of each policy at each size; the report shows the median. */
  repeat: number;
}

/** Hosts of the fake cluster: 100 x 2 shards x 64 cores, 128 GB per shard (12,800 cores). */
const CLUSTER = { count: 100, shardsPerHost: 2, coresPerShard: 64, ramPerShardGB: 128 };

function rerunWithFlags(profile: boolean): never {
  const script = resolve(import.meta.dirname, 'scheduler.ts');
  const flags = ['--expose-gc', '--conditions=source', '--max-old-space-size=16384'];
  if (profile) flags.push('--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'god-bench-prof')}`);
  const r = spawnSync(
    process.execPath,
    [...flags, '--import', 'tsx', script, ...process.argv.slice(2)],
    { stdio: 'inherit', cwd: resolve(import.meta.dirname, '../..'), env: process.env },
  );
  process.exit(r.status ?? 1);
}

function options(): Options & { profile: boolean } {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,100000,1000000' },
      decisions: { type: 'string', default: '10000' },
      policies: { type: 'string', default: 'FIFO,FairShare' },
      users: { type: 'string', default: '100' },
      repeat: { type: 'string', default: '3' },
      profile: { type: 'boolean', default: false },
    },
  });
  return {
    sizes: values.sizes.split(',').map(Number),
    decisions: Number(values.decisions),
    policies: values.policies.split(','),
    users: Number(values.users),
    repeat: Number(values.repeat),
    profile: values.profile,
  };
}

function configFor(dbPath: string, redisUrl: string, prefix: string, policy: string): Config {
  const url = new URL(redisUrl);
  return resolveConfig({
    sets: [
      'store.driver=sqlite',
      `store.sqlite.path=${dbPath}`,
      `redis.host=${url.hostname}`,
      `redis.port=${url.port}`,
      `redis.prefix=${prefix}`,
      `scheduler.policy=${policy}`,
      // Starts paused: the rebuild is measured alone, then passes are timed from the unpause.
      'scheduler.maintenance=true',
      // No agent heartbeats: the registered hosts must stay "alive" for the whole run.
      'scheduler.host_timeout_ms=86400000',
    ],
  });
}

/** Inserts `size` jobs once, then runs every policy `repeat` times on copies of that file. */
async function runSize(size: number, opts: Options, redisUrl: string): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'god-bench-sched-'));
  try {
    const base = join(dir, 'base.db');
    const store = createSqliteStore({ path: base });
    const insertMs = await insertPending(store, size, opts.users);
    await store.close();
    console.log(`${size.toLocaleString('en-US')} pending jobs inserted in ${sec(insertMs)}`);
    const runs: RunResult[] = [];
    for (let round = 1; round <= opts.repeat; round++) {
      for (const policy of opts.policies) {
        const db = join(dir, `${policy}.db`);
        copyFileSync(base, db);
        const config = configFor(db, redisUrl, `bench-${policy}-${size}-${round}`, policy);
        await registerHosts(config, CLUSTER);
        const r = await runScheduler(config, size, opts.decisions);
        runs.push(r);
        console.log(
          `  ${policy.padEnd(9)} rebuild ${sec(r.rebuildMs)}, ${fmt(r.decisionsPerSecond)} decisions/s, ` +
            `${r.heapBytesPerJob.toFixed(0)} B heap / ${r.rssBytesPerJob.toFixed(0)} B RSS per pending job`,
        );
        rmSync(db, { force: true });
      }
    }
    return { size, insertMs, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = options();
  if (typeof globalThis.gc !== 'function') rerunWithFlags(opts.profile);
  const redis = await startRedis();
  const sizes: SizeResult[] = [];
  try {
    for (const size of opts.sizes) sizes.push(await runSize(size, opts, redis.url));
  } finally {
    await redis.stop();
  }
  writeSection({ machine: machine(), cluster: CLUSTER, ...opts, sizes });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

await main();
