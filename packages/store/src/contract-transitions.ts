/** Store contract, part 3: transitions — stamping, compare-and-set, refusal, concurrency. */
import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  allowedEdges,
  type Job,
  type JobOutcome,
  type JobState,
  type TransitionPatch,
} from '@god/core';
import { listAll, makeJobIn, makePlacement, type FixtureRef } from './contract-fixtures.js';
import type { Store, TransitionResult } from './store.js';

const T = 1_800_000_000_000;

/** GO-Docker's status per state, written out here rather than taken from core. */
const PRIMARY: Record<JobState, string> = {
  pending: 'pending',
  held: 'pending',
  scheduled: 'running',
  running: 'running',
  suspended: 'running',
  over: 'over',
  archived: 'archived',
};
const SECONDARY: Partial<Record<JobState, string>> = {
  pending: '',
  held: 'hold',
  scheduled: 'scheduled',
  running: '',
  suspended: 'suspended',
};
const OUTCOME_SECONDARY: Record<JobOutcome, string> = {
  success: '',
  failed: 'failed',
  killed: 'killed',
  quota: 'quota reached',
  rejected: 'rejected',
  lost: 'lost',
};

function patchFor(from: JobState, to: JobState, outcome: JobOutcome | null): TransitionPatch {
  return {
    at: T,
    reason: `${from} to ${to}`,
    ...(to === 'scheduled' ? { placement: makePlacement({ host: 'h9' }), epoch: 9 } : {}),
    // Only an array job runs straight from pending (its tasks are what gets placed).
    ...(from === 'pending' && to === 'running' ? { arrayParent: true } : {}),
    ...(outcome !== null ? { outcome, exitcode: 3 } : {}),
  };
}

/** The job after one edge, spelled out field by field. */
function expectedAfter(before: Job, to: JobState, outcome: JobOutcome | null): Job {
  const e = structuredClone(before);
  const from = before.state;
  e.state = to;
  e.status.reason = `${from} to ${to}`;
  e.status.primary = PRIMARY[to] as Job['status']['primary'];
  if (to === 'scheduled') {
    e.placement = makePlacement({ host: 'h9' });
    e.epoch = 9;
    e.attempts += 1;
    e.why = null;
    e.status.dates.scheduled = T;
  } else if (to === 'running' && from === 'scheduled') {
    e.status.dates.started = T;
  } else if (to === 'running' && from === 'pending') {
    e.status.dates.started = T;
    e.why = null;
  } else if (to === 'pending' || to === 'held') {
    e.placement = null;
    e.outcome = null;
    e.why =
      to === 'held'
        ? { code: 'HELD', message: 'held by request' }
        : { code: 'NEW', message: 'waiting for the scheduler' };
    e.status.dates.scheduled = null;
    e.status.dates.started = null;
  } else if (to === 'over') {
    e.outcome = outcome;
    e.status.exitcode = 3;
    e.status.dates.ended = T;
    e.why = null;
  } else if (to === 'archived') {
    e.status.dates.archived = T;
  }
  const secondary = SECONDARY[to];
  if (secondary !== undefined) e.status.secondary = secondary;
  else if (to === 'over') e.status.secondary = OUTCOME_SECONDARY[outcome!];
  return e;
}

function okJob(r: TransitionResult): Job {
  if (!r.ok) throw new Error(`transition failed, actual state ${String(r.actual)}`);
  return r.job;
}

/** Every allowed edge, with every outcome it may carry. */
export function describeEdges(f: FixtureRef): void {
  describe('transition stamping', () => {
    const cases = allowedEdges().flatMap(
      ({
        from,
        to,
        outcomes,
      }): Array<{ from: JobState; to: JobState; outcome: JobOutcome | null }> =>
        outcomes.length === 0
          ? [{ from, to, outcome: null }]
          : outcomes.map((outcome) => ({ from, to, outcome })),
    );
    for (const { from, to, outcome } of cases) {
      it(`${from} -> ${to}${outcome === null ? '' : ` (${outcome})`}`, async () => {
        const before = await makeJobIn(f.store, from);
        const job = okJob(
          await f.store.transition(before.id, from, to, patchFor(from, to, outcome)),
        );
        expect(job).toEqual(expectedAfter(before, to, outcome));
        expect(await f.store.getJob(before.id)).toEqual(job);
      });
    }
  });
}

