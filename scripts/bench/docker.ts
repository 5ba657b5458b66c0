/**
 * Docker benchmark: what god costs on top of Docker itself. In one run, on one private dockerd
 * (vfs storage driver, the busybox test image) and a private Redis:
 *
 * - **raw**: N containers running `true`, each created, started, waited for and removed directly
 *   with dockerode, at concurrency C (the number of jobs god can run at once on this host: one per
 *   core of its shards), with the same confinement god applies (cpuset, memory, uid, no network,
 *   no capabilities, no-new-privileges, pids limit);
 * - **god**: the same N jobs submitted in one bulk through `submitJobs`, scheduled, dispatched and
 *   run by the real roles in this process (scheduler, agent with the docker executor, watcher) on
 *   the embedded SQLite store, until every one is `over`.
 *
 * jobs/s is N over the wall time of each; the ratio is god / raw. Latency is measured apart, one
 * job at a time (so that no queueing is counted): submit -> the container's `start` event (from the
 * daemon's event stream) for god, against create + start for raw. Prints a table and replaces the
 * `## Docker` section of docs/benchmarks.md.
 *
 *   npm run bench:docker -- [--jobs 500] [--latency 50]
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { startAgentProcess } from '@god/agent';
import { resolveConfig, type Config, type Job } from '@god/core';
import { createCounters, createEventPublisher, createKeys, createRedis } from '@god/coord';
import { submitJobs } from '@god/jobs';
import { startSchedulerProcess } from '@god/scheduler';
import { createStore, type Store } from '@god/store';
import { startWatcherProcess } from '@god/watcher';
import { tempDir } from '../services/common.js';
import { startDockerd, TEST_IMAGE } from '../services/dockerd.js';
import { startRedis } from '../services/redis.js';
import { machine, writeBenchSection } from './report.js';

const USER = { id: 'bench', uid: 1000, gid: 1000, sgids: [], home: null };
const RAM_BYTES = 256 * 2 ** 20;

interface Side {
  seconds: number;
  jobsPerSecond: number;
}

interface Latency {
  p50: number;
  p99: number;
}

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: (o: object, m: string) => console.error('warn', m, JSON.stringify(o)),
  error: (o: object, m: string) => console.error('error', m, JSON.stringify(o)),
  child: () => silent,
};

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function latencyOf(ms: number[]): Latency {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** One confined `true` container, as god would make it, created and started; returns it. */
async function createAndStart(docker: Docker, i: number, core: number): Promise<Docker.Container> {
  const c = await docker.createContainer({
    name: `raw-${process.pid}-${i}`,
    Image: TEST_IMAGE,
    Cmd: ['/bin/sh', '-c', 'true'],
    User: '1000:1000',
    Labels: { 'bench.raw': '1' },
    HostConfig: {
      CpusetCpus: String(core),
      CpusetMems: '0',
      Memory: RAM_BYTES,
      MemorySwap: RAM_BYTES,
      PidsLimit: 4096,
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
    },
  });
  await c.start();
  return c;
}

