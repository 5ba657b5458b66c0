/**
 * Docker execution end to end, on the test dockerd: the scheduler, an agent with the docker
 * executor (topology from this host's sysfs) and a watcher run in this process on a temp SQLite
 * store and the test Redis. Jobs go in through `submitJobs` (or, to play a configuration that
 * changed after submission, straight into the store) and come out as real containers: kill,
 * suspend/resume, reschedule and max lifespan through the watcher's control queue, a refused
 * job that never gets a container, and an agent restart while jobs run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { startAgentProcess, type AgentProcess } from '@god/agent';
import {
  EVENTS,
  newJobFromSubmission,
  parseJobSubmission,
  resolveConfig,
  taskDirOf,
  type Config,
  type Job,
} from '@god/core';
import {
  createCounters,
  createEventPublisher,
  createKeys,
  createQueues,
  createRedis,
  readLiveUsage,
  redisOptions,
  requestControl,
  silentLogger,
  type Queues,
  type Redis,
} from '@god/coord';
import { submitJobs } from '@god/jobs';
import { startSchedulerProcess, type SchedulerProcess } from '@god/scheduler';
import { createStore, type Store } from '@god/store';
import { startWatcherProcess, type WatcherProcess } from '@god/watcher';
import { waitFor } from '@god/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeJobContainers } from '../support/containers.js';

const USER = { id: 'alice', uid: 1234, gid: 2345, sgids: [3456], home: null };
const quiet = silentLogger;

let dir = '';
let config: Config;
let store: Store;
let redis: Redis;
let queues: Queues;
let docker: Docker;
let scheduler: SchedulerProcess;
let agent: AgentProcess;
let watcher: WatcherProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-e2e-docker-'));
  const r = new URL(inject('redisUrl'));
  config = resolveConfig({
    env: {},
    sets: [
      `redis.host=${r.hostname}`,
      `redis.port=${r.port}`,
      `redis.prefix=e2e-${randomBytes(4).toString('hex')}`,
      `store.sqlite.path=${join(dir, 'god.db')}`,
      `shared_dir=${join(dir, 'tasks')}`,
      'executor=docker',
      `plugins.docker.docker_host=${inject('dockerHost')}`,
      `plugins.docker.host_name=e2e-${randomBytes(3).toString('hex')}`,
      'plugins.docker.stop_grace_seconds=2',
      'plugins.maxlifespan.interval_ms=300',
      'scheduler.interval_ms=200',
      'agent.heartbeat_ms=500',
      'agent.usage_sample_s=1',
    ],
  });
  docker = new Docker({ socketPath: new URL(inject('dockerHost')).pathname });
  store = await createStore(config.store);
  redis = createRedis(config.redis);
  queues = createQueues({
    connection: redisOptions(config.redis),
    keys: createKeys(config.redis.prefix),
    logger: quiet,
  });
  agent = await startAgentProcess(config, quiet);
  scheduler = await startSchedulerProcess(config, quiet);
  watcher = await startWatcherProcess(config, quiet);
});

afterAll(async () => {
  await watcher?.stop();
  await scheduler?.stop();
  await agent?.stop();
  await queues?.closeAll();
  redis?.disconnect();
  await store?.close();
  await removeJobContainers(inject('dockerHost'), config.plugins['docker']?.['host_name']);
  await rm(dir, { recursive: true, force: true });
});

async function submit(script: string, extra: object = {}): Promise<Job> {
  const keys = createKeys(config.redis.prefix);
  const [job] = await submitJobs(
    {
      store,
      counters: createCounters({ redis, keys }),
      publisher: createEventPublisher({ redis, keys }),
      limits: config.limits,
      constraints: config.constraints,
      access: config,
    },
    USER,
    [
      {
        requirements: { cpu: 1, ram: '128M' },
        container: { image: 'god-test/busybox:latest' },
        command: { cmd: script },
        ...extra,
      },
    ],
  );
  return job!;
}

async function waitJob(
  id: number,
  what: string,
  ok: (j: Job) => boolean,
  ms = 30_000,
): Promise<Job> {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = await store.getJob(id);
    if (job !== null && ok(job)) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} never ${what}: it is ${job?.state} (${job?.status.reason})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const over = (j: Job): boolean => j.state === 'over';
const running = (j: Job): boolean => j.state === 'running';

async function container(jobId: number): Promise<Docker.ContainerInfo | undefined> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`god.job=${jobId}`] },
  });
  return list[0];
}

/** Lines of a file in the job's task directory (empty when it does not exist). */
async function lines(job: Job, file: string): Promise<string[]> {
  const text = await readFile(join(taskDirOf(config.shared_dir, job), file), 'utf8').catch(
    () => '',
  );
  return text.split('\n').filter((l) => l !== '');
}

