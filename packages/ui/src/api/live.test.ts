import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Job } from '@god/core/browser';
import type { JobPage } from './extra.js';
import { applyJobEvent } from './live.js';

const job = (id: number, state: Job['state']): Job => ({ id, state, outcome: null }) as Job;

describe('live job events in the query cache', () => {
  it('patches the job where a list or its page shows it, and marks both stale', () => {
    const qc = new QueryClient();
    qc.setQueryData<JobPage>(['jobs', 'list', '', null], {
      jobs: [job(1, 'pending'), job(2, 'pending')],
      nextCursor: null,
    });
    qc.setQueryData<Job>(['job', 1], job(1, 'pending'));
    qc.setQueryData<Job>(['job', 2], job(2, 'pending'));
    applyJobEvent(qc, { type: 'job.ended', jobId: 1, state: 'over', outcome: 'failed' });
    const page = qc.getQueryData<JobPage>(['jobs', 'list', '', null])!;
    expect(page.jobs.map((j) => [j.id, j.state, j.outcome])).toEqual([
      [1, 'over', 'failed'],
      [2, 'pending', null],
    ]);
    expect(qc.getQueryData<Job>(['job', 1])?.state).toBe('over');
    expect(qc.getQueryState(['job', 1])?.isInvalidated).toBe(true);
    expect(qc.getQueryState(['job', 2])?.isInvalidated).toBe(false);
    expect(qc.getQueryState(['jobs', 'list', '', null])?.isInvalidated).toBe(true);
  });

  it('refreshes the lists on a new job, and ignores events without a job', () => {
    const qc = new QueryClient();
    qc.setQueryData<JobPage>(['jobs', 'list', '', null], { jobs: [], nextCursor: null });
    applyJobEvent(qc, { type: 'hosts.changed' });
    expect(qc.getQueryState(['jobs', 'list', '', null])?.isInvalidated).toBe(false);
    applyJobEvent(qc, { type: 'job.submitted', jobId: 9 });
    expect(qc.getQueryState(['jobs', 'list', '', null])?.isInvalidated).toBe(true);
  });
});
