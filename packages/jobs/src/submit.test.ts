import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError, resolveConfig } from '@god/core';
import {
  counterNames,
  createCounters,
  createEventPublisher,
  createKeys,
  createRedisFromUrl,
  type Redis,
} from '@god/coord';
import { createSqliteStore, type Store } from '@god/store';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { LimitExceededError, submitJobs, type SubmitDeps } from './submit.js';

const job = { container: { image: 'busybox' }, command: { cmd: 'true' } };
const GiB = 2 ** 30;
const alice = { id: 'alice', uid: 1001, gid: 1001, sgids: [], home: '/home/alice' };

let dir: string;
let store: Store;
let redis: Redis;
let deps: SubmitDeps;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-submit-'));
  store = createSqliteStore({ path: join(dir, 'god.db') });
  redis = createRedisFromUrl(inject('redisUrl'));
  const keys = createKeys(`t-${randomBytes(6).toString('hex')}`);
  deps = {
    store,
    counters: createCounters({ redis, keys }),
    publisher: createEventPublisher({ redis, keys }),
    limits: {
      ...resolveConfig().limits,
      max_pending_per_user: 3,
      max_pending: 5,
      max_array_tasks: 1_000,
    },
    constraints: [{ name: 'zone', values: ['a', 'b'] }],
    access: {
      volumes: [
        { name: 'home', path: '$HOME', acl: 'rw' },
        { name: 'db', path: '/db', acl: 'ro' },
      ],
      security: { allow_root: false, root_users: [] },
    },
  };
});
afterEach(async () => {
  redis.disconnect();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('submitJobs', () => {
  it('fills the configured image, cores and RAM where a job names none', async () => {
    const withDefaults = { ...deps, defaults: { image: 'site/base:1', cpu: 2, ram: 4 * GiB } };
    const [bare, explicit] = await submitJobs(withDefaults, alice, [
      { command: { cmd: 'true' } },
      {
        container: { image: 'busybox' },
        requirements: { cpu: 1, ram: '512M' },
        command: { cmd: 'true' },
      },
    ]);
    expect(bare).toMatchObject({
      container: { image: 'site/base:1' },
      requirements: { cpu: 2, ram: 4 * GiB },
    });
    expect(explicit).toMatchObject({
      container: { image: 'busybox' },
      requirements: { cpu: 1, ram: GiB / 2 },
    });
    // Without configured defaults the image is required, and the error names it.
    await expect(submitJobs(deps, alice, [{ command: { cmd: 'true' } }])).rejects.toThrow(
      /container/,
    );
  });

  it('stores the jobs and counts them as pending for the user and overall', async () => {
    const jobs = await submitJobs(deps, alice, [job, { ...job, hold: true }]);
    expect(jobs.map((j) => j.state)).toEqual(['pending', 'held']);
    expect(await deps.counters.get(counterNames.pendingOfUser('alice'))).toBe(2);
    expect(await deps.counters.get(counterNames.pending())).toBe(2);
  });

  it('refuses a submission over the per-user limit, and then the overall one, writing nothing', async () => {
    await submitJobs(deps, alice, [job, job, job]);
    await expect(submitJobs(deps, alice, [job])).rejects.toThrow(LimitExceededError);
    await expect(submitJobs(deps, alice, [job])).rejects.toThrow(
      'limits.max_pending_per_user is 3 tasks: 3 are already pending and this submission adds 1',
    );
    await submitJobs(deps, { ...alice, id: 'bob' }, [job, job]);
    const err = await submitJobs(deps, { ...alice, id: 'carol' }, [job]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'max_pending', retryable: true });
    expect((await store.listJobs()).jobs).toHaveLength(5);
  });

  it('counts the tasks of an array against the pending limits, not the one record', async () => {
    const limited = {
      ...deps,
      limits: { ...deps.limits, max_pending_per_user: 20, max_pending: 0 },
    };
    const array = (spec: string) => ({ ...job, requirements: { array: spec } });
    const err = await submitJobs(limited, alice, [array('21')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'max_pending_per_user' });
    expect((err as Error).message).toContain('limits.max_pending_per_user is 20 tasks');
    expect((await store.listJobs()).jobs).toHaveLength(0);
    // 1:39:2 is 20 tasks: exactly the limit, and then not one more job.
    await submitJobs(limited, alice, [array('1:39:2%3')]);
    expect(await deps.counters.get(counterNames.pendingOfUser('alice'))).toBe(20);
    await expect(submitJobs(limited, alice, [job])).rejects.toMatchObject({
      limit: 'max_pending_per_user',
    });
    expect(await deps.counters.get(counterNames.pending())).toBe(20);
  });

  it('refuses an array larger than limits.max_array_tasks, naming the field', async () => {
    const big = { ...job, requirements: { array: '1001' } };
    const one = await submitJobs(deps, alice, [big]).catch((e: unknown) => e);
    expect(one).toBeInstanceOf(ValidationError);
    const issues = (one as ValidationError).issues;
    expect(issues.map((i) => i.path)).toEqual(['requirements.array']);
    expect(issues[0]?.message).toContain('limits.max_array_tasks');
    const bulk = await submitJobs(deps, alice, [job, big]).catch((e: unknown) => e);
    expect((bulk as ValidationError).issues.map((i) => i.path)).toEqual([
      'jobs[1].requirements.array',
    ]);
    expect((await store.listJobs()).jobs).toHaveLength(0);
    expect(await deps.counters.get(counterNames.pending())).toBe(0);
    const unlimited = {
      ...deps,
      limits: { ...deps.limits, max_pending_per_user: 0, max_pending: 0, max_array_tasks: 1_000 },
    };
    await submitJobs(unlimited, alice, [{ ...job, requirements: { array: '1000' } }]);
    expect(await deps.counters.get(counterNames.pendingOfUser('alice'))).toBe(1_000);
  });

  it('lets exactly the limit through under concurrent submissions', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => submitJobs(deps, alice, [job])),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await store.listJobs({ user: 'alice' })).jobs).toHaveLength(3);
    expect(await deps.counters.get(counterNames.pendingOfUser('alice'))).toBe(3);
  });

  it('names every bad field of a bulk by index and writes nothing, not even counters', async () => {
    const err = await submitJobs(deps, alice, [
      job,
      { ...job, requirements: { cpu: 0 } },
      { command: { cmd: 'x' } },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual([
      'jobs[1].requirements.cpu',
      'jobs[2].container',
    ]);
    expect((await store.listJobs()).jobs).toHaveLength(0);
    expect(await deps.counters.get(counterNames.pending())).toBe(0);
  });

  it('holds every quantity to limits.job and labels to configured constraints (#19)', async () => {
    const job1 = { max_cpu: 4, max_ram: 8 * GiB, max_gpus: 1, max_maxlifespan: 3600 };
    const limited = { ...deps, limits: { ...deps.limits, job: job1 } };
    const req = (requirements: object): object => ({ ...job, requirements });
    const largest = { cpu: 4, ram: '8G', gpus: 1, maxlifespan: '1h', label: ['zone==a'] };
    const err = await submitJobs(limited, alice, [
      req({ cpu: 5 }),
      req({ ram: '8193M' }),
      req({ gpus: 2 }),
      req({ maxlifespan: 3601 }),
      req({ label: ['zone==c'] }),
      req({ label: ['rack==1'] }),
      req({ ram: 1e-300 }),
      req({ ram: 1e308 }),
      req({ maxlifespan: 1e308 }),
      req({ tmpstorage: '1G' }),
      req(largest),
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual([
      'jobs[0].requirements.cpu',
      'jobs[1].requirements.ram',
      'jobs[2].requirements.gpus',
      'jobs[3].requirements.maxlifespan',
      'jobs[4].requirements.label[0]',
      'jobs[5].requirements.label[0]',
      'jobs[6].requirements.ram',
      'jobs[7].requirements.ram',
      'jobs[8].requirements.maxlifespan',
      'jobs[9].requirements.tmpstorage',
    ]);
    expect((await store.listJobs()).jobs).toHaveLength(0);
    expect(await deps.counters.get(counterNames.pending())).toBe(0);
    const [ok] = await submitJobs(limited, alice, [req(largest)]);
    expect(ok?.requirements).toMatchObject({ cpu: 4, ram: 8 * GiB, gpus: 1, maxlifespan: 3600 });
  });

  it('refuses volumes and root that were not granted, naming each, and writes nothing', async () => {
    const escape = (container: object): object => ({
      ...job,
      container: { image: 'busybox', ...container },
    });
    const err = await submitJobs(deps, alice, [
      escape({ volumes: [{ name: 'home', acl: 'rw' }] }),
      escape({ volumes: [{ name: 'docker-sock' }] }),
      escape({ volumes: [{ name: 'db', acl: 'rw' }] }),
      escape({ root: true }),
      escape({ volumes: [{ name: '../etc' }] }),
      escape({ volumes: [{ name: 'home', acl: 'ro', path: '/var/run/docker.sock' }] }),
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual([
      'jobs[4].container.volumes[0].name',
      'jobs[5].container.volumes[0].path',
    ]);
    // The schema refuses first; the grants are checked on what the schema accepts.
    const denied = await submitJobs(deps, alice, [
      escape({ volumes: [{ name: 'home', acl: 'rw' }] }),
      escape({ volumes: [{ name: 'docker-sock' }] }),
      escape({ volumes: [{ name: 'db', acl: 'rw' }] }),
      escape({ root: true }),
    ]).catch((e: unknown) => e);
    expect((denied as ValidationError).issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'jobs[1].container.volumes[0].name: no volume named "docker-sock" is configured (configured: home, db)',
      'jobs[2].container.volumes[0].acl: volume db is read-only',
      'jobs[3].container.root: user alice may not run jobs as root',
    ]);
    expect((await store.listJobs()).jobs).toHaveLength(0);
    expect(await deps.counters.get(counterNames.pending())).toBe(0);
    const [ok] = await submitJobs(deps, alice, [
      escape({ volumes: [{ name: 'home', acl: 'rw' }] }),
    ]);
    expect(ok?.container.volumes).toEqual([{ name: 'home', acl: 'rw' }]);
  });

  it('gives the counted room back when the store refuses the insert', async () => {
    await store.close();
    await expect(submitJobs(deps, alice, [job, job])).rejects.toThrow();
    expect(await deps.counters.get(counterNames.pendingOfUser('alice'))).toBe(0);
    store = createSqliteStore({ path: join(dir, 'god.db') });
  });
});