/** N raw containers at concurrency `cores.length`, worker k pinned to cores[k]. */
async function raw(docker: Docker, n: number, cores: readonly number[]): Promise<Side> {
  let next = 0;
  const removals: Array<Promise<unknown>> = [];
  const t0 = performance.now();
  await Promise.all(
    cores.map(async (core) => {
      for (let i = next++; i < n; i = next++) {
        const c = await createAndStart(docker, i, core);
        await c.wait();
        // As god does: the core is free once the container ended; removal runs alongside.
        removals.push(c.remove({ force: true }));
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(removals);
  return { seconds, jobsPerSecond: n / seconds };
}

async function rawLatency(docker: Docker, n: number, core: number): Promise<Latency> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const c = await createAndStart(docker, 100_000 + i, core);
    ms.push(performance.now() - t0);
    await c.wait();
    await c.remove({ force: true });
  }
  return latencyOf(ms);
}

/** god's side: the roles in this process, jobs through submitJobs. */
class God {
  private stops: Array<() => Promise<void>> = [];
  private store!: Store;
  private redis!: ReturnType<typeof createRedis>;
  /** Container start times from the daemon, by job id (ms since epoch). */
  readonly started = new Map<number, number>();

  constructor(
    private readonly config: Config,
    private readonly docker: Docker,
  ) {}

  async start(): Promise<number[]> {
    this.store = await createStore(this.config.store);
    this.redis = createRedis(this.config.redis);
    const events = await this.docker.getEvents({
      filters: { type: ['container'], event: ['start'], label: ['god.job'] },
    });
    events.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const e = JSON.parse(line) as {
          timeNano: number;
          Actor: { Attributes: Record<string, string> };
        };
        const id = Number(e.Actor.Attributes['god.job']);
        if (!this.started.has(id)) this.started.set(id, e.timeNano / 1e6);
      }
    });
    this.stops.push(() => {
      (events as unknown as { destroy(): void }).destroy();
      return Promise.resolve();
    });
    const agent = await startAgentProcess(this.config, silent);
    this.stops.push(() => agent.stop());
    const scheduler = await startSchedulerProcess(this.config, silent);
    this.stops.push(() => scheduler.stop());
    const watcher = await startWatcherProcess(this.config, silent);
    this.stops.push(() => watcher.stop());
    return agent.agent.hosts().flatMap((h) => h.shards.flatMap((s) => s.cores));
  }

  async submit(n: number): Promise<Job[]> {
    const keys = createKeys(this.config.redis.prefix);
    const deps = {
      store: this.store,
      counters: createCounters({ redis: this.redis, keys }),
      publisher: createEventPublisher({ redis: this.redis, keys }),
      limits: this.config.limits,
      constraints: this.config.constraints,
      access: this.config,
    };
    const job = {
      requirements: { cpu: 1, ram: '256M' },
      container: { image: TEST_IMAGE },
      command: { cmd: 'true' },
    };
    return submitJobs(
      deps,
      USER,
      Array.from({ length: n }, () => job),
    );
  }

  async waitOver(ids: readonly number[]): Promise<Job[]> {
    const out: Job[] = [];
    for (const id of ids) {
      for (;;) {
        const job = await this.store.getJob(id);
        if (job !== null && (job.state === 'over' || job.state === 'archived')) {
          out.push(job);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
    this.redis.disconnect();
    await this.store.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '500' },
      latency: { type: 'string', default: '50' },
    },
  });
  const n = Number(values.jobs);
  const nLatency = Number(values.latency);
  const dir = await tempDir('bench-docker');
  const [redis, dockerd] = await Promise.all([startRedis(), startDockerd()]);
  try {
    const docker = new Docker({ socketPath: new URL(dockerd.url).pathname });
    const r = new URL(redis.url);
    const config = resolveConfig({
      env: {},
      sets: [
        `redis.host=${r.hostname}`,
        `redis.port=${r.port}`,
        `store.sqlite.path=${join(dir, 'god.db')}`,
        `shared_dir=${join(dir, 'tasks')}`,
        'executor=docker',
        `plugins.docker.docker_host=${dockerd.url}`,
        'plugins.docker.stop_grace_seconds=1',
        `defaults.image=${TEST_IMAGE}`,
        'scheduler.interval_ms=200',
      ],
    });
    const god = new God(config, docker);
    const cores = await god.start();
    console.error(`god runs ${cores.length} jobs at once here (cores ${cores.join(',')})`);

    // Warm-up of both paths (first container on a vfs daemon is slower).
    await raw(docker, cores.length, cores);
    await god.waitOver((await god.submit(cores.length)).map((j) => j.id));

    console.error(`raw: ${n} containers at concurrency ${cores.length}…`);
    const rawSide = await raw(docker, n, cores);
    console.error(`god: ${n} jobs…`);
    const t0 = Date.now();
    const jobs = await god.submit(n);
    const over = await god.waitOver(jobs.map((j) => j.id));
    const lastEnd = Math.max(...over.map((j) => j.status.dates.ended ?? 0));
    const godSeconds = (lastEnd - t0) / 1000;
    const godSide = { seconds: godSeconds, jobsPerSecond: n / godSeconds };
    const failed = over.filter((j) => j.outcome !== 'success').length;

    console.error(`latency: ${nLatency} jobs one at a time…`);
    const rawLat = await rawLatency(docker, nLatency, cores[0] ?? 0);
    const lat: number[] = [];
    for (let i = 0; i < nLatency; i++) {
      const [job] = await god.submit(1);
      await god.waitOver([job!.id]);
      const started = god.started.get(job!.id);
      if (started !== undefined) lat.push(started - job!.status.dates.submitted);
    }
    const godLat = latencyOf(lat);
    await god.stop();

    const report = {
      n,
      concurrency: cores.length,
      raw: rawSide,
      god: godSide,
      failed,
      rawLat,
      godLat,
      nLatency,
      measured: lat.length,
    };
    writeSection(report);
  } finally {
    await Promise.allSettled([redis.stop(), dockerd.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

function writeSection(r: {
  n: number;
  concurrency: number;
  raw: Side;
  god: Side;
  failed: number;
  rawLat: Latency;
  godLat: Latency;
  nLatency: number;
  measured: number;
}): void {
  const f = (v: number, d = 1) => v.toFixed(d);
  const ratio = r.god.jobsPerSecond / r.raw.jobsPerSecond;
  const text = [
    '<!-- bench:docker:begin -->',
    '## Docker',
    '',
    `Run ${new Date().toISOString()} on ${machine()}, by \`npm run bench:docker\`: a private dockerd`,
    `(vfs storage driver, busybox image), ${r.n} \`true\` jobs at concurrency ${r.concurrency}`,
    '(one per core god may use here), same confinement on both sides.',
    '',
    '| | wall | jobs/s | latency p50 | latency p99 |',
    '|---|---|---|---|---|',
    `| raw dockerode (create, start, wait; remove alongside) | ${f(r.raw.seconds)} s | ${f(r.raw.jobsPerSecond)} | ${f(r.rawLat.p50, 0)} ms (create+start) | ${f(r.rawLat.p99, 0)} ms |`,
    `| god (submit … over) | ${f(r.god.seconds)} s | ${f(r.god.jobsPerSecond)} | ${f(r.godLat.p50, 0)} ms (submit→start) | ${f(r.godLat.p99, 0)} ms |`,
    '',
    `**Ratio god / raw: ${f(ratio, 2)}** (bar: ≥ 0.9${ratio >= 0.9 ? ', met' : ', not met'}). ` +
      `${r.failed} of ${r.n} god jobs did not end \`success\`. Latency from ${r.measured} of ${r.nLatency} ` +
      "jobs run one at a time; god's includes the scheduler's decision, the store writes, the queue hop " +
      'to the agent, the task directory and script, and create + start.',
    '<!-- bench:docker:end -->',
  ].join('\n');
  writeBenchSection('docker', text);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
