import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from './errors.js';
import type { Job, Placement } from './job.js';
import { applyPlan, planTransition } from './transition.js';

const placement: Placement = {
  host: 'h1',
  shard: 'numa0',
  cpus: '0-1',
  mems: '0',
  gpus: [],
  ports: [],
};

/** A pending job with every field filled, as the store would hold it. */
function makeJob(over: Partial<Job> = {}): Job {
  return {
    id: 7,
    state: 'pending',
    outcome: null,
    user: { id: 'alice', uid: 1001, gid: 1001, sgids: [], project: 'default' },
    meta: { name: 'j', description: '', tags: [] },
    requirements: {
      cpu: 1,
      ram: 2 ** 30,
      gpus: 0,
      array: null,
      label: [],
      tasks: [],
      ports: [],
      tmpstorage: null,
      maxlifespan: 0,
      executor: null,
      group: null,
    },
    container: { image: 'busybox', volumes: [], root: false },
    command: { cmd: 'true', interactive: false },
    env: {},
    parent: null,
    taskId: null,
    status: {
      primary: 'pending',
      secondary: '',
      reason: '',
      exitcode: null,
      dates: { submitted: 1, scheduled: null, started: null, ended: null, archived: null },
    },
    why: { code: 'NEW', message: 'waiting for the scheduler' },
    placement: null,
    epoch: 0,
    attempts: 0,
    usage: null,
    ...over,
  };
}

describe('planTransition', () => {
  it('runs a job through its life with dates, status, placement and attempts', () => {
    let job = makeJob();
    job = applyPlan(job, planTransition('pending', 'scheduled', { placement, epoch: 3, at: 10 }));
    expect(job).toMatchObject({ state: 'scheduled', placement, epoch: 3, attempts: 1, why: null });
    expect(job.status).toMatchObject({ primary: 'running', secondary: 'scheduled' });
    expect(job.status.dates.scheduled).toBe(10);

    job = applyPlan(job, planTransition('scheduled', 'running', { at: 20 }));
    expect(job.status.dates.started).toBe(20);
    expect(job.status).toMatchObject({ primary: 'running', secondary: '' });

    job = applyPlan(
      job,
      planTransition('running', 'over', {
        outcome: 'failed',
        exitcode: 3,
        reason: 'exit code 3',
        at: 30,
      }),
    );
    expect(job).toMatchObject({ state: 'over', outcome: 'failed' });
    expect(job.status).toMatchObject({
      primary: 'over',
      secondary: 'failed',
      exitcode: 3,
      reason: 'exit code 3',
    });
    expect(job.status.dates.ended).toBe(30);

    job = applyPlan(job, planTransition('over', 'archived', { at: 40 }));
    expect(job).toMatchObject({ state: 'archived', outcome: 'failed' });
    expect(job.status).toMatchObject({ primary: 'archived', secondary: 'failed' });
    expect(job.status.dates.archived).toBe(40);
  });

  it('releases the placement and resets the start when a job queues again', () => {
    let job = applyPlan(makeJob(), planTransition('pending', 'scheduled', { placement, at: 10 }));
    job = applyPlan(job, planTransition('scheduled', 'running', { at: 11 }));
    job = applyPlan(job, planTransition('running', 'pending', { reason: 'rescheduled' }));
    expect(job).toMatchObject({ state: 'pending', placement: null, attempts: 1 });
    expect(job.status.dates).toMatchObject({ scheduled: null, started: null, submitted: 1 });
    expect(job.why?.code).toBe('NEW');
    job = applyPlan(job, planTransition('pending', 'scheduled', { placement, at: 12 }));
    expect(job.attempts).toBe(2);
  });

  it('refuses edges the state machine refuses, and a scheduled without placement', () => {
    expect(() => planTransition('pending', 'running')).toThrow(IllegalTransitionError);
    expect(() => planTransition('running', 'over')).toThrow(IllegalTransitionError);
    expect(() => planTransition('pending', 'scheduled')).toThrow(/needs a placement/);
    expect(() => planTransition('scheduled', 'running', { placement })).toThrow(
      /only on a transition to scheduled/,
    );
  });

  it('lets only an array job go from pending to running', () => {
    expect(() => planTransition('pending', 'running')).toThrow(/only an array job/);
    const job = applyPlan(
      makeJob(),
      planTransition('pending', 'running', { arrayParent: true, at: 9 }),
    );
    expect(job).toMatchObject({ state: 'running', placement: null, why: null });
    expect(job.status.dates.started).toBe(9);
  });

  it('does not change the job it is applied to', () => {
    const job = makeJob();
    const before = structuredClone(job);
    applyPlan(job, planTransition('pending', 'held'));
    expect(job).toEqual(before);
  });
});
