/**
 * The job routes: submit (one and bulk), list, get, kill / suspend / resume / reschedule (queued
 * for the watchers), hold / release (compare-and-set here), update of the configured dynamic
 * fields, why-pending and archive. Every route that names a job answers 404 for a job the caller
 * may not see.
 */
import { z } from 'zod';
import {
  EVENTS,
  JobSubmissionSchema,
  JobUpdateSchema,
  ValidationError,
  accessFor,
  type FieldIssue,
  type Job,
  type JobUpdate,
} from '@god/core';
import { requestArchive } from '@god/archiver';
import { submitJobs, MAX_BULK, type SubmitDeps } from '@god/jobs';
import type { JobFilter } from '@god/store';
import { requestControl } from '@god/watcher';
import type { Principal } from '../auth/principal.js';
import { listingFilter, visibleJob } from '../authz.js';
import type { WebContext } from '../context.js';
import { HttpError } from '../http/errors.js';
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
export function jobRoutes(ctx: WebContext): Route[] {
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
        requestFor(ctx, principal, params.id, action, body.reason),
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
        const [job] = await submitFor(ctx, principal, [req.body as unknown], false);
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
        const jobs = (body as { jobs?: unknown } | null)?.jobs;
        const extra = body !== null && typeof body === 'object' ? Object.keys(body) : [];
        const issues: FieldIssue[] = extra
          .filter((k) => k !== 'jobs')
          .map((k) => ({ path: k, message: 'unknown field' }));
        if (!Array.isArray(jobs)) issues.push({ path: 'jobs', message: 'must be a list of jobs' });
        if (issues.length > 0) throw new ValidationError('invalid submission', issues);
        const stored = await submitFor(ctx, principal, jobs as unknown[], true);
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
        };
        const filter = await listingFilter(ctx, principal, asked);
        return ctx.store.listJobs(filter, { limit: query.limit, cursor: query.cursor ?? null });
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
      handler: async ({ params, principal }) => requestFor(ctx, principal, params.id, 'kill'),
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
      handler: async ({ params, principal }) => holdOrRelease(ctx, principal, params.id, 'hold'),
    }),
    route({
      method: 'post',
      path: '/jobs/{id}/release',
      summary: 'release a held job',
      tags,
      access: 'user',
      params: JobIdParams,
      response: StateView,
      handler: async ({ params, principal }) => holdOrRelease(ctx, principal, params.id, 'release'),
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
      handler: async ({ params, body, principal }) => update(ctx, principal, params.id, body),
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
      handler: async ({ params, principal }) => {
        const job = await visibleJob(ctx, principal, params.id);
        if (job.state !== 'over' && job.state !== 'archived')
          throw new HttpError(
            'CONFLICT',
            `job ${job.id} is ${job.state}: only finished jobs are archived`,
          );
        const messageId = await requestArchive(ctx.queues, { jobId: job.id, by: principal.id });
        return { jobId: job.id, action: 'archive', requested: true, messageId };
      },
    }),
  ];
}

/** Submits for `p` after checking their projects; all or nothing. */
export async function submitFor(
  ctx: WebContext,
  p: Principal,
  inputs: unknown[],
  bulk: boolean,
): Promise<Job[]> {
  if (inputs.length > MAX_BULK)
    throw new ValidationError('invalid submission', [
      { path: 'jobs', message: `at most ${MAX_BULK} jobs at once` },
    ]);
  await checkProjects(ctx, p, inputs, bulk);
  const deps: SubmitDeps = {
    store: ctx.store,
    counters: ctx.counters,
    publisher: ctx.publisher,
    limits: ctx.config.limits,
    access: accessFor(ctx.plugin, p.account, ctx.config),
  };
  const a = p.account;
  const jobs = await submitJobs(
    deps,
    { id: a.id, uid: a.uid, gid: a.gid, sgids: a.sgids, home: a.home },
    inputs,
  );
  ctx.metrics.submitted(jobs.length);
  return jobs;
}

/** Refuses projects that do not exist or that the submitter is not a member of. */
async function checkProjects(
  ctx: WebContext,
  p: Principal,
  inputs: unknown[],
  bulk: boolean,
): Promise<void> {
  const issues: FieldIssue[] = [];
  const known = new Map<string, boolean>();
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const project =
      input !== null && typeof input === 'object'
        ? (input as { project?: unknown }).project
        : undefined;
    if (typeof project !== 'string' || project === 'default') continue;
    let ok = known.get(project);
    if (ok === undefined) {
      const stored = await ctx.store.getProject(project);
      ok = stored !== null && (p.admin || stored.members.includes(p.id));
      known.set(project, ok);
    }
    if (!ok)
      issues.push({
        path: bulk ? `jobs[${i}].project` : 'project',
        message: `no project ${project} that ${p.id} is a member of`,
      });
  }
  if (issues.length > 0) throw new ValidationError('invalid job', issues);
}

