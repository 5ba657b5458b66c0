/**
 * Job arrays against the pending limits and unplaceable arrays, on real Redis, SQLite, the real
 * agent and scheduler: the counters count tasks whatever happens to the array, and an array no
 * host can run is decided once and then costs no store writes.
 */
import { counterNames, createCounters, createEventPublisher, createNodeRegistry } from '@god/coord';
import { LimitExceededError, submitJobs, type SubmitDeps } from '@god/jobs';
import { resolveConfig, type Job } from '@god/core';
import type { Store } from '@god/store';
import { afterEach, describe, expect, it } from 'vitest';
import { SchedulerEnv, waitFor } from './test-harness.js';

let env: SchedulerEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const ACTIVE: Job['state'][] = ['pending', 'held', 'scheduled', 'running', 'suspended'];
const bob = { id: 'bob', uid: 1002, gid: 1002, sgids: [], home: '/home/bob' };

/** Submission as the API does it, with its counters, on the environment's store and Redis. */
function submitDeps(e: SchedulerEnv, maxPerUser: number): SubmitDeps {
  return {
    store: e.store,
    counters: createCounters({ redis: e.redis, keys: e.keys }),
    publisher: createEventPublisher({ redis: e.redis, keys: e.keys }),
    limits: {
      ...resolveConfig().limits,
      max_pending_per_user: maxPerUser,
      max_pending: 0,
      max_array_tasks: 1_000,
    },
    constraints: [],
    access: { volumes: [], security: { allow_root: false, root_users: [] } },
  };
}

/**
 * Pending tasks of `user` by the store alone: each pending or held job or task is one, and an
 * array not ended adds its tasks not made yet.
 */
async function pendingInStore(store: Store, user: string): Promise<number> {
  const jobs = (await store.listJobs({ user, state: ACTIVE }, { limit: 10_000 })).jobs;
  const made = new Map<number, number>();
  for (const j of (await store.listJobs({ user }, { limit: 10_000 })).jobs)
    if (j.parent !== null) made.set(j.parent, (made.get(j.parent) ?? 0) + 1);
  let n = 0;
  for (const j of jobs) {
    const array = j.parent === null ? j.requirements.array : null;
    if (array !== null) n += array.count - (made.get(j.id) ?? 0);
    else if (j.state === 'pending' || j.state === 'held') n += 1;
  }
  return n;
}

/** The per-user and overall counters, as numbers. */
async function counters(e: SchedulerEnv, user: string): Promise<[number, number]> {
  const c = createCounters({ redis: e.redis, keys: e.keys });
  return [await c.get(counterNames.pendingOfUser(user)), await c.get(counterNames.pending())];
}

/** Waits until both counters equal `expected` and the store says the same; returns it. */
async function countersSettle(e: SchedulerEnv, user: string, expected: number): Promise<void> {
  let last: number[] = [];
  await waitFor(
    `counters at ${expected}`,
    async () => {
      last = [...(await counters(e, user)), await pendingInStore(e.store, user)];
      return last.every((n) => n === expected);
    },
    20_000,
  ).catch(() => {
    throw new Error(`user, overall counters and store: ${last.join(', ')}, not ${expected}`);
  });
}

