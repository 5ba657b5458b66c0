/**
 * `god demo`: god's main job in one command. Brings every role up in this process on the
 * configured store (the embedded SQLite by default), Redis and executor (Docker by default),
 * with the web API on a free local port; makes a demo user with an API key, submits a sample
 * script over HTTP as that user (the way `god submit` does), follows its output live while it
 * runs as a real container, and prints its placement and measured usage. Exits 0 when the job
 * ended `success`.
 */
import { startAgentProcess } from '@god/agent';
import { startArchiverProcess } from '@god/archiver';
import { GodClient } from '@god/client';
import type { Config, Job } from '@god/core';
import { startSchedulerProcess } from '@god/scheduler';
import { startWatcherProcess } from '@god/watcher';
import { makeApiKey, startWebProcess } from '@god/web';
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
  try {
    io.out(
      `store: ${config.store.driver}, executor: ${config.executor}, policy: ${config.scheduler.policy}`,
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
    const web = await startWebProcess(
      { ...config, web: { ...config.web, port: 0 } },
      logger.child({ role: 'web' }),
    );
    stops.push(() => web.stop());
    io.out(`web API at ${web.url}/api/v1 (OpenAPI: ${web.url}/api/v1/openapi.json)`);

    const key = await demoAccount(web.ctx.store, user);
    const client = new GodClient({ server: web.url, credential: key });
    const submitted = await client.submit({
      meta: { name: 'hello-god', tags: ['demo'] },
      requirements: { cpu: 1, ram: '256M', maxlifespan: 60 },
      container: { image: config.defaults.image },
      command: { cmd: SCRIPT },
    });
    io.out(
      `submitted job ${submitted.id} as ${user.id} (uid ${user.uid}, gid ${user.gid}) over HTTP`,
    );
    const job = await follow(client, submitted.id, io);
    const u = job.usage;
    if (u !== null)
      io.out(
        `usage: ${u.cpuSeconds.toFixed(3)} cpu·s, ${u.wallSeconds.toFixed(3)} s wall, peak ${(u.maxRamBytes / 2 ** 20).toFixed(1)} MiB`,
      );
    const err = await client.logs(job.id, { stream: 'stderr' });
    if (err.trim() !== '') io.out(`--- god.err\n${err.trimEnd()}`);
    return job.outcome === 'success' ? 0 : 1;
  } finally {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
  }
}

/** Makes (or refreshes) the demo user in the store and gives it a fresh API key. */
async function demoAccount(
  store: Awaited<ReturnType<typeof startWebProcess>>['ctx']['store'],
  user: DemoUser,
): Promise<string> {
  const existing = await store.getUser(user.id);
  await store.putUser({
    id: user.id,
    uid: user.uid,
    gid: user.gid,
    sgids: [],
    home: '',
    email: '',
    admin: false,
    priority: existing?.priority ?? 50,
    quota: existing?.quota ?? null,
    passwordHash: existing?.passwordHash ?? null,
    createdAt: existing?.createdAt ?? Date.now(),
  });
  const made = makeApiKey(user.id, 'demo', Date.now(), 3_600);
  await store.putApiKey(made.record);
  return made.key;
}

/** Reports the job's states and its output as they come, until it is over. */
async function follow(client: GodClient, id: number, io: Output): Promise<Job> {
  const deadline = Date.now() + DEMO_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const job = await client.getJob(id);
    const now = describe(job);
    if (now !== last) io.out(`  ${now}`);
    last = now;
    if (job.state === 'running' || job.state === 'over') break;
    if (Date.now() > deadline)
      throw new Error(`job ${id} is still ${job.state} after ${DEMO_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  io.out(`--- god.log of job ${id}, live`);
  let text = '';
  for await (const e of client.followLogs(id, { signal: AbortSignal.timeout(DEMO_TIMEOUT_MS) })) {
    if (e.event === 'output') text += (e.data as { text: string }).text;
    const lines = text.split('\n');
    text = lines.pop() ?? '';
    for (const line of lines) io.out(line);
  }
  if (text !== '') io.out(text);
  io.out('---');
  const job = await client.getJob(id);
  io.out(`  ${describe(job)}`);
  return job;
}

function describe(job: Job): string {
  const s = job.status;
  const where = job.placement
    ? ` on ${job.placement.host}/${job.placement.shard} cpus ${job.placement.cpus}`
    : '';
  const outcome = job.outcome === null ? '' : `(${job.outcome}, exit ${s.exitcode ?? '-'})`;
  return `job ${job.id}: ${job.state}${outcome} [GO-Docker ${s.primary}${s.secondary ? `/${s.secondary}` : ''}]${where}${s.reason ? ` - ${s.reason}` : ''}`;
}
