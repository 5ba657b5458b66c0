/**
 * `GET /jobs/{id}/tasks/summary`: an array job's tasks counted by state and outcome with one
 * grouped query (a million-task array is never loaded). 404 for a job the caller may not see
 * and for one that is not an array job.
 */
import { isFinished, type Job } from '@god/core';
import type { TaskCount } from '@god/store';
import type { z } from 'zod';
import { visibleJob } from '../authz.js';
import type { WebContext } from '../context.js';
import { notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { JobIdParams, TaskSummaryView } from './schemas.js';

type Summary = z.output<typeof TaskSummaryView>;

/**
 * The summary of `array`'s tasks from their counts. Tasks not made yet (the scheduler makes
 * them a window at a time) count as pending while the array is alive, as `other` once it
 * ended (they never will be made).
 */
export function summarize(array: Job, counts: readonly TaskCount[]): Summary {
  const s: Summary = {
    total: array.requirements.array?.count ?? 0,
    pending: 0,
    held: 0,
    scheduled: 0,
    running: 0,
    suspended: 0,
    success: 0,
    failed: 0,
    killed: 0,
    other: 0,
  };
  let made = 0;
  for (const c of counts) {
    made += c.count;
    if (!isFinished(c.state)) s[c.state as Exclude<keyof Summary, 'total'>] += c.count;
    else if (c.outcome === 'success' || c.outcome === 'failed' || c.outcome === 'killed')
      s[c.outcome] += c.count;
    else s.other += c.count;
  }
  const unmade = Math.max(0, s.total - made);
  if (isFinished(array.state)) s.other += unmade;
  else s.pending += unmade;
  // More tasks than announced cannot happen; if it did, the total says what is there.
  s.total = Math.max(s.total, made);
  return s;
}

/** The task summary route. */
export function taskSummaryRoute(ctx: Pick<WebContext, 'config' | 'store' | 'memberships'>): Route {
  return route({
    method: 'get',
    path: '/jobs/{id}/tasks/summary',
    summary: 'an array job’s tasks counted by state and outcome',
    tags: ['jobs'],
    access: 'user',
    params: JobIdParams,
    response: TaskSummaryView,
    handler: async ({ params, principal }) => {
      const job = await visibleJob(ctx, principal, params.id);
      if (job.requirements.array === null || job.parent !== null)
        throw notFound(`array job ${params.id}`);
      return summarize(job, await ctx.store.countTasks(job.id));
    },
  });
}