describe('arrays against the pending limits', () => {
  it('counts every task of an array, through starts, a new leader and a kill', async () => {
    env = await SchedulerEnv.create({ sets: ['scheduler.array_window=10'] });
    const deps = submitDeps(env, 20);
    const array = (spec: string) => ({
      container: { image: 'busybox' },
      command: { cmd: 'true' },
      requirements: { array: spec, cpu: 4 },
      env: { FAKE_RUNTIME_MS: '60000' },
    });
    const err = await submitJobs(deps, bob, [array('21')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'max_pending_per_user' });
    const [parent] = await submitJobs(deps, bob, [array('20')]);
    const plain = { container: { image: 'busybox' }, command: { cmd: 'true' } };
    await expect(submitJobs(deps, bob, [plain])).rejects.toBeInstanceOf(LimitExceededError);
    expect(await counters(env, 'bob')).toEqual([20, 20]);

    // 4 shards of 4 cores: 4 tasks run, 6 more are made and wait, 10 are not made yet.
    const first = await env.startScheduler();
    await waitFor('4 tasks running', async () => {
      const running = await env!.store.listJobs({ parent: parent!.id, state: ['running'] });
      return running.jobs.length === 4;
    });
    await countersSettle(env, 'bob', 16);
    const [late] = await submitJobs(deps, bob, [{ ...plain, env: { FAKE_RUNTIME_MS: '50' } }]);
    await countersSettle(env, 'bob', 17);

    // A new leader rewrites the counters from the store: the same numbers.
    await env.redis.hset(env.keys.counters(), counterNames.pendingOfUser('bob'), '3');
    await first.stop();
    const second = await env.startScheduler();
    await waitFor('new leader', () => second.isLeader());
    await countersSettle(env, 'bob', 17);

    // A kill of the running array gives back its waiting tasks and the unmade ones.
    expect(
      (
        await env.store.transition(parent!.id, 'running', 'over', {
          outcome: 'killed',
          reason: 'killed by bob',
        })
      ).ok,
    ).toBe(true);
    await env.changed(parent!.id);
    await env.waitJob(late!.id, 'ends', (j) => j.state === 'over', 20_000);
    await countersSettle(env, 'bob', 0);
  });

  it('counts a job put back to pending again, in maintenance too', async () => {
    env = await SchedulerEnv.create();
    const s = await env.startScheduler();
    const deps = submitDeps(env, 20);
    const long = { container: { image: 'busybox' }, command: { cmd: 'true' } };
    const [job] = await submitJobs(deps, bob, [{ ...long, env: { FAKE_RUNTIME_MS: '60000' } }]);
    const running = await env.waitJob(job!.id, 'runs', (j) => j.state === 'running');
    await countersSettle(env, 'bob', 0);
    await s.setMaintenance(true);
    await waitFor('paused', () => s.leader()?.maintenance === true);
    // What the watcher does on a reschedule (or a lost host with retries left).
    const reason = 'rescheduled by bob';
    const moved = await env.store.transition(
      job!.id,
      'running',
      'pending',
      { reason, why: { code: 'NEW', message: reason } },
      { expect: { attempts: running.attempts } },
    );
    expect(moved.ok).toBe(true);
    await env.changed(job!.id);
    await countersSettle(env, 'bob', 1);
  });

  it('gives back the tasks of an array as they start and end', async () => {
    env = await SchedulerEnv.create({ sets: ['scheduler.array_window=3'] });
    await env.startScheduler();
    const deps = submitDeps(env, 20);
    const [parent] = await submitJobs(deps, bob, [
      {
        container: { image: 'busybox' },
        command: { cmd: 'true' },
        requirements: { array: '1:20%2' },
        env: { FAKE_RUNTIME_MS: '20' },
      },
    ]);
    const ended = await env.waitJob(parent!.id, 'ends', (j) => j.state === 'over', 30_000);
    expect(ended.outcome).toBe('success');
    await countersSettle(env, 'bob', 0);
  });
});