/** Several edges in a row: what a job keeps and what it resets. */
export function describeLifecycle(f: FixtureRef): void {
  describe('transition sequences', () => {
    it('keeps start time, usage and outcome through a whole life', async () => {
      const s = f.store;
      const job = await makeJobIn(s, 'pending');
      const usage = {
        cpuSeconds: 40,
        ramGBSeconds: 10,
        gpuSeconds: 0,
        wallSeconds: 10,
        maxRamBytes: 5e8,
      };
      await s.transition(job.id, 'pending', 'scheduled', { placement: makePlacement(), at: 1000 });
      await s.transition(job.id, 'scheduled', 'running', { at: 2000 });
      await s.transition(job.id, 'running', 'suspended', { at: 3000 });
      await s.transition(job.id, 'suspended', 'running', { at: 4000 });
      okJob(
        await s.transition(job.id, 'running', 'over', {
          outcome: 'success',
          exitcode: 0,
          usage,
          at: 5000,
        }),
      );
      const done = okJob(await s.transition(job.id, 'over', 'archived', { at: 6000 }));
      expect(done.status).toEqual({
        primary: 'archived',
        secondary: '',
        reason: '',
        exitcode: 0,
        dates: {
          submitted: job.status.dates.submitted,
          scheduled: 1000,
          started: 2000,
          ended: 5000,
          archived: 6000,
        },
      });
      expect(done).toMatchObject({
        outcome: 'success',
        usage,
        attempts: 1,
        placement: makePlacement(),
      });
    });

    it('requeues a running job and counts the second placement', async () => {
      const job = await makeJobIn(f.store, 'running');
      const back = okJob(
        await f.store.transition(job.id, 'running', 'pending', { reason: 'host lost' }),
      );
      expect(back).toMatchObject({ placement: null, attempts: 1, epoch: 1, why: { code: 'NEW' } });
      expect(back.status.dates).toMatchObject({ scheduled: null, started: null });
      const again = okJob(
        await f.store.transition(job.id, 'pending', 'scheduled', {
          placement: makePlacement(),
          epoch: 5,
        }),
      );
      expect(again).toMatchObject({ attempts: 2, epoch: 5 });
    });
  });
}

