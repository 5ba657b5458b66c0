/**
 * The Store contract on the MongoDB wire protocol (the FerretDB started by the global setup,
 * a fresh database per test), plus crash recovery that only the MongoDB adapter needs.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, inject, it } from 'vitest';
import { makeJob, makeJobIn, listAll } from './contract-fixtures.js';
import { createMongoStore, type MongoStoreOptions } from './mongo.js';
import type { JobDoc } from './mongo-jobs.js';
import { runStoreContract } from './store.contract.js';
import type { Store } from './store.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mongodb://` URL of the FerretDB the global setup started. */
    mongoUrl: string;
  }
}

const url = inject('mongoUrl');
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

  it('keeps finished jobs in jobs_done only, with the id stored once as _id', async () => {
    const running = await makeJobIn(store, 'running');
    const over = await makeJobIn(store, 'over');
    expect(
      await active()
        .find()
        .map((d) => d._id)
        .toArray(),
    ).toEqual([running.id]);
    expect(
      await done()
        .find()
        .map((d) => d._id)
        .toArray(),
    ).toEqual([over.id]);
    const raw = await done().findOne({ _id: over.id });
    expect(raw).not.toHaveProperty('id');
    expect(await fx.db().collection('locks').countDocuments()).toBe(0);
  });

  it('serves a move cut short after its compare-and-set, and completes it', async () => {
    const job = await makeJobIn(store, 'running');
    // A crash right after the CAS into `over`: the job is over but still in `jobs`.
    await active().updateOne({ _id: job.id }, { $set: { state: 'over', outcome: 'lost' } });
    const seen = await store.getJob(job.id);
    expect(seen).toMatchObject({ state: 'over', outcome: 'lost' });
    expect(await listAll(store, { state: 'over' })).toEqual([seen]);
    expect(await listAll(store, { state: 'running' })).toEqual([]);
    expect(await store.countActive()).toMatchObject({ running: 0 });
    // over -> archived finishes the move first, then archives in jobs_done.
    const r = await store.transition(job.id, 'over', 'archived');
    expect(r).toMatchObject({ ok: true, job: { state: 'archived' } });
    expect(await active().countDocuments()).toBe(0);
    expect(await done().findOne({ _id: job.id })).toMatchObject({ state: 'archived' });
  });

  it('prefers the jobs_done copy when a crash left both, and sweeps on open', async () => {
    const job = await makeJobIn(store, 'archived');
    // A crash between the copy into jobs_done and the delete from jobs, then archiving.
    const raw = await done().findOne({ _id: job.id });
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

  it('creates the indexes listing relies on', async () => {
    const keys = (await active().indexes()).map((i) => Object.keys(i.key as object).join(','));
    expect(keys).toEqual(
      expect.arrayContaining(['state,_id', 'user.id,_id', 'user.project,_id', 'meta.tags,_id']),
    );
    await store.insertJobs([makeJob()]);
  });
});