describe('docker execution end to end', () => {
  it('runs a job as its user on its cores and captures its output', async () => {
    const job = await submit(
      '#!/bin/sh\nid\ngrep Cpus_allowed_list /proc/self/status\necho oops >&2\nexit 3\n',
    );
    const done = await waitJob(job.id, 'ended', over);
    expect(done.outcome).toBe('failed');
    expect(done.status.exitcode).toBe(3);
    const log = await lines(done, 'god.log');
    expect(log[0]).toBe('uid=1234 gid=2345 groups=2345,3456');
    expect(log[1]).toMatch(new RegExp(`^Cpus_allowed_list:\\s+${done.placement!.cpus}$`));
    expect(await lines(done, 'god.err')).toEqual(['oops']);
    expect(done.usage?.cpuSeconds).toBeGreaterThan(0);
  });

  it('kills, suspends and resumes running containers through the watcher', async () => {
    const job = await submit(
      '#!/bin/sh\nwhile true; do date +%s >> "$GODOCKER_PWD/ticks"; sleep 0.2; done\n',
    );
    await waitJob(job.id, 'started', running);
    await requestControl(queues, { action: 'suspend', jobId: job.id, by: 'alice' });
    await waitJob(job.id, 'suspended', (j) => j.state === 'suspended');
    // The agent records the state first (a compare-and-set against the job's end), then pauses.
    await waitFor(
      'the container paused',
      async () => (await container(job.id))?.State === 'paused',
    );
    const frozen = (await lines(job, 'ticks')).length;
    await new Promise((r) => setTimeout(r, 800));
    expect((await lines(job, 'ticks')).length).toBe(frozen);
    await requestControl(queues, { action: 'resume', jobId: job.id, by: 'alice' });
    await waitJob(job.id, 'resumed', running);
    await waitFor('ticks again', async () => (await lines(job, 'ticks')).length > frozen);
    await requestControl(queues, { action: 'kill', jobId: job.id, by: 'alice', reason: 'enough' });
    const killed = await waitJob(job.id, 'killed', over);
    expect(killed.outcome).toBe('killed');
    await expect.poll(() => container(job.id), { timeout: 10_000 }).toBeUndefined();
  });

  it('publishes live usage of a busy job while it runs: its CPU time grows; the list expires after', async () => {
    const keys = createKeys(config.redis.prefix);
    const job = await submit('yes > /dev/null &\nsleep 120');
    await waitJob(job.id, 'running', running);
    const samples = await waitFor('three samples', async () => {
      const s = await readLiveUsage(redis, keys, job.id);
      return s.length >= 3 ? s : null;
    });
    const [a, b] = [samples[0]!, samples.at(-1)!];
    expect(b.t).toBeGreaterThan(a.t);
    // One core kept busy: CPU time grows about as fast as the clock.
    expect(b.cpuSeconds - a.cpuSeconds).toBeGreaterThan(0.3 * ((b.t - a.t) / 1000));
    expect(b.memBytes).toBeGreaterThan(0);
    await requestControl(queues, { action: 'kill', jobId: job.id, by: 'alice', reason: 'enough' });
    await waitJob(job.id, 'killed', over);
    expect(await redis.ttl(keys.liveUsage(job.id))).toBeGreaterThan(0);
  });

  it('reschedules a running job: the old container stops, the job runs again', async () => {
    const job = await submit('#!/bin/sh\necho "attempt $$" >> "$GODOCKER_PWD/runs"\nsleep 2\n');
    await waitJob(job.id, 'started', running);
    await expect.poll(async () => (await lines(job, 'runs')).length).toBe(1);
    await requestControl(queues, { action: 'reschedule', jobId: job.id, by: 'alice' });
    const done = await waitJob(job.id, 'ended after its second run', over);
    expect(done.outcome).toBe('success');
    expect(done.attempts).toBe(2);
    expect(await lines(done, 'runs')).toHaveLength(2);
  });

  it('kills a job that outlives its max lifespan', async () => {
    const job = await submit('sleep 60', { requirements: { cpu: 1, ram: '128M', maxlifespan: 1 } });
    const done = await waitJob(job.id, 'killed', over, 20_000);
    expect(done.outcome).toBe('killed');
    expect(done.status.reason).toContain('max lifespan');
  });

  it('refuses on the agent a job whose grant no longer holds, before any container', async () => {
    // As if submitted when root was allowed: the agent checks again against today's config.
    const sub = parseJobSubmission({
      container: { image: 'god-test/busybox:latest', root: true },
      command: { cmd: 'id' },
      requirements: { ram: '128M' },
    });
    const [job] = await store.insertJobs([newJobFromSubmission(sub, USER)]);
    await createEventPublisher({ redis, keys: createKeys(config.redis.prefix) }).publish(
      EVENTS.submitted,
      { jobId: job!.id },
    );
    const done = await waitJob(job!.id, 'refused', over);
    expect(done.outcome).toBe('failed');
    expect(done.status.reason).toContain('may not run jobs as root');
    expect(await container(job!.id)).toBeUndefined();
    expect(await lines(done, 'god.log')).toEqual([]);
  });

  it('loses no job and runs none twice when the agent restarts while jobs run', async () => {
    const script = (s: number) =>
      `#!/bin/sh\necho "start $$" >> "$GODOCKER_PWD/runs"\nsleep ${s}\necho end >> "$GODOCKER_PWD/runs"\n`;
    // One ends while the agent is away, one outlives the restart, two wait for a core.
    const jobs = [await submit(script(1)), await submit(script(5))];
    await Promise.all(jobs.map((j) => waitJob(j.id, 'started', running)));
    const queued = [await submit(script(1)), await submit(script(1))];
    await agent.stop();
    // On a loaded machine the short job may already have ended (and been handled) before the
    // agent stopped: either way its end must be booked once.
    await waitFor('the short job to end', async () => {
      const c = await container(jobs[0]!.id);
      return c === undefined
        ? (await store.getJob(jobs[0]!.id))?.state === 'over'
        : c.State === 'exited';
    });
    agent = await startAgentProcess(config, quiet);
    for (const job of [...jobs, ...queued]) {
      const done = await waitJob(job.id, 'ended', over, 40_000);
      expect(done.outcome, `job ${job.id}: ${done.status.reason}`).toBe('success');
      expect(done.attempts).toBe(1);
      expect(await lines(done, 'runs')).toEqual([expect.stringMatching(/^start \d+$/), 'end']);
    }
  });
});
