import { EVENTS, type ExitReport, type Job } from '@god/core';
import { createEventPublisher, silentLogger } from '@god/coord';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCompletionHandler, type CompletionHandler } from './completion.js';
import { Harness } from './test-helpers.js';

let h: Harness;
let complete: CompletionHandler;
beforeEach(async () => {
  h = await Harness.create();
  const events = createEventPublisher({ redis: h.redis, keys: h.keys });
  complete = createCompletionHandler({ store: h.store, events, logger: silentLogger });
});
afterEach(async () => {
  await h.close();
});

/** A job placed and running (as an agent would have left it). */
async function running(): Promise<Job> {
  const job = await h.submit();
  await h.place(job.id);
  const res = await h.store.transition(job.id, 'scheduled', 'running', { at: 1_000_000 });
  if (!res.ok) throw new Error('not started');
  return res.job;
}

/** An exit report of job `id`: 10 s of one core, ended at 1 010 000. */
function makeReport(id: number, over: Partial<ExitReport> = {}): ExitReport {
  return {
    jobId: id,
    outcome: 'success',
    exitcode: 0,
    reason: 'exit code 0',
    startedAt: 1_000_000,
    endedAt: 1_010_000,
    usage: { cpuSeconds: 10, ramGBSeconds: 20, gpuSeconds: 0, wallSeconds: 10, maxRamBytes: 1 },
    ...over,
  };
}

const ended = async (): Promise<unknown[]> =>
  (await h.events()).filter((e) => e.type === EVENTS.ended).map((e) => [e.jobId, e.outcome]);

describe('completion', () => {
  it('ends a running job with the report, books usage at the end time, publishes job.ended', async () => {
    const job = await running();
    expect(await complete(makeReport(job.id, { outcome: 'failed', exitcode: 2 }))).toBe('ended');
    expect(await h.store.getJob(job.id)).toMatchObject({
      state: 'over',
      outcome: 'failed',
      status: { exitcode: 2, reason: 'exit code 0', dates: { ended: 1_010_000 } },
      usage: { cpuSeconds: 10, wallSeconds: 10 },
    });
    const day = await h.store.usageByDay({ since: 0 });
    expect(day).toMatchObject([{ user: 'alice', project: 'default', cpuSeconds: 10, jobs: 1 }]);
    expect(await h.store.usageTotals({ since: 1_010_001 })).toMatchObject({ jobs: 0 });
    expect(await ended()).toEqual([[job.id, 'failed']]);
  });

  it('repeats booking and event for a report already applied, without booking twice', async () => {
    const job = await running();
    const report = makeReport(job.id);
    expect(await complete(report)).toBe('ended');
    expect(await complete(report)).toBe('repeated');
    expect(await h.store.usageTotals({ since: 0 })).toMatchObject({ jobs: 1, cpuSeconds: 10 });
    expect(await ended()).toEqual([
      [job.id, 'success'],
      [job.id, 'success'],
    ]);
  });

  it('makes the task directory harmless before the job is over, and not over when that fails', async () => {
    const job = await running();
    const events = createEventPublisher({ redis: h.redis, keys: h.keys });
    const seen: string[] = [];
    let fail = true;
    const guarded = createCompletionHandler({
      store: h.store,
      events,
      logger: silentLogger,
      sanitize: async (j) => {
        seen.push((await h.store.getJob(j.id))!.state);
        if (fail) throw new Error('disk gone');
      },
    });
    await expect(guarded(makeReport(job.id))).rejects.toThrow('disk gone');
    expect((await h.store.getJob(job.id))?.state).toBe('running');
    fail = false;
    expect(await guarded(makeReport(job.id))).toBe('ended');
    expect(seen).toEqual(['running', 'running']);
  });

  it('leaves a job that ended otherwise alone', async () => {
    const job = await running();
    await h.store.transition(job.id, 'running', 'over', { outcome: 'lost', reason: 'host lost' });
    expect(await complete(makeReport(job.id))).toBe('already-over');
    expect(await h.store.getJob(job.id)).toMatchObject({ outcome: 'lost' });
    expect(await h.store.usageTotals({ since: 0 })).toMatchObject({ jobs: 0 });
    expect(await ended()).toEqual([]);
  });

  it('ignores a report about another attempt or a job that queued again', async () => {
    const job = await running();
    expect(await complete(makeReport(job.id), { attempt: 2 })).toBe('stale');
    await h.store.transition(job.id, 'running', 'pending');
    expect(await complete(makeReport(job.id))).toBe('stale');
    await h.place(job.id);
    expect(await complete(makeReport(job.id), { attempt: 1 })).toBe('stale');
    expect((await h.store.getJob(job.id))?.state).toBe('scheduled');
    expect(await complete(makeReport(999))).toBe('unknown');
    expect(await ended()).toEqual([]);
  });

  it('ends a suspended job that exits on its own with its true outcome', async () => {
    const job = await running();
    await h.store.transition(job.id, 'running', 'suspended');
    expect(await complete(makeReport(job.id), { attempt: 1 })).toBe('ended');
    expect(await h.store.getJob(job.id)).toMatchObject({ state: 'over', outcome: 'success' });
  });

  it('ends a suspended job killed directly', async () => {
    const job = await running();
    await h.store.transition(job.id, 'running', 'suspended');
    const report = makeReport(job.id, { outcome: 'killed', exitcode: null, reason: 'by bob' });
    expect(await complete(report)).toBe('ended');
    expect(await h.store.getJob(job.id)).toMatchObject({
      outcome: 'killed',
      status: { reason: 'by bob', exitcode: null },
    });
  });
});
