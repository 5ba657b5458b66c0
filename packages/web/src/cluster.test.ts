/**
 * The cluster, maintenance and fair-share routes over HTTP on a real web process, as two users
 * and an admin: others' jobs appear only as 'busy', others' standing not at all.
 */
import { EVENTS, type HostInfo, type Job } from '@god/core';
import { createNodeRegistry } from '@god/coord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placementCores } from './api/cluster-view.js';
import { ClusterView, FairshareView } from './api/schemas.js';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
  bob = await h.user('bob');
  admin = await h.user('boss', { admin: true });
});
afterAll(async () => {
  await h?.stop();
});

function host(name: string): HostInfo {
  return {
    name,
    labels: { zone: 'a' },
    shards: [
      { id: 'numa0', mems: '0', cores: [0, 1, 2, 3], ramGB: 16, gpus: [0, 1] },
      { id: 'numa1', mems: '1', cores: [4, 5], ramGB: 8, gpus: [] },
    ],
    reservedFor: null,
    portRange: null,
  };
}

/** Stores a job of `owner` and places it as the scheduler would. */
async function placed(
  owner: TestUser,
  name: string,
  at: { host: string; shard: string; cpus: string; gpus: number[] },
  ramGB: number,
): Promise<Job> {
  const job = await h.jobOf(owner, { meta: { name }, requirements: { ram: ramGB } });
  const placement = { ...at, mems: '0', ports: [] };
  await h.store.transition(job.id, 'pending', 'scheduled', { placement, epoch: 1 });
  const r = await h.store.transition(job.id, 'scheduled', 'running', {});
  if (!r.ok) throw new Error('could not start the job');
  return r.job;
}

describe('placementCores', () => {
  it('reads a placement’s cpuset list, and no cores from a malformed one', () => {
    expect(placementCores('0-3,8')).toEqual([0, 1, 2, 3, 8]);
    expect(placementCores('5')).toEqual([5]);
    expect(placementCores('')).toEqual([]);
    expect(placementCores('3-1')).toEqual([]);
    expect(placementCores('a-b')).toEqual([]);
  });
});

describe('GET /cluster', () => {
  let aliceJob: Job;
  let bobJob: Job;
  beforeAll(async () => {
    const { redis, keys } = h.web.ctx;
    const registry = createNodeRegistry({ redis, keys });
    await registry.register(host('h1'));
    await registry.register(host('h0'));
    // h0's last heartbeat long ago: listed, not alive.
    await redis.zadd(keys.nodes(), 1_000, 'h0');
    aliceJob = await placed(
      alice,
      'alice-secret-name',
      { host: 'h1', shard: 'numa0', cpus: '0-1', gpus: [1] },
      2,
    );
    bobJob = await placed(
      bob,
      'bob-secret-name',
      { host: 'h1', shard: 'numa0', cpus: '3', gpus: [] },
      1,
    );
  });

  it('shows hosts, liveness, and each core and GPU with the caller’s jobs named', async () => {
    const view = await alice.client.cluster();
    expect(ClusterView.parse(view)).toEqual(view);
    expect(view.maintenance).toBe(false);
    expect(view.hosts.map((x) => [x.name, x.alive])).toEqual([
      ['h0', false],
      ['h1', true],
    ]);
    const [numa0, numa1] = view.hosts[1]!.shards;
    const mine = { id: aliceJob.id, user: 'alice', name: 'alice-secret-name' };
    expect(numa0!.cores).toEqual([
      { id: 0, job: mine },
      { id: 1, job: mine },
      { id: 2, job: null },
      { id: 3, job: 'busy' },
    ]);
    expect(numa0!.gpus).toEqual([
      { id: 0, job: null },
      { id: 1, job: mine },
    ]);
    expect([numa0!.ramGB, numa0!.ramUsedGB, numa1!.ramUsedGB]).toEqual([16, 3, 0]);
    expect(view.hosts[0]!.shards[0]!.cores.every((c) => c.job === null)).toBe(true);
  });

  it('never tells a user another user’s job id, name or login', async () => {
    const view = await bob.client.cluster();
    const text = JSON.stringify(view);
    for (const secret of ['alice-secret-name', '"alice"']) expect(text).not.toContain(secret);
    const holders = view.hosts.flatMap((x) =>
      x.shards.flatMap((s) => [...s.cores, ...s.gpus].map((c) => c.job)),
    );
    const named = holders.flatMap((j) => (j === null || j === 'busy' ? [] : [j.id]));
    expect(named).toEqual([bobJob.id]);
    expect(text).toContain('bob-secret-name');
    const cores = (await bob.client.cluster()).hosts[1]!.shards[0]!.cores.map((c) => c.job);
    expect(cores[0]).toBe('busy');
    expect(cores[3]).toEqual({ id: bobJob.id, user: 'bob', name: 'bob-secret-name' });
  });

  it('names everyone’s jobs to an administrator', async () => {
    const cores = (await admin.client.cluster()).hosts[1]!.shards[0]!.cores.map((c) => c.job);
    expect(cores[0]).toEqual({ id: aliceJob.id, user: 'alice', name: 'alice-secret-name' });
    expect(cores[3]).toEqual({ id: bobJob.id, user: 'bob', name: 'bob-secret-name' });
  });

  it('needs credentials', async () => {
    expect((await failure(h.client().cluster())).status).toBe(401);
  });
});

