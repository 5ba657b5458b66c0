/**
 * What a root job leaves in its task directory cannot raise anyone's rights on the host: after a
 * real container (test dockerd) copied busybox there as set-uid root, made a set-gid copy, a
 * hard link and a device node, the job is `over` only once none of them is left as such.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgentProcess, type AgentProcess } from '@god/agent';
import { resolveConfig, taskDirOf, type Config, type Job } from '@god/core';
import {
  createCounters,
  createEventPublisher,
  createKeys,
  createRedis,
  silentLogger,
  type Redis,
} from '@god/coord';
import { submitJobs } from '@god/jobs';
import { startSchedulerProcess, type SchedulerProcess } from '@god/scheduler';
import { createStore, type Store } from '@god/store';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeJobContainers } from '../support/containers.js';

const USER = { id: 'alice', uid: 1234, gid: 2345, sgids: [], home: null };

let dir = '';
let config: Config;
let store: Store;
let redis: Redis;
let scheduler: SchedulerProcess;
let agent: AgentProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-e2e-setid-'));
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
      'security.allow_root=true',
      `plugins.docker.docker_host=${inject('dockerHost')}`,
      `plugins.docker.host_name=e2e-${randomBytes(3).toString('hex')}`,
      'scheduler.interval_ms=200',
      'agent.heartbeat_ms=500',
    ],
  });
  store = await createStore(config.store);
  redis = createRedis(config.redis);
  agent = await startAgentProcess(config, silentLogger);
  scheduler = await startSchedulerProcess(config, silentLogger);
});

afterAll(async () => {
  await scheduler?.stop();
  await agent?.stop();
  redis?.disconnect();
  await store?.close();
  await removeJobContainers(inject('dockerHost'), config.plugins['docker']?.['host_name']);
  await rm(dir, { recursive: true, force: true });
});

async function submitRoot(script: string): Promise<Job> {
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
        container: { image: 'god-test/busybox:latest', root: true },
        command: { cmd: script },
      },
    ],
  );
  return job!;
}

async function waitOver(id: number): Promise<Job> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await store.getJob(id);
    if (job?.state === 'over') return job;
    if (Date.now() > deadline) throw new Error(`job ${id} never ended: ${job?.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every node under `root` (links not followed): relative path and lstat mode. */
async function walk(root: string, rel = ''): Promise<{ path: string; mode: number }[]> {
  const out: { path: string; mode: number }[] = [];
  for (const name of await readdir(join(root, rel))) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(join(root, path));
    out.push({ path, mode: st.mode });
    if (st.isDirectory()) out.push(...(await walk(root, path)));
  }
  return out;
}

describe('set-id files left by a root job', () => {
  it('are stripped (and device nodes removed) before the job is over', async () => {
    const job = await submitRoot(
      [
        '#!/bin/sh -e',
        'cd "$GODOCKER_PWD"',
        'cp /bin/busybox suid && chmod 4755 suid',
        'mkdir -p sub/deep && cp /bin/busybox sub/deep/sgid && chmod 2755 sub/deep/sgid',
        'ln suid suid-hard',
        'mknod mem c 1 1 && chmod 666 mem',
        'chmod 755 .',
        'ls -ln . sub/deep',
      ].join('\n'),
    );
    const done = await waitOver(job.id);
    const taskDir = taskDirOf(config.shared_dir, done);
    expect(done.outcome).toBe('success');
    const nodes = await walk(taskDir);
    expect(nodes.map((n) => n.path)).toEqual(
      expect.arrayContaining(['suid', 'suid-hard', 'sub/deep/sgid']),
    );
    expect(nodes.filter((n) => (n.mode & 0o6000) !== 0)).toEqual([]);
    // No device node is left (S_IFCHR / S_IFBLK).
    expect(nodes.filter((n) => [0o020000, 0o060000].includes(n.mode & 0o170000))).toEqual([]);
    expect(nodes.find((n) => n.path === 'suid')!.mode & 0o7777).toBe(0o755);
  });
});
