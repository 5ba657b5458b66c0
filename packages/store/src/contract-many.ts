/** Store contract: `transitionMany`, the batched compare-and-set a scheduler pass commits with. */
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '@god/core';
import { makeJob, makeJobIn, makePlacement, type FixtureRef } from './contract-fixtures.js';

/** Batches behave as the same transitions one by one, fenced together. */
export function describeMany(f: FixtureRef): void {
  describe('transitionMany', () => {
    it('applies each compare-and-set on its own and answers in order', async () => {
      const [a, b, c] = await f.store.insertJobs([makeJob(), makeJob(), makeJob()]);
      await f.store.transition(b!.id, 'pending', 'held');
      const placed = { placement: makePlacement(), epoch: 4 };
      const results = await f.store.transitionMany([
        { id: a!.id, from: 'pending', to: 'scheduled', patch: placed },
        { id: b!.id, from: 'pending', to: 'scheduled', patch: placed },
        { id: 999_999, from: 'pending', to: 'scheduled', patch: placed },
        { id: c!.id, from: 'pending', to: 'scheduled', patch: placed },
      ]);
      expect(results.map((r) => (r.ok ? r.job.id : r.actual))).toEqual([
        a!.id,
        'held',
        null,
        c!.id,
      ]);
      for (const r of results)
        if (r.ok) {
          expect(r.job).toMatchObject({ state: 'scheduled', epoch: 4, attempts: 1 });
          expect(await f.store.getJob(r.job.id)).toEqual(r.job);
        }
      expect((await f.store.getJob(b!.id))?.state).toBe('held');
    });

    it('moves jobs into the finished set and back out of the hot counts', async () => {
      const jobs = await Promise.all([
        makeJobIn(f.store, 'running'),
        makeJobIn(f.store, 'running'),
      ]);
      const results = await f.store.transitionMany(
        jobs.map((j) => ({
          id: j.id,
          from: 'running' as const,
          to: 'over' as const,
          patch: { outcome: 'success' as const, exitcode: 0 },
        })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(await f.store.countActive()).toMatchObject({ running: 0 });
      for (const j of jobs) expect((await f.store.getJob(j.id))?.outcome).toBe('success');
    });

    it('refuses the whole batch of a fenced-off epoch and writes nothing', async () => {
      const [a, b] = await f.store.insertJobs([makeJob(), makeJob()]);
      await f.store.raiseFence('scheduler', 5);
      const patch = { placement: makePlacement(), epoch: 4 };
      const results = await f.store.transitionMany(
        [a!, b!].map((j) => ({
          id: j.id,
          from: 'pending' as const,
          to: 'scheduled' as const,
          patch,
        })),
        { fence: { name: 'scheduler', epoch: 4 } },
      );
      expect(results).toEqual([
        { ok: false, actual: 'pending', fenced: true },
        { ok: false, actual: 'pending', fenced: true },
      ]);
      expect(await f.store.getJob(a!.id)).toEqual(a);
      expect(await f.store.getJob(b!.id)).toEqual(b);
    });

    it('throws on one refused edge before writing any of the batch', async () => {
      const [a, b] = await f.store.insertJobs([makeJob(), makeJob()]);
      await expect(
        f.store.transitionMany([
          { id: a!.id, from: 'pending', to: 'held' },
          { id: b!.id, from: 'pending', to: 'running' },
        ]),
      ).rejects.toBeInstanceOf(IllegalTransitionError);
      expect(await f.store.getJob(a!.id)).toEqual(a);
      expect(await f.store.transitionMany([])).toEqual([]);
    });

    it('lets exactly one of two racing batches take each job', async () => {
      const jobs = await f.store.insertJobs(Array.from({ length: 50 }, () => makeJob()));
      const other = await f.open();
      const batch = (epoch: number) =>
        jobs.map((j) => ({
          id: j.id,
          from: 'pending' as const,
          to: 'scheduled' as const,
          patch: { placement: makePlacement(), epoch },
        }));
      const [one, two] = await Promise.all([
        f.store.transitionMany(batch(1)),
        other.transitionMany(batch(2)),
      ]);
      for (let i = 0; i < jobs.length; i++) {
        expect(Number(one[i]!.ok) + Number(two[i]!.ok)).toBe(1);
        const stored = await f.store.getJob(jobs[i]!.id);
        expect(stored).toMatchObject({
          state: 'scheduled',
          attempts: 1,
          epoch: one[i]!.ok ? 1 : 2,
        });
      }
    });
  });
}