/** Compare-and-set refusals and finished jobs. */
export function describeCas(f: FixtureRef): void {
  describe('transition compare-and-set', () => {
    it('fails on a stale from and changes nothing', async () => {
      const running = await makeJobIn(f.store, 'running');
      const archived = await makeJobIn(f.store, 'archived');
      const placement = makePlacement();
      const stale: Array<[Job, JobState, JobState, TransitionPatch]> = [
        [running, 'pending', 'scheduled', { placement }],
        [running, 'suspended', 'running', {}],
        [archived, 'over', 'archived', {}],
        [archived, 'running', 'over', { outcome: 'success' }],
      ];
      for (const [job, from, to, patch] of stale) {
        expect(await f.store.transition(job.id, from, to, patch)).toEqual({
          ok: false,
          actual: job.state,
        });
        expect(await f.store.getJob(job.id)).toEqual(job);
      }
      expect(await f.store.transition(987_654, 'pending', 'held')).toEqual({
        ok: false,
        actual: null,
      });
    });

    it('throws on a refused edge or patch and writes nothing', async () => {
      const pending = await makeJobIn(f.store, 'pending');
      const refused: Array<[JobState, JobState, TransitionPatch]> = [
        ['pending', 'running', {}],
        ['pending', 'pending', {}],
        ['pending', 'over', {}],
        ['pending', 'over', { outcome: 'success' }],
        ['pending', 'held', { outcome: 'killed' }],
        ['over', 'pending', {}],
        ['archived', 'over', { outcome: 'killed' }],
      ];
      for (const [from, to, patch] of refused) {
        await expect(f.store.transition(pending.id, from, to, patch)).rejects.toBeInstanceOf(
          IllegalTransitionError,
        );
        await expect(f.store.transition(424_242, from, to, patch)).rejects.toBeInstanceOf(
          IllegalTransitionError,
        );
      }
      // A placement is required on the way to scheduled, and refused elsewhere.
      await expect(f.store.transition(pending.id, 'pending', 'scheduled')).rejects.toThrow();
      await expect(
        f.store.transition(pending.id, 'pending', 'held', { placement: makePlacement() }),
      ).rejects.toThrow();
      expect(await f.store.getJob(pending.id)).toEqual(pending);
    });

    it('keeps finished jobs gettable and listable, out of the active counts', async () => {
      const job = await makeJobIn(f.store, 'running');
      const over = okJob(
        await f.store.transition(job.id, 'running', 'over', { outcome: 'failed', exitcode: 1 }),
      );
      expect(await f.store.getJob(job.id)).toEqual(over);
      expect(await listAll(f.store, { state: 'over' })).toEqual([over]);
      expect(await listAll(f.store, { state: 'running' })).toEqual([]);
      expect(await f.store.countActive()).toMatchObject({ running: 0 });
      const archived = okJob(await f.store.transition(job.id, 'over', 'archived'));
      expect(await (await f.open()).getJob(job.id)).toEqual(archived);
      expect(await listAll(f.store, { user: 'alice' })).toEqual([archived]);
      expect(await listAll(f.store, { state: 'over' })).toEqual([]);
    });
  });
}

/** The one-winner rule: concurrent compare-and-sets on one job. */
export function describeConcurrency(f: FixtureRef): void {
  describe('transition concurrency', () => {
    it('lets exactly one of 1000 concurrent identical transitions win', async () => {
      const job = await makeJobIn(f.store, 'pending');
      const results = await race(
        Array.from({ length: 1000 }, () => f.store),
        job.id,
      );
      expectOneWinner(results, await f.store.getJob(job.id));
    });

    it('lets exactly one win when 1000 transitions come through two stores', async () => {
      const job = await makeJobIn(f.store, 'pending');
      const other = await f.open();
      const stores = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? f.store : other));
      const results = await race(stores, job.id);
      expectOneWinner(results, await f.store.getJob(job.id));
    });

    it('lets exactly one of 300 concurrent transitions to different targets win', async () => {
      const job = await makeJobIn(f.store, 'running');
      const targets: Array<[JobState, TransitionPatch]> = [
        ['suspended', {}],
        ['pending', {}],
        ['over', { outcome: 'killed' }],
      ];
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => {
          const [to, patch] = targets[i % 3]!;
          return f.store.transition(job.id, 'running', to, { ...patch, reason: `call ${i}` });
        }),
      );
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      expect(winners).toHaveLength(1);
      const stored = await f.store.getJob(job.id);
      expect(stored?.status.reason).toBe(`call ${winners[0]!}`);
      for (const r of results) if (!r.ok) expect(r.actual).toBe(stored?.state);
    });
  });
}

/** Fires one pending -> scheduled per store, all at once; call i carries epoch i + 1. */
function race(stores: Store[], id: number): Promise<TransitionResult[]> {
  return Promise.all(
    stores.map((s, i) =>
      s.transition(id, 'pending', 'scheduled', { placement: makePlacement(), epoch: i + 1 }),
    ),
  );
}

function expectOneWinner(results: TransitionResult[], stored: Job | null): void {
  const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
  expect(winners).toHaveLength(1);
  expect(stored).toMatchObject({ state: 'scheduled', attempts: 1, epoch: winners[0]! + 1 });
  for (const r of results) if (!r.ok) expect(r).toEqual({ ok: false, actual: 'scheduled' });
}