/** A decorator over the real store that counts every call that writes. */
function countingWrites(store: Store): { store: Store; writes: string[] } {
  const reads = new Set([
    'getJob',
    'listJobs',
    'fenceEpoch',
    'countActive',
    'getUser',
    'listUsers',
    'getApiKey',
    'listApiKeys',
    'getProject',
    'listProjects',
    'usageTotals',
    'usageByDay',
    'close',
  ]);
  const writes: string[] = [];
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string' || reads.has(name)) return value;
      return (...args: unknown[]): unknown => {
        writes.push(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, writes };
}

/** Waits for `passes` more scheduling passes and at least `ms` of time. */
async function passesAndTime(e: SchedulerEnv, passes: number, ms: number): Promise<void> {
  const leader = () => e.schedulers[0]!.leader()!;
  const from = leader().passes;
  const until = performance.now() + ms;
  await waitFor(
    `${passes} passes and ${ms} ms`,
    () => leader().passes >= from + passes && performance.now() >= until,
    ms + 20_000,
  );
}

describe('an array no host can run', () => {
  it('is rejected whole with one reason, makes no task and then writes nothing', async () => {
    let counted: ReturnType<typeof countingWrites> | undefined;
    env = await SchedulerEnv.create({
      sets: ['scheduler.array_window=50'],
      schedulerStore: (s) => (counted = countingWrites(s)).store,
    });
    await env.startScheduler();
    await waitFor('leadership', () => env!.schedulers[0]!.leader()?.lastPass);
    const before = counted!.writes.length;
    const parent = await env.submit({ requirements: { array: '100000', cpu: 64 } });
    const ended = await env.waitJob(parent.id, 'is rejected', (j) => j.state === 'over');
    expect(ended).toMatchObject({ outcome: 'rejected' });
    expect(ended.status.reason).toMatch(/needs 64 cores/);
    expect((await env.store.listJobs({ parent: parent.id })).jobs).toEqual([]);
    const decided = counted!.writes.length;
    // Several passes, and ticks past scheduler.host_timeout_ms (2 s here): no write at all.
    await passesAndTime(env, 20, 2 * env.config.scheduler.host_timeout_ms + 500);
    expect(counted!.writes.slice(decided)).toEqual([]);
    // The decision itself: its why-pending, and the one rejection of the whole array.
    expect(counted!.writes.slice(before, decided)).toEqual(['setPendingReason', 'transition']);
  });

  it('stops making tasks when the only host its tasks fit leaves', async () => {
    let counted: ReturnType<typeof countingWrites> | undefined;
    env = await SchedulerEnv.create({
      sets: ['scheduler.array_window=20'],
      schedulerStore: (s) => (counted = countingWrites(s)).store,
    });
    // One more host with a 32-core shard, heartbeating from here (no agent takes its jobs).
    const registry = createNodeRegistry({ redis: env.redis, keys: env.keys });
    const shard = { id: 'numa0', mems: '0', gpus: [], ramGB: 64 };
    const cores = Array.from({ length: 32 }, (_, i) => i);
    const big = { name: 'big', labels: {}, reservedFor: null, portRange: null };
    await registry.register({ ...big, shards: [{ ...shard, cores }] });
    const beat = setInterval(() => void registry.heartbeat('big'), 200);
    let parentId = 0;
    try {
      await env.startScheduler();
      parentId = (await env.submit({ requirements: { array: '100000', cpu: 16 } })).id;
      await waitFor('2 tasks placed on big, 18 made and waiting', async () => {
        const tasks = (await env!.store.listJobs({ parent: parentId })).jobs;
        const placed = tasks.filter((t) => t.state === 'scheduled').length;
        return tasks.length === 20 && placed === 2;
      });
    } finally {
      clearInterval(beat);
    }
    await registry.remove('big');
    await waitFor('waiting tasks rejected', async () => {
      const tasks = (await env!.store.listJobs({ parent: parentId, state: ['over'] })).jobs;
      return tasks.length === 18 && tasks.every((t) => t.outcome === 'rejected');
    });
    const decided = counted!.writes.length;
    await passesAndTime(env, 20, 2 * env.config.scheduler.host_timeout_ms + 500);
    expect(counted!.writes.slice(decided)).toEqual([]);
    expect((await env.store.listJobs({ parent: parentId })).jobs).toHaveLength(20);
    // Its 2 placed tasks are the watcher's (host lost); the array ends after them.
    expect(await env.store.getJob(parentId)).toMatchObject({ state: 'running' });
  });

  it('waits unmade while no host is registered, with one why-pending and no writes', async () => {
    let counted: ReturnType<typeof countingWrites> | undefined;
    env = await SchedulerEnv.create({ schedulerStore: (s) => (counted = countingWrites(s)).store });
    await env.agent.stop();
    const registry = createNodeRegistry({ redis: env.redis, keys: env.keys });
    const timeout = env.config.scheduler.host_timeout_ms;
    await waitFor('no live host', async () => (await registry.alive(timeout)).length === 0);
    await env.startScheduler();
    const parent = await env.submit({ requirements: { array: '1000' } });
    await env.waitJob(parent.id, 'says why', (j) => j.why?.message === 'no hosts are registered');
    const decided = counted!.writes.length;
    await passesAndTime(env, 20, 2 * timeout + 500);
    expect(counted!.writes.slice(decided)).toEqual([]);
    expect(await env.store.getJob(parent.id)).toMatchObject({ state: 'pending' });
    expect((await env.store.listJobs({ parent: parent.id })).jobs).toEqual([]);
  });
});
