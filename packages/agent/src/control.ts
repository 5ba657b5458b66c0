/**
 * Handling one ControlMessage on a host's control queue: kill, suspend, resume of a job placed
 * on that host. Kill of a running job only asks the executor: the job becomes `over` when the
 * executor reports the end (completion), so usage is measured up to the real stop. Suspend and
 * resume commit the state first (compare-and-set: the one decision point), then act, and put the
 * state back if the executor refuses.
 */
import {
  EVENTS,
  isSuspendable,
  type ControlMessage,
  type Executor,
  type Job,
  type JobState,
} from '@god/core';
import type { EventPublisher, Logger } from '@god/coord';
import type { Store } from '@god/store';

/** What the agent did with a control message (the BullMQ job's return value). */
export type ControlResult =
  /** A job that had not started yet was moved to `over` (killed) directly. */
  | 'killed'
  /** The executor was asked to stop the run; its end comes as an exit report. */
  | 'kill-sent'
  /**
   * A kill naming an attempt the job has left (rescheduled): that old run was stopped; its end
   * is a stale report and the job's state is not touched.
   */
  | 'old-run-killed'
  | 'suspended'
  | 'resumed'
  /** The executor cannot suspend. */
  | 'unsupported'
  /** The executor failed to suspend or resume; the state was put back. */
  | 'failed'
  /** Nothing to do: unknown job, not on this host, or not in a state the action applies to. */
  | 'ignored';

/** What handling a control message needs. */
export interface ControlDeps {
  store: Store;
  executor: Executor;
  events: EventPublisher;
  logger: Logger;
  /** The hosts this agent serves. */
  hosts: ReadonlySet<string>;
  /** Outcomes asked for by kills in flight (`quota`), read by completion when the end arrives. */
  killOutcomes: Map<number, 'killed' | 'quota'>;
  /** The runs this agent started and has not seen end: job id -> attempt. */
  runs?: ReadonlyMap<number, number>;
}

/** Carries out one control request. */
export async function handleControl(
  deps: ControlDeps,
  msg: ControlMessage,
): Promise<ControlResult> {
  const job = await deps.store.getJob(msg.jobId);
  const fields = { jobId: msg.jobId, action: msg.action };
  if (msg.action === 'kill' && msg.attempt !== undefined && !isCurrentRunHere(deps, job, msg)) {
    return killOldRun(deps, msg.jobId, msg.attempt, job, msg.reason);
  }
  if (job === null || job.placement === null || !deps.hosts.has(job.placement.host)) {
    deps.logger.info({ ...fields, state: job?.state ?? null }, 'control ignored: not here');
    return 'ignored';
  }
  switch (msg.action) {
    case 'kill':
      return kill(deps, job, msg.reason, msg.outcome ?? 'killed');
    case 'suspend':
      return pause(deps, job, 'running', 'suspended', msg.reason);
    case 'resume':
      return pause(deps, job, 'suspended', 'running', msg.reason);
  }
}

/** True when `job` is placed on this agent's hosts at the attempt `msg` names. */
function isCurrentRunHere(deps: ControlDeps, job: Job | null, msg: ControlMessage): boolean {
  return (
    job !== null &&
    job.attempts === msg.attempt &&
    job.placement !== null &&
    deps.hosts.has(job.placement.host)
  );
}

/**
 * Stops the run of an attempt the job has left (it was rescheduled): the job's state is not
 * ours to touch any more, and the run's end will be read as stale by completion (its attempt or
 * the job's state no longer match). With a record of the run (this agent started it), only that
 * attempt is stopped. Without one (an agent restart, or the run already ended: executors ignore
 * kills of runs they do not have) the kill goes ahead unless the job runs here again at a newer
 * attempt, whose run the executor could not tell apart by job id.
 */
async function killOldRun(
  deps: ControlDeps,
  jobId: number,
  attempt: number,
  job: Job | null,
  reason: string,
): Promise<ControlResult> {
  const known = deps.runs?.get(jobId);
  const placedHereAgain =
    job?.placement != null && deps.hosts.has(job.placement.host) && job.attempts !== attempt;
  if (known === undefined ? placedHereAgain : known !== attempt) {
    deps.logger.info({ jobId, attempt, running: known ?? null }, 'old run not here');
    return 'ignored';
  }
  await deps.executor.kill(jobId, reason);
  deps.logger.info({ jobId, attempt }, 'old run killed');
  return 'old-run-killed';
}

async function kill(
  deps: ControlDeps,
  job: Job,
  reason: string,
  outcome: 'killed' | 'quota',
): Promise<ControlResult> {
  if (job.state === 'scheduled') {
    // Not started yet (its dispatch is still queued, or waits behind us for this job): end it
    // here. The dispatch will then find it `over` and drop it.
    const res = await deps.store.transition(job.id, 'scheduled', 'over', {
      // Not started: nothing was consumed, so even a quota kill ends it plainly killed.
      outcome: 'killed',
      exitcode: null,
      reason,
    });
    if (res.ok) {
      await deps.events.publish(EVENTS.ended, { jobId: job.id, outcome: 'killed' });
      deps.logger.info({ jobId: job.id }, 'job killed before start');
      return 'killed';
    }
    if (res.actual !== 'running' && res.actual !== 'suspended') return 'ignored';
  } else if (job.state !== 'running' && job.state !== 'suspended') {
    return 'ignored';
  }
  if (outcome !== 'killed') deps.killOutcomes.set(job.id, outcome);
  await deps.executor.kill(job.id, reason);
  deps.logger.info({ jobId: job.id }, 'kill sent to the executor');
  return 'kill-sent';
}

/** Suspend (`running -> suspended`) or resume (`suspended -> running`). */
async function pause(
  deps: ControlDeps,
  job: Job,
  from: 'running' | 'suspended',
  to: 'running' | 'suspended',
  reason: string,
): Promise<ControlResult> {
  const { executor, store, logger: log } = deps;
  const fields = { jobId: job.id, from, to };
  if (!isSuspendable(executor)) {
    log.warn({ ...fields, executor: executor.name }, 'executor cannot suspend');
    return 'unsupported';
  }
  if (job.state !== from) return 'ignored';
  const res = await store.transition(job.id, from, to, { reason });
  if (!res.ok) return 'ignored';
  try {
    await (to === 'suspended' ? executor.suspend(job.id) : executor.resume(job.id));
  } catch (err) {
    log.error({ ...fields, err }, 'executor failed to suspend or resume');
    await putBack(deps, job.id, to, from, err);
    return 'failed';
  }
  await deps.events.publish(EVENTS.changed, { jobId: job.id, state: to });
  log.info(fields, to === 'suspended' ? 'job suspended' : 'job resumed');
  return to === 'suspended' ? 'suspended' : 'resumed';
}

async function putBack(
  deps: ControlDeps,
  id: number,
  from: JobState,
  to: JobState,
  err: unknown,
): Promise<void> {
  const why = err instanceof Error ? err.message : String(err);
  const action = to === 'running' ? 'suspend' : 'resume';
  const res = await deps.store.transition(id, from, to, { reason: `${action} failed: ${why}` });
  if (!res.ok) deps.logger.warn({ jobId: id, actual: res.actual }, 'put back found the job moved');
}
