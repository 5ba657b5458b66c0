/**
 * `god demo`: god's main job in one command. Brings every role up in this process on the
 * configured store (the embedded SQLite by default) and the configured Redis and executor
 * (Docker by default), submits a sample script through the same validation and rate limits as
 * the API, waits for it to run as a real container and end, and prints its output, its
 * placement and its measured usage. Exits 0 when the job ended `success`.
 */
import { readFile } from 'node:fs/promises';
import { startAgentProcess } from '@god/agent';
import { startArchiverProcess } from '@god/archiver';
import { taskDirOf, type Config, type Job } from '@god/core';
import { createCounters, createEventPublisher, createKeys, createRedis } from '@god/coord';
import { submitJobs } from '@god/jobs';
import { startSchedulerProcess } from '@god/scheduler';
import { createStore } from '@god/store';
import { startWatcherProcess } from '@god/watcher';
import type { ExitCode, Output } from '../output.js';
import type { RoleLogger } from './roles.js';

/** Who runs the demo: an account as the auth plugin would resolve it. */
export interface DemoUser {
  id: string;
  uid: number;
  gid: number;
}

/** How long the sample job may take from submission to its end. */
const DEMO_TIMEOUT_MS = 120_000;

/** The sample script: who and where it runs, in the container god made for it. */
const SCRIPT = `#!/bin/sh
echo "hello from god job $GODOCKER_JID"
echo "running as: $(id)"
grep Cpus_allowed_list /proc/self/status
echo "memory limit: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"
echo "task directory $GODOCKER_PWD holds: $(ls "$GODOCKER_PWD" | tr '\\n' ' ')"
i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done
echo "done counting to $i"
`;

/** Runs the demo; `logger` gets the roles' logs (keep it quiet for a readable output). */
export async function demo(
  config: Config,
  user: DemoUser,
  io: Output,
  logger: RoleLogger,
): Promise<ExitCode> {
  const stops: Array<() => Promise<void>> = [];
  const store = await createStore(config.store);
  const redis = createRedis(config.redis);
  try {
    io.out(
      `store: ${store.kind}, executor: ${config.executor}, policy: ${config.scheduler.policy}`,
    );
    const agent = await startAgentProcess(config, logger.child({ role: 'agent' }));
    stops.push(() => agent.stop());
    for (const h of agent.agent.hosts())
      io.out(
        `host ${h.name}: ${h.shards.map((s) => `${s.id} cores ${s.cores.join(',')} ${s.ramGB} GB`).join('; ')}`,
      );
    const scheduler = await startSchedulerProcess(config, logger.child({ role: 'scheduler' }));
    stops.push(() => scheduler.stop());
    const watcher = await startWatcherProcess(config, logger.child({ role: 'watcher' }));
    stops.push(() => watcher.stop());
    const archiver = await startArchiverProcess(config, logger.child({ role: 'archiver' }));
    stops.push(() => archiver.stop());

    const keys = createKeys(config.redis.prefix);
    const [submitted] = await submitJobs(
      {
        store,
        counters: createCounters({ redis, keys }),
        publisher: createEventPublisher({ redis, keys }),
        limits: config.limits,
        access: config,
      },
      { ...user, sgids: [], home: null },
      [
        {
          meta: { name: 'hello-god', tags: ['demo'] },
          requirements: { cpu: 1, ram: '256M', maxlifespan: 60 },
          container: { image: config.defaults.image },
          command: { cmd: SCRIPT },
        },
      ],
    );
    if (submitted === undefined) throw new Error('the store returned no job for one submission');
    io.out(`submitted job ${submitted.id} as ${user.id} (uid ${user.uid}, gid ${user.gid})`);

    const job = await waitForEnd(store, submitted.id, (j) => io.out(`  ${describe(j)}`));
    const dir = taskDirOf(config.shared_dir, job);
    io.out(`--- ${dir}/god.log`);
    io.out((await readFile(`${dir}/god.log`, 'utf8').catch(() => '(no output)\n')).trimEnd());
    const err = await readFile(`${dir}/god.err`, 'utf8').catch(() => '');
    if (err.trim() !== '') io.out(`--- god.err\n${err.trimEnd()}`);
    io.out('---');
    const u = job.usage;
    if (u !== null)
      io.out(
        `usage: ${u.cpuSeconds.toFixed(3)} cpu·s, ${u.wallSeconds.toFixed(3)} s wall, peak ${(u.maxRamBytes / 2 ** 20).toFixed(1)} MiB`,
      );
    return job.outcome === 'success' ? 0 : 1;
  } finally {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
    redis.disconnect();
    await store.close();
  }
}

/** Polls the job until it is over, reporting each state it is seen in. */
async function waitForEnd(
  store: Awaited<ReturnType<typeof createStore>>,
  id: number,
  seen: (job: Job) => void,
): Promise<Job> {
  const deadline = Date.now() + DEMO_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const job = await store.getJob(id);
    if (job === null) throw new Error(`job ${id} vanished`);
    const now = describe(job);
    if (now !== last) seen(job);
    last = now;
    if (job.state === 'over' || job.state === 'archived') return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} is still ${job.state} after ${DEMO_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function describe(job: Job): string {
  const s = job.status;
  const where = job.placement
    ? ` on ${job.placement.host}/${job.placement.shard} cpus ${job.placement.cpus}`
    : '';
  const outcome = job.outcome === null ? '' : `(${job.outcome}, exit ${s.exitcode ?? '-'})`;
  return `job ${job.id}: ${job.state}${outcome} [GO-Docker ${s.primary}${s.secondary ? `/${s.secondary}` : ''}]${where}${s.reason ? ` - ${s.reason}` : ''}`;
}
