/** The fenced writer against the real SQLite store: a writer of an older term writes nothing. */
import { afterEach, describe, expect, it } from 'vitest';
import { createFencedWriter, FencedError } from './fenced-writer.js';
import { SchedulerEnv } from './test-harness.js';

let env: SchedulerEnv | null = null;
afterEach(async () => {
  await env?.close();
  env = null;
});

const placement = { host: 'h0', shard: 's0', cpus: '0', mems: '0', gpus: [], ports: [] };

describe('fenced writer', () => {
  it('refuses every write of a stale epoch and leaves the job as it was', async () => {
    env = await SchedulerEnv.create();
    const job = await env.submit({});
    const stale = createFencedWriter(env.store, 'scheduler', 1);
    expect(await stale.raise()).toBe(true);
    const current = createFencedWriter(env.store, 'scheduler', 2);
    expect(await current.raise()).toBe(true);
    expect(await stale.raise()).toBe(false);

    const patch = { placement, epoch: 1, reason: 'stale', at: Date.now() };
    await expect(stale.placeMany([{ id: job.id, patch }])).rejects.toBeInstanceOf(FencedError);
    await expect(stale.transition(job.id, 'pending', 'held', { reason: 'stale' })).rejects.toThrow(
      FencedError,
    );
    await expect(
      stale.transitionJob(job.id, 'pending', 'over', { outcome: 'rejected', reason: 'stale' }),
    ).rejects.toThrow('epoch 1 is fenced off by a newer leader');
    const after = await env.store.getJob(job.id);
    expect(after).toMatchObject({ state: 'pending', placement: null, epoch: job.epoch });
    expect(after?.status.reason).toBe(job.status.reason);
  });

  it('writes with the current epoch, and reports a job that moved on as false, not fenced', async () => {
    env = await SchedulerEnv.create();
    const job = await env.submit({});
    const writer = createFencedWriter(env.store, 'scheduler', 3);
    expect(await writer.raise()).toBe(true);
    const patch = { placement, epoch: 3, reason: 'placed', at: Date.now() };
    const [placed] = await writer.placeMany([{ id: job.id, patch }]);
    expect(placed).toMatchObject({ id: job.id, state: 'scheduled', epoch: 3 });
    expect(await writer.transition(job.id, 'pending', 'held', { reason: 'late' })).toBe(false);
  });
});
