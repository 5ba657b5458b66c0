/**
 * Live job events (`GET /api/v1/events`, SSE, cookie auth) applied to the query cache: a state
 * change patches the job where a cached list or page shows it, then the job is read again (an
 * event is a hint; the API has the truth); a new job refreshes the lists. EventSource
 * reconnects by itself after a drop.
 */
import { useEffect } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Job, JobState } from '@god/core/browser';
import type { JobPage } from './extra.js';

/** The events the server sends (packages/web live.ts). */
export const JOB_EVENTS = ['job.submitted', 'job.changed', 'job.started', 'job.ended'] as const;

/** The data of a job event: the event's fields plus the job's state now. */
export interface JobEvent {
  type: string;
  jobId?: number;
  state?: JobState;
  outcome?: Job['outcome'];
}

/** Applies one event to the cache; exported for tests. */
export function applyJobEvent(qc: QueryClient, e: JobEvent): void {
  const id = e.jobId;
  if (id === undefined) return;
  if (e.state !== undefined) {
    const state = e.state;
    const patch = (j: Job): Job =>
      j.id === id ? { ...j, state, outcome: e.outcome ?? j.outcome } : j;
    qc.setQueriesData<JobPage>({ queryKey: ['jobs'] }, (page) =>
      page === undefined ? page : { ...page, jobs: page.jobs.map(patch) },
    );
    qc.setQueryData<Job>(['job', id], (j) => (j === undefined ? j : patch(j)));
  }
  void qc.invalidateQueries({ queryKey: ['job', id] });
  if (e.type === 'job.submitted' || e.type === 'job.ended')
    void qc.invalidateQueries({ queryKey: ['jobs'] });
  void qc.invalidateQueries({ queryKey: ['summary'] });
  void qc.invalidateQueries({ queryKey: ['cluster'] });
}

/** Keeps the cache current while mounted (one EventSource for the app). */
export function useLiveEvents(enabled: boolean): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/events');
    const on = (m: MessageEvent<string>): void => {
      try {
        applyJobEvent(qc, JSON.parse(m.data) as JobEvent);
      } catch {
        // A malformed event is skipped: the next poll or event brings the truth.
      }
    };
    for (const name of JOB_EVENTS) source.addEventListener(name, on);
    return () => source.close();
  }, [enabled, qc]);
}