/** Queues a control request for a job the caller may see. */
async function requestFor(
  ctx: WebContext,
  p: Principal,
  id: number,
  action: 'kill' | 'suspend' | 'resume' | 'reschedule',
  reason?: string,
): Promise<z.output<typeof RequestedView>> {
  const job = await visibleJob(ctx, p, id);
  if (job.state === 'over' || job.state === 'archived')
    throw new HttpError('CONFLICT', `job ${id} is already ${job.state}`);
  if (action === 'suspend' && job.state !== 'running')
    throw new HttpError(
      'CONFLICT',
      `job ${id} is ${job.state}: only running jobs can be suspended`,
    );
  if (action === 'resume' && job.state !== 'suspended')
    throw new HttpError(
      'CONFLICT',
      `job ${id} is ${job.state}: only suspended jobs can be resumed`,
    );
  const messageId = await requestControl(ctx.queues, {
    action,
    jobId: id,
    by: p.id,
    reason: reason ?? `${action} by ${p.id}`,
  });
  return { jobId: id, action, requested: true, messageId };
}

/** Hold (pending -> held) or release (held -> pending), by compare-and-set. */
async function holdOrRelease(
  ctx: WebContext,
  p: Principal,
  id: number,
  action: 'hold' | 'release',
): Promise<z.output<typeof StateView>> {
  const job = await visibleJob(ctx, p, id);
  const [from, to] =
    action === 'hold' ? (['pending', 'held'] as const) : (['held', 'pending'] as const);
  if (job.state === to) return { jobId: id, state: to };
  const r = await ctx.store.transition(id, from, to, {
    reason: `${action === 'hold' ? 'held' : 'released'} by ${p.id}`,
    ...(to === 'held' && { why: { code: 'HELD', message: `held by ${p.id}` } }),
  });
  if (!r.ok) {
    const actual = r.actual ?? 'gone';
    if (actual === to) return { jobId: id, state: to };
    throw new HttpError(
      'CONFLICT',
      `job ${id} is ${actual}: only ${from} jobs can be ${action === 'hold' ? 'held' : 'released'}`,
    );
  }
  await ctx.publisher.publish(EVENTS.changed, { jobId: id, state: to }).catch(() => undefined);
  return { jobId: id, state: to };
}

/** Changes dynamic fields, each allowed by `web.dynamic_fields` (admin_only ones for admins). */
async function update(ctx: WebContext, p: Principal, id: number, patch: JobUpdate): Promise<Job> {
  const job = await visibleJob(ctx, p, id);
  const allowed = new Map(ctx.config.web.dynamic_fields.map((f) => [f.name, f.admin_only]));
  const issues: FieldIssue[] = [];
  for (const field of Object.keys(patch) as Array<keyof JobUpdate>) {
    if (patch[field] === undefined) continue;
    const adminOnly = allowed.get(field);
    if (adminOnly === undefined)
      issues.push({ path: field, message: `${field} cannot be changed after submission` });
    else if (adminOnly && !p.admin)
      issues.push({ path: field, message: `only administrators may change ${field}` });
  }
  if (issues.length > 0) throw new ValidationError('invalid update', issues);
  const updated = await ctx.store.updateJob(job.id, patch);
  if (updated === null) throw new HttpError('CONFLICT', `job ${id} is finished: it cannot change`);
  await ctx.publisher
    .publish(EVENTS.changed, { jobId: id, state: updated.state })
    .catch(() => undefined);
  return updated;
}

/** Why a job is where it is, in one sentence. */
function why(job: Job): { jobId: number; state: string; code: string | null; message: string } {
  if (job.state === 'pending' || job.state === 'held')
    return {
      jobId: job.id,
      state: job.state,
      code: job.why?.code ?? 'NEW',
      message: job.why?.message ?? 'waiting for the scheduler',
    };
  const where = job.placement === null ? '' : ` on ${job.placement.host}/${job.placement.shard}`;
  const message =
    job.state === 'over' || job.state === 'archived'
      ? `ended ${job.outcome ?? ''}: ${job.status.reason}`.trim()
      : `${job.state}${where}`;
  return { jobId: job.id, state: job.state, code: null, message };
}
