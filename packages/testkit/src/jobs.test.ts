import { describe, expect, it } from 'vitest';
import { makeJob, makeNewJob, makeQueuedJob } from './jobs.js';

describe('job builders', () => {
  it('merge nested overrides field by field and keep the other defaults', () => {
    const job = makeNewJob({ requirements: { cpu: 4 }, user: { id: 'bob' }, env: { A: '1' } });
    expect(job.requirements).toMatchObject({ cpu: 4, ram: 2 ** 30, gpus: 0 });
    expect(job.user).toMatchObject({ id: 'bob', uid: 1001 });
    expect(job).toMatchObject({ state: 'pending', env: { A: '1' }, meta: { name: 'job' } });
  });

  it('build a stored job scheduled on fake-1/numa0, status merged', () => {
    const job = makeJob(7, { state: 'running', status: { primary: 'running' } });
    expect(job).toMatchObject({ id: 7, state: 'running', epoch: 1, meta: { name: 'job-7' } });
    expect(job.placement).toMatchObject({ host: 'fake-1', shard: 'numa0' });
    expect(job.status).toMatchObject({ primary: 'running', secondary: 'scheduled' });
  });

  it('build a queued job of one core', () => {
    expect(makeQueuedJob(1, 'bob', 5, { project: 'lab' })).toEqual({
      id: 1,
      user: 'bob',
      project: 'lab',
      submitted: 5,
      cpu: 1,
      ram: 2 ** 30,
      gpus: 0,
    });
  });
});
