import { createEventPublisher, silentLogger } from '@god/coord';
import type { Store } from '@god/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleDispatch } from './dispatch.js';
import { parseControl, parseDispatch } from './messages.js';
import { Harness } from './test-helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.create();
});
afterEach(async () => {
  await h.close();
});

describe('dispatch', () => {
  it('gives back an attempt it took when a new placement slipped in after its check', async () => {
    const job = await h.submit({ FAKE_RUNTIME_MS: '600000' });
    const msg = await h.place(job.id, 1);
    // A store whose read returns the checked job, and then the job is queued and placed again
    // (attempt 2) before the agent's compare-and-set, which only compares the state.
    const racing = Object.create(h.store) as Store;
    racing.getJob = async (id) => {
      const seen = await h.store.getJob(id);
      await h.store.transition(id, 'scheduled', 'pending');
      await h.place(id, 1);
      return seen;
    };
    const deps = {
      store: racing,
      executor: h.executor,
      events: createEventPublisher({ redis: h.redis, keys: h.keys }),
      logger: silentLogger,
      runs: new Map<number, number>(),
    };
    expect(await handleDispatch(deps, { host: 'fake-1', shard: 'numa0' }, msg)).toBe('stale');
    expect(h.executor.startCount(job.id)).toBe(0);
    expect(await h.store.getJob(job.id)).toMatchObject({
      state: 'pending',
      attempts: 2,
      why: { code: 'RESOURCES' },
    });
    expect(deps.runs.size).toBe(0);
  });
});

describe('messages', () => {
  it('reads well-formed dispatch and control messages', () => {
    const msg = { jobId: 1, attempt: 2, epoch: 3, host: 'h', shard: 's' };
    expect(parseDispatch({ ...msg, extra: true })).toEqual(msg);
    expect(parseControl({ jobId: 4, action: 'suspend' })).toEqual({
      jobId: 4,
      action: 'suspend',
      reason: '',
    });
  });

  it.each([
    null,
    'job-1',
    { jobId: 0, attempt: 1, epoch: 1, host: 'h', shard: 's' },
    { jobId: 1, attempt: 1.5, epoch: 1, host: 'h', shard: 's' },
    { jobId: 1, attempt: 1, epoch: -1, host: 'h', shard: 's' },
    { jobId: 1, attempt: 1, epoch: 1, host: 'h' },
  ])('refuses the dispatch message %j', (data) => {
    expect(parseDispatch(data)).toBeNull();
  });

  it.each([null, { jobId: 1, action: 'reschedule' }, { jobId: '1', action: 'kill' }])(
    'refuses the control message %j',
    (data) => {
      expect(parseControl(data)).toBeNull();
    },
  );
});
