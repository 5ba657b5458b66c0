/**
 * Carrying out one control request. Jobs that hold no run (pending, held, an array job) are
 * ended here by compare-and-set; jobs placed on a host get a ControlMessage on that host's
 * control queue and its agent acts (a kill ends the job when the run's end is reported, so usage
 * is measured up to the real stop). Reschedule moves the job back to `pending` here, then asks
 * the old host to stop the run of the attempt it left: that run's end is stale for completion.
 * Every write is a compare-and-set that also checks the attempt read, so a request handled
 * twice, or racing the agent or the scheduler, is applied at most once.
 */
import { EVENTS, GodError, type ControlMessage, type Job } from '@god/core';
import type { ControlRequest, EventPublisher, Logger } from '@god/coord';
import type { Store } from '@god/store';

/** What handling a control request did (the queue message's return value). */
export type RequestResult =
  /** The job held no run and was ended `killed` here. */
  | 'killed'
  /** The request was forwarded to the agent of the job's host. */
  | 'sent'
  /** The job is `pending` again; the old run (if any) was asked to stop. */
  | 'rescheduled'
  /** The job had already ended. */
  | 'already-over'
  /** The action does not apply to the job's state (suspend of a pending job, ...). */
  | 'not-applicable'
  /** No such job. */
  | 'unknown'
  /** The message was not a valid control request. */
  | 'malformed';

/** What handling a request needs. */
export interface RequestDeps {
  store: Store;
  events: EventPublisher;
  logger: Logger;
  /** Puts `msg` on the control queue of `host` (its agent's). */
  sendToHost(host: string, msg: ControlMessage): Promise<void>;
}

/** Reads and writes before giving up on a job that keeps changing state (a storm or a bug). */
const MAX_STEPS = 5;

/** Carries out one request. */
export async function handleRequest(
  deps: RequestDeps,
  req: ControlRequest,
): Promise<RequestResult> {
  for (let i = 0; i < MAX_STEPS; i++) {
    const job = await deps.store.getJob(req.jobId);
    if (job === null) return 'unknown';
    if (job.state === 'over' || job.state === 'archived') return 'already-over';
    const result = await step(deps, req, job);
    if (result !== 'moved') {
      deps.logger.info({ jobId: job.id, action: req.action, by: req.by, result }, 'request done');
      return result;
    }
  }
  throw new GodError('CONFLICT', `job ${req.jobId} kept changing during a ${req.action}`, {
    retryable: true,
  });
}

/** One try at the request on `job` as read; `moved` when a compare-and-set lost (read again). */
async function step(
  deps: RequestDeps,
  req: ControlRequest,
  job: Job,
): Promise<RequestResult | 'moved'> {
  switch (req.action) {
    case 'kill':
      return kill(deps, req, job);
    case 'suspend':
    case 'resume': {
      const from = req.action === 'suspend' ? 'running' : 'suspended';
      if (job.state !== from || job.placement === null) return 'not-applicable';
      await deps.sendToHost(job.placement.host, {
        jobId: job.id,
        action: req.action,
        reason: reasonOf(req, req.action === 'suspend' ? 'suspended' : 'resumed'),
      });
      return 'sent';
    }
    case 'reschedule':
      return reschedule(deps, req, job);
  }
}

async function kill(
  deps: RequestDeps,
  req: ControlRequest,
  job: Job,
): Promise<RequestResult | 'moved'> {
  const reason = reasonOf(req, 'killed');
  if (job.placement !== null) {
    await deps.sendToHost(job.placement.host, { jobId: job.id, action: 'kill', reason });
    return 'sent';
  }
  // Pending, held, or an array job (running while its tasks run, never placed itself). Ending
  // an array job is enough: the scheduler leader kills its tasks on its `job.ended` (one owner
  // for array kills).
  if (job.state === 'scheduled' || job.state === 'suspended') return 'moved'; // placement raced
  const res = await deps.store.transition(
    job.id,
    job.state,
    'over',
    { outcome: 'killed', exitcode: null, reason },
    { expect: { attempts: job.attempts } },
  );
  if (!res.ok) return 'moved';
  await deps.events.publish(EVENTS.ended, { jobId: job.id, outcome: 'killed' });
  return 'killed';
}

async function reschedule(
  deps: RequestDeps,
  req: ControlRequest,
  job: Job,
): Promise<RequestResult | 'moved'> {
  const placement = job.placement;
  if (placement === null || job.state === 'pending' || job.state === 'held') {
    return 'not-applicable';
  }
  const reason = reasonOf(req, 'rescheduled');
  const res = await deps.store.transition(
    job.id,
    job.state,
    'pending',
    { reason, why: { code: 'NEW', message: reason } },
    { expect: { attempts: job.attempts } },
  );
  if (!res.ok) return 'moved';
  if (job.state !== 'scheduled') {
    // A scheduled job has no run yet: its dispatch will find it pending and drop it.
    await deps.sendToHost(placement.host, {
      jobId: job.id,
      action: 'kill',
      reason,
      attempt: job.attempts,
    });
  }
  // After the kill is queued: the scheduler places the job again on this event.
  await deps.events.publish(EVENTS.changed, { jobId: job.id, state: 'pending' });
  return 'rescheduled';
}

/** `killed by alice: too slow`, or `killed by alice` without a reason. */
function reasonOf(req: ControlRequest, verb: string): string {
  const text = req.reason.trim();
  return text === '' ? `${verb} by ${req.by}` : `${verb} by ${req.by}: ${text}`;
}
