/**
 * What a caller may do to a job once it exists, whatever API they came through (`/api/v1`,
 * GO-Docker's `/api/1.0`): queue a control or archive request for the role that acts on it,
 * hold and release by compare-and-set, change dynamic fields, and say why a job is where it is.
 * Each action first finds the job as the actor may see it: a job they may not see fails exactly
 * like one that does not exist (NOT_FOUND), so ids do not leak. Actions take plain values and
 * throw GodError / ValidationError; turning those into HTTP is the web's business.
 */
import {
  EVENTS,
  GodError,
  ValidationError,
  updateLimitIssues,
  type Account,
  type Config,
  type FieldIssue,
  type Job,
  type JobState,
  type JobUpdate,
} from '@god/core';
import {
  requestArchive,
  requestControl,
  type ControlAction,
  type EventPublisher,
  type Queues,
} from '@god/coord';
import type { Store } from '@god/store';

/** Who acts: their login, whether an administrator, and their account (uid, gid, home). */
export interface Actor {
  id: string;
  admin: boolean;
  account: Account;
}

/** What the job actions need. */
export interface JobActionDeps {
  config: Pick<Config, 'limits' | 'web'>;
  store: Store;
  queues: Queues;
  publisher: EventPublisher;
  /** True when `actor` may see and act on `job` (owner, administrator, project member). */
  visible(actor: Actor, job: Job): Promise<boolean>;
}

/** The answer to a queued request. */
export interface Requested {
  jobId: number;
  action: string;
  requested: true;
  /** The queue message id; its result is the handler's answer. */
  messageId: string;
}

/** The job `id` if `actor` may see it; otherwise NOT_FOUND, whether it exists or not. */
export async function findVisibleJob(
  deps: Pick<JobActionDeps, 'store' | 'visible'>,
  actor: Actor,
  id: number,
): Promise<Job> {
  const job = await deps.store.getJob(id);
  if (job === null || !(await deps.visible(actor, job)))
    throw new GodError('NOT_FOUND', `job ${id} not found`);
  return job;
}

/** Queues a kill / suspend / resume / reschedule of a job the actor may see, if its state allows. */
export async function requestFor(
  deps: JobActionDeps,
  actor: Actor,
  id: number,
  action: ControlAction,
  reason?: string,
): Promise<Requested> {
  const job = await findVisibleJob(deps, actor, id);
  if (job.state === 'over' || job.state === 'archived')
    throw new GodError('CONFLICT', `job ${id} is already ${job.state}`);
  if (action === 'suspend' && job.state !== 'running')
    throw new GodError('CONFLICT', `job ${id} is ${job.state}: only running jobs can be suspended`);
  if (action === 'resume' && job.state !== 'suspended')
    throw new GodError('CONFLICT', `job ${id} is ${job.state}: only suspended jobs can be resumed`);
  const messageId = await requestControl(deps.queues, {
    action,
    jobId: id,
    by: actor.id,
    reason: reason ?? `${action} by ${actor.id}`,
  });
  return { jobId: id, action, requested: true, messageId };
}

/** Queues the archiving of a finished job the actor may see. */
export async function archiveFor(
  deps: JobActionDeps,
  actor: Actor,
  id: number,
): Promise<Requested> {
  const job = await findVisibleJob(deps, actor, id);
  if (job.state !== 'over' && job.state !== 'archived')
    throw new GodError('CONFLICT', `job ${id} is ${job.state}: only finished jobs are archived`);
  const messageId = await requestArchive(deps.queues, { jobId: id, by: actor.id });
  return { jobId: id, action: 'archive', requested: true, messageId };
}

/** Hold (pending -> held) or release (held -> pending), by compare-and-set; the state after. */
export async function holdOrRelease(
  deps: JobActionDeps,
  actor: Actor,
  id: number,
  action: 'hold' | 'release',
): Promise<{ jobId: number; state: JobState }> {
  const job = await findVisibleJob(deps, actor, id);
  const [from, to] =
    action === 'hold' ? (['pending', 'held'] as const) : (['held', 'pending'] as const);
  if (job.state === to) return { jobId: id, state: to };
  const r = await deps.store.transition(id, from, to, {
    reason: `${action === 'hold' ? 'held' : 'released'} by ${actor.id}`,
    ...(to === 'held' && { why: { code: 'HELD', message: `held by ${actor.id}` } }),
  });
  if (!r.ok) {
    const actual = r.actual ?? 'gone';
    if (actual === to) return { jobId: id, state: to };
    const verb = action === 'hold' ? 'held' : 'released';
    throw new GodError('CONFLICT', `job ${id} is ${actual}: only ${from} jobs can be ${verb}`);
  }
  // The event only wakes the scheduler early: its next pass reads the store anyway.
  await deps.publisher.publish(EVENTS.changed, { jobId: id, state: to }).catch(() => undefined);
  return { jobId: id, state: to };
}

/**
 * Thrown when an update names a field the actor may not change (not in `web.dynamic_fields`,
 * or admin-only): a ValidationError naming the fields, which GO-Docker's API answers as 403.
 */
export class UnchangeableFieldError extends ValidationError {
  constructor(issues: FieldIssue[]) {
    super('invalid update', issues);
  }
}

/** Changes dynamic fields, each allowed by `web.dynamic_fields` (admin_only ones for admins). */
export async function updateFor(
  deps: JobActionDeps,
  actor: Actor,
  id: number,
  patch: JobUpdate,
): Promise<Job> {
  const job = await findVisibleJob(deps, actor, id);
  const allowed = new Map(deps.config.web.dynamic_fields.map((f) => [f.name, f.admin_only]));
  const refused: FieldIssue[] = [];
  for (const field of Object.keys(patch) as Array<keyof JobUpdate>) {
    if (patch[field] === undefined) continue;
    const adminOnly = allowed.get(field);
    if (adminOnly === undefined)
      refused.push({ path: field, message: `${field} cannot be changed after submission` });
    else if (adminOnly && !actor.admin)
      refused.push({ path: field, message: `only administrators may change ${field}` });
  }
  const issues = [...refused, ...updateLimitIssues(patch, deps.config.limits.job, actor.admin)];
  if (refused.length > 0) throw new UnchangeableFieldError(issues);
  if (issues.length > 0) throw new ValidationError('invalid update', issues);
  const updated = await deps.store.updateJob(job.id, patch);
  if (updated === null) throw new GodError('CONFLICT', `job ${id} is finished: it cannot change`);
  // A hint for live clients and the scheduler; the change itself is in the store.
  await deps.publisher
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
