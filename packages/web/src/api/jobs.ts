/**
 * The job routes: submit (one and bulk), list, get, kill / suspend / resume / reschedule (queued
 * for the watchers), hold / release (compare-and-set), update of the configured dynamic fields,
 * why-pending and archive. The actions themselves are @god/jobs', shared with GO-Docker's API.
 * Every route that names a job answers 404 for a job the caller may not see.
 */
import { z } from 'zod';
import { JobSubmissionSchema, JobUpdateSchema, ValidationError, type FieldIssue } from '@god/core';
import {
  MAX_BULK,
  archiveFor,
  holdOrRelease,
  requestFor,
  submitFor,
  updateFor,
  why,
} from '@god/jobs';
import type { JobFilter } from '@god/store';
import { listingFilter, visibleJob } from '../authz.js';
import type { WebContext } from '../context.js';
import type { JobServices } from '../job-services.js';
import { route, type Route } from '../http/route.js';
import {
  ControlBody,
  JobIdParams,
  JobPageView,
  JobView,
  ListJobsQuery,
  RequestedView,
  StateView,
} from './schemas.js';

/** The job routes. */
// eslint-disable-next-line max-lines-per-function -- a route table: data, one short entry per route
export function jobRoutes(
  ctx: Pick<WebContext, 'config' | 'store' | 'memberships'>,
  jobs: JobServices,
): Route[] {
  const tags = ['jobs'];
  const control = (action: 'kill' | 'suspend' | 'resume' | 'reschedule', summary: string) =>
    route({
      method: 'post',
      path: `/jobs/{id}/${action}`,
      summary,
      tags,
      access: 'user',
      params: JobIdParams,
      body: ControlBody,
      response: RequestedView,
      status: 202,
      handler: async ({ params, body, principal }) =>
        requestFor(jobs.actions, principal, params.id, action, body.reason),
    });
  return [
    route({
      method: 'post',
      path: '/jobs',
      summary: 'submit a job',
      tags,
      access: 'user',
      bodyDoc: JobSubmissionSchema,
      response: z.object({ job: JobView }),
      status: 201,
      handler: async ({ req, principal }) => {
        const [job] = await submitFor(jobs.submission, principal, [req.body as unknown], false);
        return { job };
      },
    }),
    route({
      method: 'post',
      path: '/jobs/bulk',
      summary: `submit up to ${MAX_BULK} jobs at once: all are accepted or none`,
      tags,
      access: 'user',
      bodyDoc: z.strictObject({ jobs: z.array(JobSubmissionSchema).min(1).max(MAX_BULK) }),
      response: z.object({ ids: z.array(z.number()), count: z.number() }),
      status: 201,
      handler: async ({ req, principal }) => {
        const body: unknown = req.body;
        const list = (body as { jobs?: unknown } | null)?.jobs;
        const extra = body !== null && typeof body === 'object' ? Object.keys(body) : [];
        const issues: FieldIssue[] = extra
          .filter((k) => k !== 'jobs')
          .map((k) => ({ path: k, message: 'unknown field' }));
        if (!Array.isArray(list)) issues.push({ path: 'jobs', message: 'must be a list of jobs' });
        if (issues.length > 0) throw new ValidationError('invalid submission', issues);
        const stored = await submitFor(jobs.submission, principal, list as unknown[], true);
        return { ids: stored.map((j) => j.id), count: stored.length };
      },
    }),
    route({
      method: 'get',
      path: '/jobs',
      summary: 'list jobs (yours; a shared project’s; everyone’s for administrators)',
      tags,
      access: 'user',
      query: ListJobsQuery,
      response: JobPageView,
      handler: async ({ query, principal }) => {
        const asked: JobFilter = {
          ...(query.state !== undefined && { state: query.state }),
          ...(query.user !== undefined && { user: query.user }),
          ...(query.project !== undefined && { project: query.project }),
          ...(query.tag !== undefined && { tag: query.tag }),
          ...(query.name !== undefined && { name: query.name }),
          ...(query.parent !== undefined && { parent: query.parent }),
          ...(query.submitted_after !== undefined && { submittedAfter: query.submitted_after }),
          ...(query.submitted_before !== undefined && { submittedBefore: query.submitted_before }),
          ...(query.q !== undefined && query.q !== '' && { nameContains: query.q }),
          ...(query.top_level && { topLevel: true }),
        };
        const filter = await listingFilter(ctx, principal, asked);
        const page = { limit: query.limit, cursor: query.cursor ?? null, order: query.order };
        return ctx.store.listJobs(filter, page);
      },
    }),
    route({
      method: 'get',
      path: '/jobs/{id}',
      summary: 'one job',
      tags,
      access: 'user',
      params: JobIdParams,
      response: JobView,
      handler: async ({ params, principal }) => visibleJob(ctx, principal, params.id),
    }),
    route({
      method: 'delete',
      path: '/jobs/{id}',
      summary: 'kill a job (same as POST /jobs/{id}/kill)',
      tags,
      access: 'user',
      params: JobIdParams,
      response: RequestedView,
      status: 202,
      handler: async ({ params, principal }) =>
        requestFor(jobs.actions, principal, params.id, 'kill'),
    }),
    control('kill', 'kill a job (pending, held or running)'),
    control('suspend', 'suspend (pause) a running job'),
    control('resume', 'resume a suspended job'),
    control('reschedule', 'stop a running job and queue it again'),
    route({
      method: 'post',
      path: '/jobs/{id}/hold',
      summary: 'hold a pending job: the scheduler skips it until released',
      tags,
      access: 'user',
      params: JobIdParams,
      response: StateView,
      handler: async ({ params, principal }) =>
        holdOrRelease(jobs.actions, principal, params.id, 'hold'),
    }),
    route({
      method: 'post',
      path: '/jobs/{id}/release',
      summary: 'release a held job',
      tags,
      access: 'user',
      params: JobIdParams,
      response: StateView,
      handler: async ({ params, principal }) =>
        holdOrRelease(jobs.actions, principal, params.id, 'release'),
    }),
    route({
      method: 'post',
      path: '/jobs/{id}/update',
      summary: 'change the dynamic fields of an active job (web.dynamic_fields)',
      tags,
      access: 'user',
      params: JobIdParams,
      body: JobUpdateSchema,
      response: JobView,
      handler: async ({ params, body, principal }) =>
        updateFor(jobs.actions, principal, params.id, body),
    }),
    route({
      method: 'get',
      path: '/jobs/{id}/why',
      summary: 'why a job is not running yet',
      tags,
      access: 'user',
      params: JobIdParams,
      response: z.object({
        jobId: z.number(),
        state: z.string(),
        code: z.string().nullable(),
        message: z.string(),
      }),
      handler: async ({ params, principal }) => why(await visibleJob(ctx, principal, params.id)),
    }),
    route({
      method: 'post',
      path: '/jobs/{id}/archive',
      summary: 'archive a finished job now (its task directory is removed)',
      tags,
      access: 'user',
      params: JobIdParams,
      response: RequestedView,
      status: 202,
      handler: async ({ params, principal }) => archiveFor(jobs.actions, principal, params.id),
    }),
  ];
}
