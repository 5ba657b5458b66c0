/**
 * Redis as a trust boundary, with real `god` processes: `god up` works end to end against a
 * Redis that has an ACL user and no unauthenticated access, reached over a unix socket (the API,
 * events, BullMQ queues to the agent and the watcher, the scheduler's lease); and `god web`
 * refuses to start against a Redis on another host that has no password, unless told to.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GodClient } from '@god/client';
import { resolveConfig, type Job } from '@god/core';
import { createRedis, type Redis } from '@god/coord';
import { createStore, type Store } from '@god/store';
import { makeApiKey } from '@god/web';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedis, type RedisService } from '../../scripts/services/redis.js';
import {
  describeProcesses,
  readLogLines,
  startGod,
  until,
  webUrlOf,
  type GodProcess,
} from './processes.js';

let dir = '';
const procs: GodProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-e2e-redis-auth-'));
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(`${describeProcesses(procs)}\n`);
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('god up against a Redis with an ACL user over a unix socket', () => {
  const secure = inject('redisSecure');
  const prefix = `e2e-acl-${randomBytes(4).toString('hex')}`;
  const sets = (): string[] => [
    `redis.path=${secure.socket}`,
    `redis.username=${secure.username}`,
    `redis.password_file=${secure.passwordFile}`,
    `redis.prefix=${prefix}`,
    `store.sqlite.path=${join(dir, 'up', 'god.db')}`,
    `shared_dir=${join(dir, 'up', 'tasks')}`,
    `auth.token_secret_file=${join(dir, 'up', 'token-secret')}`,
    'executor=docker',
    `plugins.docker.docker_host=${inject('dockerHost')}`,
    `plugins.docker.host_name=e2e-acl-${randomBytes(3).toString('hex')}`,
    'plugins.docker.stop_grace_seconds=1',
    'scheduler.interval_ms=200',
    'agent.heartbeat_ms=500',
    'web.port=0',
  ];
  let store: Store;
  let redis: Redis;

  afterAll(async () => {
    redis?.disconnect();
    await store?.close();
  });

  it('runs a job and kills another through the API, the scheduler, the agent and the watcher', async () => {
    const up = startGod('up-acl', [...sets().flatMap((s) => ['--set', s]), 'up'], dir);
    procs.push(up);
    const url = await webUrlOf(up);
    const config = resolveConfig({ sets: sets() });
    store = await createStore(config.store);
    redis = createRedis(config.redis);
    await store.putUser({
      id: 'alice',
      uid: 1234,
      gid: 2345,
      sgids: [],
      home: '',
      email: '',
      admin: false,
      priority: 50,
      quota: null,
      passwordHash: null,
      createdAt: Date.now(),
    });
    const made = makeApiKey('alice', 'e2e', Date.now());
    await store.putApiKey(made.record);
    const alice = new GodClient({ server: url, credential: made.key });

    const job = (script: string): Promise<Job> =>
      alice.submit({
        requirements: { cpu: 1, ram: '64M' },
        container: { image: 'god-test/busybox:latest' },
        command: { cmd: script },
      });
    const ended = (id: number): Promise<Job> =>
      until(
        `job ${id} to end`,
        async () => {
          const j = await alice.getJob(id);
          return j.state === 'over' ? j : null;
        },
        60_000,
        [up],
      );
    const ok = await job('echo hello');
    const looping = await job('while true; do sleep 1; done');
    expect((await ended(ok.id)).outcome).toBe('success');
    await until(
      `job ${looping.id} to run`,
      async () => (await alice.getJob(looping.id)).state === 'running',
      60_000,
      [up],
    );
    await alice.control(looping.id, 'kill', 'enough');
    expect((await ended(looping.id)).outcome).toBe('killed');

    // The lease, the events and the queues are in that Redis; no warning about it was logged.
    expect(await redis.exists(`${prefix}:leader:scheduler`)).toBe(1);
    expect(await redis.xlen(`${prefix}:events`)).toBeGreaterThan(0);
    expect((await redis.keys(`${prefix}:bull:*`)).length).toBeGreaterThan(0);
    expect(
      readLogLines(up.stderrPath).filter((l) => /Redis has no password/.test(l.msg ?? '')),
    ).toEqual([]);
    await up.stop();
    expect(up.exit()).toMatchObject({ code: 0 });
  });
});

/** An address of this host that is not loopback (the first one found), or null. */
function networkAddress(): string | null {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

describe('god and a Redis on another host without a password', () => {
  const address = networkAddress();
  let open: RedisService;

  beforeAll(async () => {
    open = await startRedis({ bind: '0.0.0.0' });
  });
  afterAll(async () => {
    await open?.stop();
  });

  it.skipIf(address === null)(
    'god web refuses to start, naming redis.host; with allow_unauthenticated it starts',
    async () => {
      const prefix = `e2e-open-${randomBytes(4).toString('hex')}`;
      const sets = (extra: string[]): string[] =>
        [
          `redis.host=${address}`,
          `redis.port=${open.port}`,
          `redis.prefix=${prefix}`,
          `store.sqlite.path=${join(dir, 'open', 'god.db')}`,
          `auth.token_secret_file=${join(dir, 'open', 'token-secret')}`,
          'web.port=0',
          ...extra,
        ].flatMap((s) => ['--set', s]);
      // Reachable and unauthenticated: what god must not trust by default.
      const probe = createRedis(
        { host: address!, port: open.port, db: 0, password: '', allow_unauthenticated: true },
        { maxRetriesPerRequest: 0 },
      );
      try {
        expect(await probe.ping()).toBe('PONG');
        const refused = startGod('web-refused', [...sets([]), 'web'], dir);
        procs.push(refused);
        await until('god web to give up', () => Promise.resolve(refused.exit()), 30_000, []);
        expect(refused.exit()).toMatchObject({ code: 2 });
        expect(await readFile(refused.stderrPath, 'utf8')).toMatch(
          /redis\.host: Redis on another host without a password/,
        );
        expect(await probe.keys(`${prefix}:*`)).toEqual([]);

        const allowed = startGod(
          'web-allowed',
          [...sets(['redis.allow_unauthenticated=true']), 'web'],
          dir,
        );
        procs.push(allowed);
        await webUrlOf(allowed);
        await allowed.stop();
      } finally {
        probe.disconnect();
      }
    },
  );
});
