import type { QueuedJob, SchedulingPolicy, UsageTracking } from '@god/core';
import { describe, expect, it } from 'vitest';
import { LeaderState } from './leader-state.js';
import { createCluster } from './placement/index.js';
import { schedJobOf } from './sched-job.js';
import type { SchedJob } from './sched-job.js';

/** The fields of a pending job the leader state and a policy read. */
function job(id: number): SchedJob {
  return {
    ...schedJobOf({
      id,
      parent: null,
      user: { id: 'ann', project: 'lab' },
      status: { dates: { submitted: id } },
      requirements: { cpu: 1, ram: 1, gpus: 0, ports: [], label: [], tasks: [], maxlifespan: 60 },
    } as unknown as Parameters<typeof schedJobOf>[0]),
  };
}

/** A policy with only the ordering contract: submission order, no optional ability. */
function orderingOnly(): SchedulingPolicy {
  const jobs = new Map<number, QueuedJob>();
  return {
    name: 'ordering-only',
    add: (j) => void jobs.set(j.id, j),
    remove: (id) => jobs.delete(id),
    has: (id) => jobs.has(id),
    size: () => jobs.size,
    ordered: () => [...jobs.values()].sort((a, b) => a.submitted - b.submitted)[Symbol.iterator](),
  };
}

describe('LeaderState and the policy abilities', () => {
  it('runs a policy that has only the ordering contract: no usage calls, no stubs needed', () => {
    const state = new LeaderState(orderingOnly(), createCluster([]));
    expect(state.usage).toBeNull();
    state.enqueue(job(1));
    state.enqueue(job(2));
    const first = state.policy.ordered(0).next();
    expect(first.done === true ? null : first.value.id).toBe(1);
    const placed = state.forget(1);
    expect(placed).toBeDefined();
    state.place(placed!, 10);
    expect(state.release(1)?.since).toBe(10);
    expect(state.policy.size()).toBe(1);
  });

  it('reports a start to a policy that tracks usage, once the job is placed', () => {
    const started: number[] = [];
    const policy: UsageTracking = {
      ...orderingOnly(),
      started: (j) => void started.push(j.id),
      ended: () => undefined,
      charge: () => undefined,
    };
    const state = new LeaderState(policy, createCluster([]));
    expect(state.usage).toBe(policy);
    state.enqueue(job(3));
    state.place(state.forget(3)!, 10);
    expect(started).toEqual([3]);
  });
});
