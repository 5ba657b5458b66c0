/**
 * What the job routes do beyond validation: submit for a caller (after their projects), queue
 * a request for the watchers, hold and release by compare-and-set, change dynamic fields, and
 * say why a job is where it is.
 */
import type { z } from 'zod';
import {
  EVENTS,
  ValidationError,
  accessFor,
  sameLogin,
  updateLimitIssues,
  type FieldIssue,
  type Job,
  type JobUpdate,
} from '@god/core';
import { submitJobs, MAX_BULK, type SubmitDeps } from '@god/jobs';
import { requestArchive } from '@god/archiver';
import { requestControl } from '@god/watcher';
import type { Principal } from '../auth/principal.js';
import { visibleJob } from '../authz.js';
import type { WebContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import type { RequestedView, StateView } from './schemas.js';

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
    constraints: ctx.config.constraints,
    executors: [ctx.config.executor],
    access: accessFor(ctx.plugin, p.account, ctx.config),
    defaults: ctx.config.defaults,
    shareProjectTasks: ctx.config.auth.share_project_tasks,
  };
  const a = p.account;
  const jobs = await submitJobs(
    deps,
    { id: a.id, uid: a.uid, gid: a.gid, sgids: a.sgids, home: a.home, admin: p.admin },
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
      ok = stored !== null && (p.admin || stored.members.some((m) => sameLogin(m, p.id)));
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
export async function requestFor(
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

/** Queues the archiving of a finished job the caller may see. */
export async function archiveFor(
  ctx: WebContext,
  p: Principal,
  id: number,
): Promise<z.output<typeof RequestedView>> {
  const job = await visibleJob(ctx, p, id);
  if (job.state !== 'over' && job.state !== 'archived')
    throw new HttpError('CONFLICT', `job ${id} is ${job.state}: only finished jobs are archived`);
  const messageId = await requestArchive(ctx.queues, { jobId: id, by: p.id });
  return { jobId: id, action: 'archive', requested: true, messageId };
}

/** Hold (pending -> held) or release (held -> pending), by compare-and-set. */
export async function holdOrRelease(
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
export async function update(
  ctx: WebContext,
  p: Principal,
  id: number,
  patch: JobUpdate,
): Promise<Job> {
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
  issues.push(...updateLimitIssues(patch, ctx.config.limits.job, p.admin));
  if (issues.length > 0) throw new ValidationError('invalid update', issues);
  const updated = await ctx.store.updateJob(job.id, patch);
  if (updated === null) throw new HttpError('CONFLICT', `job ${id} is finished: it cannot change`);
  await ctx.publisher
    .publish(EVENTS.changed, { jobId: id, state: updated.state })
    .catch(() => undefined);
  return updated;
}

/** Why a job is where it is, in one sentence. */
export function why(job: Job): {
  jobId: number;
  state: string;
  code: string | null;
  message: string;
} {
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
