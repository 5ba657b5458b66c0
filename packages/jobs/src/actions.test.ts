import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GodError, ValidationError, resolveConfig, type Account } from '@god/core';
import {
  createCounters,
  createEventPublisher,
  createKeys,
  createQueues,
  createRedisFromUrl,
  queueNames,
  redisOptionsFromUrl,
  type Queues,
  type Redis,
} from '@god/coord';
import { createSqliteStore, type Store } from '@god/store';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  UnchangeableFieldError,
  archiveFor,
  holdOrRelease,
  requestFor,
  updateFor,
  type Actor,
  type JobActionDeps,
} from './actions.js';
import { submitJobs } from './submit.js';

const account = (id: string, uid: number): Account => ({
  id,
  uid,
  gid: uid,
  sgids: [],
  home: `/home/${id}`,
  email: `${id}@example.org`,
});
const alice: Actor = { id: 'alice', admin: false, account: account('alice', 1001) };
const bob: Actor = { id: 'bob', admin: false, account: account('bob', 1002) };

let dir: string;
let store: Store;
let redis: Redis;
let queues: Queues;
let deps: JobActionDeps;
let submit: (owner: Actor) => Promise<number>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-actions-'));
  store = createSqliteStore({ path: join(dir, 'god.db') });
  redis = createRedisFromUrl(inject('redisUrl'));
  const keys = createKeys(`t-${randomBytes(6).toString('hex')}`);
  queues = createQueues({ connection: redisOptionsFromUrl(inject('redisUrl')), keys });
  const config = resolveConfig();
  const publisher = createEventPublisher({ redis, keys });
  // Owners only: project sharing is the web's visibility, passed in like any other.
  deps = {
    config,
    store,
    queues,
    publisher,
    visible: (a, job) => Promise.resolve(a.id === job.user.id),
  };
  const counters = createCounters({ redis, keys });
  submit = async (owner) => {
    const a = owner.account;
    const [job] = await submitJobs(
      { store, counters, publisher, limits: config.limits, constraints: [], access: config },
      { id: a.id, uid: a.uid, gid: a.gid, sgids: a.sgids, home: a.home },
      [{ container: { image: 'busybox' }, command: { cmd: 'true' } }],
    );
    return job!.id;
  };
});
afterEach(async () => {
  await queues.closeAll();
  redis.disconnect();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** The error a call rejects with, as code and message. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof GodError ? { code: e.code, message: e.message } : e),
  );

describe('job actions', () => {
  it('fail a job the actor may not see exactly like a job that does not exist', async () => {
    const bobs = await submit(bob);
    const calls: Array<(id: number) => Promise<unknown>> = [
      (id) => requestFor(deps, alice, id, 'kill'),
      (id) => archiveFor(deps, alice, id),
      (id) => holdOrRelease(deps, alice, id, 'hold'),
      (id) => updateFor(deps, alice, id, { name: 'mine' }),
    ];
    for (const call of calls) {
      expect(await failure(call(bobs))).toEqual({
        code: 'NOT_FOUND',
        message: `job ${bobs} not found`,
      });
      expect(await failure(call(999_999))).toEqual({
        code: 'NOT_FOUND',
        message: 'job 999999 not found',
      });
    }
    expect((await store.getJob(bobs))?.state).toBe('pending');
  });

  it('check the state before queuing, and queue what is allowed', async () => {
    const id = await submit(alice);
    expect(await failure(requestFor(deps, alice, id, 'suspend'))).toMatchObject({
      code: 'CONFLICT',
    });
    expect(await failure(archiveFor(deps, alice, id))).toMatchObject({ code: 'CONFLICT' });
    const asked = await requestFor(deps, alice, id, 'kill', 'enough');
    const queued = await queues.createQueue(queueNames.control).getJob(asked.messageId);
    expect(queued?.data).toEqual({ action: 'kill', jobId: id, by: 'alice', reason: 'enough' });
  });

  it('hold and release by compare-and-set', async () => {
    const id = await submit(alice);
    expect(await holdOrRelease(deps, alice, id, 'hold')).toEqual({ jobId: id, state: 'held' });
    expect(await holdOrRelease(deps, alice, id, 'hold')).toEqual({ jobId: id, state: 'held' });
    expect(await holdOrRelease(deps, alice, id, 'release')).toEqual({
      jobId: id,
      state: 'pending',
    });
  });

  it('refuse a field outside web.dynamic_fields with an UnchangeableFieldError naming it', async () => {
    const id = await submit(alice);
    const err = await updateFor(deps, alice, id, { maxlifespan: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnchangeableFieldError);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['maxlifespan']);
    expect((await updateFor(deps, alice, id, { name: 'renamed' })).meta.name).toBe('renamed');
  });
});
