/**
 * The Store contract on the MongoDB wire protocol (the FerretDB started by the global setup,
 * a fresh database per test), plus crash recovery that only the MongoDB adapter needs.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, type CommandStartedEvent, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { GodError } from '@god/core';
import { services } from '@god/testkit';
import { makeJob, makeJobIn, makePlacement, listAll } from './contract-fixtures.js';
import { createMongoStore, openMongoStore, type MongoStoreOptions } from './mongo.js';
import type { JobDoc } from './mongo-jobs.js';
import { jobKey } from './mongo-keys.js';
import { MongoLocks, type LockDoc } from './mongo-lock.js';
import { runStoreContract } from './store.contract.js';
import type { Store } from './store.js';

const url = services.mongoUrl();
let admin: MongoClient;

beforeAll(async () => {
  admin = await MongoClient.connect(url);
});
afterAll(async () => {
  await admin.close();
});

/** A fresh database and every store opened on it, for one test. */
function makeMongoFixture(extra: Partial<MongoStoreOptions> = {}) {
  const name = `god_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const s = await createMongoStore({ url, db: name, ...extra });
    opened.push(s);
    return s;
  };
  return {
    db: (): Db => admin.db(name),
    open,
    async destroy() {
      for (const s of opened) await s.close();
      await admin.db(name).dropDatabase();
    },
  };
}

runStoreContract('mongodb', async () => {
  const fx = makeMongoFixture();
  return { store: await fx.open(), open: () => fx.open(), destroy: () => fx.destroy() };
});

describe('MongoDB adapter', () => {
  let fx: ReturnType<typeof makeMongoFixture>;
  let store: Store;
  beforeEach(async () => {
    fx = makeMongoFixture({ lockLeaseMs: 300 });
    store = await fx.open();
  });
  afterEach(async () => {
    await fx.destroy();
  });

  const active = () => fx.db().collection<JobDoc>('jobs');
  const done = () => fx.db().collection<JobDoc>('jobs_done');

  it('keeps finished jobs in jobs_done only, with the id stored once as a string _id', async () => {
    const running = await makeJobIn(store, 'running');
    const over = await makeJobIn(store, 'over');
    expect(
      await active()
        .find()
        .map((d) => d._id)
        .toArray(),
    ).toEqual([jobKey(running.id)]);
    expect(
      await done()
        .find()
        .map((d) => d._id)
        .toArray(),
    ).toEqual([jobKey(over.id)]);
    expect(jobKey(over.id)).toBe(String(over.id).padStart(15, '0'));
    const raw = await done().findOne({ _id: jobKey(over.id) });
    expect(raw).not.toHaveProperty('id');
    expect(await fx.db().collection('locks').countDocuments()).toBe(0);
  });

  it('reads the RAM of jobs stored as a number of GB as bytes, before and after a write', async () => {
    const gb = await makeJobIn(store, 'pending');
    const over = await makeJobIn(store, 'over');
    await active().updateOne({ _id: jobKey(gb.id) }, { $set: { 'requirements.ram': 2 } });
    await done().updateOne({ _id: jobKey(over.id) }, { $set: { 'requirements.ram': 0.5 } });
    expect((await store.getJob(gb.id))?.requirements.ram).toBe(2 * 2 ** 30);
    expect((await store.getJob(over.id))?.requirements.ram).toBe(2 ** 29);
    const held = await store.transition(gb.id, 'pending', 'held', {});
    expect(held.ok && held.job.requirements.ram).toBe(2 * 2 ** 30);
    expect((await store.getJob(gb.id))?.requirements.ram).toBe(2 * 2 ** 30);
  });

  it('serves a move cut short after its compare-and-set, and completes it', async () => {
    const job = await makeJobIn(store, 'running');
    // A crash right after the CAS into `over`: the job is over but still in `jobs`.
    await active().updateOne({ _id: jobKey(job.id) }, { $set: { state: 'over', outcome: 'lost' } });
    const seen = await store.getJob(job.id);
    expect(seen).toMatchObject({ state: 'over', outcome: 'lost' });
    expect(await listAll(store, { state: 'over' })).toEqual([seen]);
    expect(await listAll(store, { state: 'running' })).toEqual([]);
    expect(await store.countActive()).toMatchObject({ running: 0 });
    // over -> archived finishes the move first, then archives in jobs_done.
    const r = await store.transition(job.id, 'over', 'archived');
    expect(r).toMatchObject({ ok: true, job: { state: 'archived' } });
    expect(await active().countDocuments()).toBe(0);
    expect(await done().findOne({ _id: jobKey(job.id) })).toMatchObject({ state: 'archived' });
  });

  it('prefers the jobs_done copy when a crash left both, and sweeps on open', async () => {
    const job = await makeJobIn(store, 'archived');
    // A crash between the copy into jobs_done and the delete from jobs, then archiving.
    const raw = await done().findOne({ _id: jobKey(job.id) });
    await active().insertOne({
      ...raw!,
      state: 'over',
      status: { ...raw!.status, primary: 'over' },
    });
    expect(await store.getJob(job.id)).toEqual(job);
    expect(await listAll(store)).toEqual([job]);
    expect(await listAll(store, { state: 'over' })).toEqual([]);
    await fx.open();
    expect(await active().countDocuments()).toBe(0);
    expect(await store.getJob(job.id)).toEqual(job);
  });

  it('breaks a lock whose holder died once its lease ran out', async () => {
    const job = await makeJobIn(store, 'pending');
    await fx
      .db()
      .collection<{ _id: string; token: string; at: number }>('locks')
      .insertOne({
        _id: `job:${job.id}`,
        token: 'dead-holder',
        at: Date.now(),
      });
    const started = Date.now();
    const r = await store.transition(job.id, 'pending', 'held');
    expect(r.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('lists ids past 10^9 in order: keys compare as the numbers they spell', async () => {
    await fx
      .db()
      .collection<{ _id: string; value: number }>('counters')
      .updateOne({ _id: 'job_id' }, { $set: { value: 999_999_996 } }, { upsert: true });
    const jobs = await store.insertJobs(Array.from({ length: 6 }, () => makeJob()));
    const ids = jobs.map((j) => j.id);
    expect(ids).toEqual([
      999_999_997, 999_999_998, 999_999_999, 1_000_000_000, 1_000_000_001, 1_000_000_002,
    ]);
    expect(await active().findOne({ _id: '000001000000000' })).not.toBeNull();
    // One of them finished, so the pages merge both collections across the 10^9 boundary.
    await store.transition(ids[3]!, 'pending', 'over', { outcome: 'killed' });
    expect((await listAll(store, {}, 2)).map((j) => j.id)).toEqual(ids);
    expect((await listAll(store, { afterId: 999_999_999 }, 1)).map((j) => j.id)).toEqual(
      ids.slice(3),
    );
    expect((await listAll(store, { state: 'over' })).map((j) => j.id)).toEqual([ids[3]]);
    expect((await listAll(store, { state: 'pending', afterId: 1_000_000_000 })).length).toBe(2);
    expect((await store.listJobs({ afterId: 10 ** 16 })).jobs).toEqual([]);
    for (const job of jobs) expect((await store.getJob(job.id))?.id).toBe(job.id);
    // Ids no key can spell name no job.
    for (const id of [-1, 1.5, 10 ** 15, Number.NaN]) {
      expect(await store.getJob(id)).toBeNull();
      expect(await store.transition(id, 'pending', 'held')).toEqual({ ok: false, actual: null });
      expect(await store.setPendingReason(id, null)).toBe(false);
    }
  });

  it('reads and writes one job with filters on a string _id alone', async () => {
    // What FerretDB v1 pushes down to SQLite; any other filter decodes the whole collection.
    const client = new MongoClient(url, { monitorCommands: true });
    await client.connect();
    const watched = await openMongoStore(client, fx.db().databaseName);
    const seen: Array<{ command: string; coll: unknown; filter: unknown }> = [];
    const filtersOf = (e: CommandStartedEvent): unknown[] => {
      const c: Document = e.command;
      if (e.commandName === 'find' || e.commandName === 'count') return [c['filter'] ?? {}];
      if (e.commandName === 'findAndModify') return [c['query']];
      if (e.commandName === 'update')
        return (c['updates'] as Document[]).map((u): unknown => u['q']);
      if (e.commandName === 'delete')
        return (c['deletes'] as Document[]).map((d): unknown => d['q']);
      return [];
    };
    client.on('commandStarted', (e) => {
      const coll: unknown = e.command[e.commandName];
      for (const filter of filtersOf(e)) seen.push({ command: e.commandName, coll, filter });
    });
    try {
      const [a, b] = await watched.insertJobs([makeJob(), makeJob()]);
      const fence = { fence: { name: 'scheduler', epoch: 1 } };
      await watched.raiseFence('scheduler', 1);
      const placed = { placement: makePlacement(), epoch: 1 };
      await watched.transition(a!.id, 'pending', 'scheduled', placed, fence);
      await watched.transitionMany([{ id: b!.id, from: 'pending', to: 'held' }], fence);
      await watched.setPendingReason(b!.id, { code: 'HELD', message: 'by request' });
      await watched.transition(a!.id, 'scheduled', 'running', {}, { expect: { attempts: 1 } });
      await watched.transition(a!.id, 'pending', 'held');
      await watched.transition(a!.id, 'running', 'over', { outcome: 'success', exitcode: 0 });
      await watched.transition(a!.id, 'over', 'archived');
      await watched.getJob(a!.id);
      const usage = { cpuSeconds: 1, ramGBSeconds: 1, gpuSeconds: 0, wallSeconds: 1 };
      const entry = { jobId: a!.id, user: 'alice', project: 'default', at: 1, ...usage };
      await watched.recordUsage(entry);
      await watched.recordUsage({ ...entry, cpuSeconds: 2 });
    } finally {
      await watched.close();
    }
    const perJob = seen.filter((s) => ['jobs', 'jobs_done', 'usage'].includes(String(s.coll)));
    expect(perJob.length).toBeGreaterThan(10);
    const oneStringId = { _id: expect.any(String) as unknown };
    for (const s of perJob)
      expect(s.filter, `${s.command} on ${String(s.coll)}`).toEqual(oneStringId);
    // Writes to the lock collection stay small; nothing else scans.
    const others = seen.filter((s) => !perJob.includes(s));
    expect(new Set(others.map((s) => String(s.coll)))).toEqual(new Set(['locks', 'counters']));
  });

  it('refuses a database whose jobs still have numeric _ids', async () => {
    const legacy = makeMongoFixture();
    try {
      await legacy
        .db()
        .collection<{ _id: number; state: string }>('jobs')
        .insertOne({ _id: 42, state: 'pending' });
      const err: unknown = await legacy.open().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GodError);
      expect((err as GodError).message).toMatch(/jobs holds documents whose _id is not a string/);
    } finally {
      await legacy.destroy();
    }
    // A database this version opened once is marked, and not scanned again.
    expect(
      await fx
        .db()
        .collection('counters')
        .findOne({ _id: 'key_format' as never }),
    ).toMatchObject({ value: 2 });
  });

  it('leaves a move cut short alone while someone holds the job, completes it later', async () => {
    const job = await makeJobIn(store, 'running');
    await active().updateOne({ _id: jobKey(job.id) }, { $set: { state: 'over', outcome: 'lost' } });
    const locks = fx.db().collection<LockDoc>('locks');
    await locks.insertOne({ _id: `job:${job.id}`, token: 'someone', at: Date.now() + 60_000 });
    await fx.open();
    expect(await active().countDocuments()).toBe(1);
    expect(await store.getJob(job.id)).toMatchObject({ state: 'over', outcome: 'lost' });
    await locks.deleteMany({});
    await fx.open();
    expect(await active().countDocuments()).toBe(0);
    expect(await done().findOne({ _id: jobKey(job.id) })).toMatchObject({ state: 'over' });
  });

  it('renews a lock held long before writing, and gives up once it was broken', async () => {
    const lockDocs = fx.db().collection<LockDoc>('locks');
    const locks = new MongoLocks(lockDocs, 200);
    const wrote: string[] = [];
    const run = locks.run(
      'k',
      async (lock) => {
        const first = (await lockDocs.findOne({ _id: 'k' }))!.at;
        await lock.beforeWrite();
        expect((await lockDocs.findOne({ _id: 'k' }))!.at).toBe(first);
        wrote.push('fresh');
        await sleep(80);
        await lock.beforeWrite();
        expect((await lockDocs.findOne({ _id: 'k' }))!.at).toBeGreaterThan(first);
        wrote.push('renewed');
        // Someone presumed the holder dead and broke the lock.
        await lockDocs.deleteOne({ _id: 'k' });
        await sleep(80);
        await lock.beforeWrite();
        wrote.push('broken');
      },
      () => Promise.resolve(undefined),
    );
    await expect(run).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(wrote).toEqual(['fresh', 'renewed']);
  });

  it('creates the indexes listing relies on', async () => {
    const keys = (await active().indexes()).map((i) => Object.keys(i.key as object).join(','));
    expect(keys).toEqual(
      expect.arrayContaining(['state,_id', 'user.id,_id', 'user.project,_id', 'meta.tags,_id']),
    );
    await store.insertJobs([makeJob()]);
  });
});
