/** Contract: fencing of stale leaders, and the attempt/epoch guard of stale dispatches. */
import { describe, expect, it } from 'vitest';
import type { FixtureRef } from './contract-fixtures.js';
import { makeJob, makePlacement } from './contract-fixtures.js';

/** Fences and expectations are checked atomically with the state. */
export function describeFence(f: FixtureRef): void {
  describe('fencing', () => {
    it('refuses the writes of a fenced-off epoch and changes nothing', async () => {
      const [job] = await f.store.insertJobs([makeJob()]);
      expect(await f.store.fenceEpoch('scheduler')).toBe(0);
      expect(await f.store.raiseFence('scheduler', 2)).toBe(true);
      // Another process sees the same fence.
      const other = await f.open();
      expect(await other.fenceEpoch('scheduler')).toBe(2);
      expect(await other.raiseFence('scheduler', 1)).toBe(false);
      expect(await f.store.fenceEpoch('scheduler')).toBe(2);

      const patch = { placement: makePlacement(), epoch: 1 };
      expect(
        await other.transition(job!.id, 'pending', 'scheduled', patch, {
          fence: { name: 'scheduler', epoch: 1 },
        }),
      ).toEqual({
        ok: false,
        actual: 'pending',
        fenced: true,
      });
      expect(await f.store.getJob(job!.id)).toEqual(job);
      // The current epoch (and a later one) may write; another fence name is independent.
      const ok = await f.store.transition(
        job!.id,
        'pending',
        'scheduled',
        { ...patch, epoch: 2 },
        { fence: { name: 'scheduler', epoch: 2 } },
      );
      expect(ok).toMatchObject({ ok: true, job: { state: 'scheduled', epoch: 2 } });
      expect(await f.store.raiseFence('other', 1)).toBe(true);
    });

    it('refuses a transition whose expected attempt or epoch is stale', async () => {
      const [job] = await f.store.insertJobs([makeJob()]);
      await f.store.transition(job!.id, 'pending', 'scheduled', {
        placement: makePlacement(),
        epoch: 3,
      });
      const before = await f.store.getJob(job!.id);
      for (const expectWrong of [{ attempts: 2 }, { epoch: 2 }, { attempts: 1, epoch: 4 }]) {
        expect(
          await f.store.transition(job!.id, 'scheduled', 'running', {}, { expect: expectWrong }),
        ).toEqual({
          ok: false,
          actual: 'scheduled',
          unexpected: true,
        });
      }
      expect(await f.store.getJob(job!.id)).toEqual(before);
      expect(
        await f.store.transition(
          job!.id,
          'scheduled',
          'running',
          {},
          { expect: { attempts: 1, epoch: 3 } },
        ),
      ).toMatchObject({ ok: true });
    });
  });
}
