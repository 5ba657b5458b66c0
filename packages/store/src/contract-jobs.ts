/** Store contract, part 1: inserting, reading and counting jobs. */
import { describe, expect, it } from 'vitest';
import { ValidationError, type Job, type NewJob } from '@god/core';
import { listAll, makeFullJob, makeJob, makeJobIn, type FixtureRef } from './contract-fixtures.js';

/** What a stored new job must look like: independent of the adapters' own builder. */
function expectedRecord(job: NewJob, id: number, submitted: number): Job {
  const { submitted: _s, ...rest } = job;
  return {
    ...structuredClone(rest),
    id,
    outcome: null,
    status: {
      primary: 'pending',
      secondary: job.state === 'held' ? 'hold' : '',
      reason: '',
      exitcode: null,
      dates: { submitted, scheduled: null, started: null, ended: null, archived: null },
    },
    placement: null,
    epoch: 0,
    attempts: 0,
    usage: null,
  };
}

/** Inserts, reads, atomicity, ids. */
export function describeInsert(f: FixtureRef): void {
  describe('insertJobs / getJob', () => {
    it('round-trips every field of a job', async () => {
      const input = makeFullJob();
      const [job] = await f.store.insertJobs([input]);
      const expected = expectedRecord(input, job!.id, 1_700_000_000_123);
      expect(job).toEqual(expected);
      expect(await f.store.getJob(job!.id)).toEqual(expected);
      expect((await f.store.listJobs()).jobs).toEqual([expected]);
      // And from a second connection, so nothing came from a cache.
      expect(await (await f.open()).getJob(job!.id)).toEqual(expected);
    });

    it('stamps the submission time when none is given', async () => {
      const before = Date.now();
      const [job] = await f.store.insertJobs([makeJob()]);
      const after = Date.now();
      expect(job!.status.dates.submitted).toBeGreaterThanOrEqual(before);
      expect(job!.status.dates.submitted).toBeLessThanOrEqual(after);
      expect(job).toEqual(expectedRecord(makeJob(), job!.id, job!.status.dates.submitted));
    });

    it('returns jobs in order with strictly increasing ids', async () => {
      const names = Array.from({ length: 50 }, (_, i) => `j${i}`);
      const jobs = await f.store.insertJobs(
        names.map((name) => makeJob({ meta: { name, description: '', tags: [] } })),
      );
      expect(jobs.map((j) => j.meta.name)).toEqual(names);
      for (let i = 1; i < jobs.length; i++) expect(jobs[i]!.id).toBeGreaterThan(jobs[i - 1]!.id);
      expect((await listAll(f.store)).map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    });

    it('inserts nothing when one job of the batch fails mid-way', async () => {
      const [first] = await f.store.insertJobs([makeJob()]);
      const bad = makeJob();
      // Fails only when the store reads the name, i.e. while it writes the batch.
      bad.meta = Object.defineProperty({ description: '', tags: [] }, 'name', {
        enumerable: true,
        get(): string {
          throw new Error('unreadable name');
        },
      }) as unknown as NewJob['meta'];
      await expect(f.store.insertJobs([makeJob(), makeJob(), bad, makeJob()])).rejects.toThrow(
        'unreadable name',
      );
      expect((await listAll(f.store)).map((j) => j.id)).toEqual([first!.id]);
      const [next] = await f.store.insertJobs([makeJob()]);
      expect(next!.id).toBeGreaterThan(first!.id);
      expect(await f.store.getJob(next!.id)).not.toBeNull();
    });

    it('refuses a job that does not start pending or held, writing nothing', async () => {
      const wrong = { ...makeJob(), state: 'running' } as unknown as NewJob;
      const err: unknown = await f.store.insertJobs([makeJob(), wrong]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['[1].state']);
      expect(await listAll(f.store)).toEqual([]);
    });

    it('accepts an empty batch and answers null for an unknown id', async () => {
      expect(await f.store.insertJobs([])).toEqual([]);
      expect(await f.store.getJob(424242)).toBeNull();
    });
  });

  describe('job ids', () => {
    it('never reuses an id, even after the job moved to the finished table and a restart', async () => {
      const done = await makeJobIn(f.store, 'archived');
      const other = await f.open();
      const [next] = await other.insertJobs([makeJob()]);
      expect(next!.id).toBeGreaterThan(done.id);
      expect(await other.getJob(done.id)).toEqual(done);
    });

    it('gives disjoint ids to concurrent inserts from two stores', async () => {
      const other = await f.open();
      const batches = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? f.store : other).insertJobs([makeJob(), makeJob(), makeJob()]),
        ),
      );
      const ids = batches.flat().map((j) => j.id);
      expect(new Set(ids).size).toBe(60);
      for (const b of batches) expect(b[2]!.id - b[0]!.id).toBe(2);
      expect((await listAll(f.store)).length).toBe(60);
    });
  });
}

/** setPendingReason and countActive. */
export function describeCounters(f: FixtureRef): void {
  describe('setPendingReason', () => {
    it('updates why of pending and held jobs only, leaving the state alone', async () => {
      const pending = await makeJobIn(f.store, 'pending');
      const held = await makeJobIn(f.store, 'held');
      const running = await makeJobIn(f.store, 'running');
      const why = { code: 'QUOTA' as const, message: 'over the cpu quota' };
      expect(await f.store.setPendingReason(pending.id, why)).toBe(true);
      expect(await f.store.setPendingReason(held.id, why)).toBe(true);
      expect(await f.store.setPendingReason(running.id, why)).toBe(false);
      expect(await f.store.setPendingReason(999_999, why)).toBe(false);
      expect(await f.store.getJob(pending.id)).toEqual({ ...pending, why });
      expect(await f.store.getJob(held.id)).toEqual({ ...held, why });
      expect(await f.store.getJob(running.id)).toEqual(running);
    });
  });

  describe('countActive', () => {
    it('counts active jobs per state, never finished ones', async () => {
      expect(await f.store.countActive()).toEqual({
        pending: 0,
        held: 0,
        scheduled: 0,
        running: 0,
        suspended: 0,
      });
      const bob = { id: 'bob', uid: 2, gid: 2, sgids: [], project: 'p2' };
      for (const s of ['pending', 'pending', 'held', 'running', 'over', 'archived'] as const) {
        await makeJobIn(f.store, s);
      }
      await makeJobIn(f.store, 'suspended', { user: bob });
      await makeJobIn(f.store, 'pending', { user: bob });
      expect(await f.store.countActive()).toEqual({
        pending: 3,
        held: 1,
        scheduled: 0,
        running: 1,
        suspended: 1,
      });
      const bobs = { pending: 1, held: 0, scheduled: 0, running: 0, suspended: 1 };
      expect(await f.store.countActive({ user: 'bob' })).toEqual(bobs);
      expect(await f.store.countActive({ project: 'p2' })).toEqual(bobs);
      expect(await f.store.countActive({ user: 'alice', project: 'p2' })).toEqual({
        ...bobs,
        pending: 0,
        suspended: 0,
      });
    });
  });
}