describe('GET and PUT /maintenance', () => {
  it('lets anyone read the flag and only administrators set it, as god maintenance does', async () => {
    const { redis, keys } = h.web.ctx;
    expect(await alice.client.maintenance()).toEqual({ maintenance: false });
    const refused = await failure(alice.client.setMaintenance(true));
    expect([refused.status, refused.code]).toEqual([403, 'FORBIDDEN']);
    expect(await redis.hget(keys.schedulerSettings(), 'maintenance')).toBeNull();

    const before = await redis.xlen(keys.events());
    expect(await admin.client.setMaintenance(true)).toEqual({ maintenance: true });
    expect(await redis.hget(keys.schedulerSettings(), 'maintenance')).toBe('1');
    // The leader learns of it from a settings event, as with `god maintenance on`.
    const [newest] = await redis.xrevrange(keys.events(), '+', '-', 'COUNT', 1);
    expect(await redis.xlen(keys.events())).toBe(before + 1);
    expect(newest![1].join(' ')).toContain(EVENTS.settings);
    expect(await bob.client.maintenance()).toEqual({ maintenance: true });
    expect((await bob.client.cluster()).maintenance).toBe(true);

    expect(await admin.client.setMaintenance(false)).toEqual({ maintenance: false });
    expect(await redis.hget(keys.schedulerSettings(), 'maintenance')).toBe('0');
    expect(await alice.client.maintenance()).toEqual({ maintenance: false });
  });

  it('answers 400 naming the field for a bad body', async () => {
    for (const body of [{ maintenance: 'yes' }, {}, { maintenance: true, extra: 1 }]) {
      const err = await failure(admin.client.call('PUT', '/maintenance', { body }));
      expect(err.status).toBe(400);
      expect(err.issues.map((i) => i.path).join(',')).toMatch(/maintenance|extra/);
    }
  });
});

describe('GET /fairshare under FIFO', () => {
  it('shows usage only, and a user only their own row', async () => {
    const now = Date.now();
    const entry = { project: 'default', at: now - 3_600_000, ramGBSeconds: 0, gpuSeconds: 0 };
    await h.store.recordUsage({
      ...entry,
      jobId: 9001,
      user: 'alice',
      cpuSeconds: 100,
      wallSeconds: 100,
    });
    await h.store.recordUsage({
      ...entry,
      jobId: 9002,
      user: 'bob',
      cpuSeconds: 50,
      wallSeconds: 50,
    });
    const view = await alice.client.fairshare();
    expect(FairshareView.parse(view)).toEqual(view);
    expect(view.policy).toBe('fifo');
    expect(view.users.map((u) => u.user)).toEqual(['alice']);
    expect(view.users[0]).toMatchObject({ share: null, priority: null, factors: null, rank: null });
    expect(view.users[0]!.usage).toBeGreaterThan(90);
    const all = await admin.client.fairshare();
    expect(all.users.map((u) => u.user)).toEqual(['alice', 'bob', 'boss']);
  });
});
