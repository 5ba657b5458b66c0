/**
 * Handling one DispatchMessage on a shard queue. The order is what makes a double start
 * impossible: the message is checked against the stored job (state, attempt, epoch, placement),
 * then `scheduled -> running` is committed by compare-and-set (one agent, one attempt wins), and
 * only then is the executor asked to start. A stale or duplicate message never reaches the
 * executor. The price: a crash between the commit and the start leaves a `running` job with no
 * run, which reconciliation (watcher) has to find; a double run could never be undone.
 */
import {
  EVENTS,
  GodError,
  type DispatchMessage,
  type Executor,
  type Job,
  type StartResult,
} from '@god/core';
import type { EventPublisher, Logger } from '@god/coord';
import type { Store } from '@god/store';

/** What the agent did with a dispatch message (the BullMQ job's return value). */
export type DispatchResult =
  /** The executor started the job. */
  | 'started'
  /** Not for the job's current attempt or placement, or the job is gone: dropped. */
  | 'stale'
  /** Another writer moved the job first (killed, another delivery of this message): dropped. */
  | 'lost-race'
  /** The start failed in a way that may pass: the job is pending again. */
  | 'requeued'
  /** The start failed for good: the job is over, failed. */
  | 'failed';

/** What handling a dispatch needs. */
export interface DispatchDeps {
  store: Store;
  executor: Executor;
  events: EventPublisher;
  logger: Logger;
  /** The runs this agent started, by job id, with their attempt (completion checks it). */
  runs: Map<number, number>;
}

/** The shard a worker serves: messages for anywhere else are dropped. */
export interface ShardAddress {
  host: string;
  shard: string;
}

/** Why `msg` must not start `job`, or null when it may. */
export function staleReason(
  msg: DispatchMessage,
  job: Job | null,
  where: ShardAddress,
): string | null {
  if (msg.host !== where.host || msg.shard !== where.shard) return 'message for another shard';
  if (job === null) return 'no such job';
  if (job.state !== 'scheduled') return `job is ${job.state}`;
  if (job.attempts !== msg.attempt) return `attempt ${msg.attempt}, job is at ${job.attempts}`;
  if (job.epoch !== msg.epoch) return `epoch ${msg.epoch}, job was placed in ${job.epoch}`;
  const p = job.placement;
  if (p?.host !== where.host || p.shard !== where.shard) return 'job is placed elsewhere';
  return null;
}

/** Checks, commits and starts one dispatched job on the shard `where`. */
export async function handleDispatch(
  deps: DispatchDeps,
  where: ShardAddress,
  msg: DispatchMessage,
): Promise<DispatchResult> {
  const { store, logger: log } = deps;
  const fields = { jobId: msg.jobId, attempt: msg.attempt, host: where.host, shard: where.shard };
  const stale = staleReason(msg, await store.getJob(msg.jobId), where);
  if (stale !== null) {
    log.info({ ...fields, why: stale }, 'dispatch dropped');
    return 'stale';
  }
  const won = await store.transition(msg.jobId, 'scheduled', 'running', {
    reason: `started on ${where.host}`,
  });
  if (!won.ok) {
    log.info({ ...fields, actual: won.actual }, 'dispatch lost the race');
    return 'lost-race';
  }
  // The compare-and-set is on the state only: if the job was queued again and re-placed between
  // our read and our write, we just took over an attempt that is not ours. Give it back.
  const raced = staleReason(msg, { ...won.job, state: 'scheduled' }, where);
  if (raced !== null) {
    log.warn({ ...fields, why: raced }, 'dispatch raced a new placement');
    await requeue(deps, won.job, 'dispatch raced a new placement');
    return 'stale';
  }
  const previous = deps.runs.get(msg.jobId);
  if (previous !== undefined && previous < msg.attempt) {
    // The job was rescheduled and placed here again before the kill of its old run arrived:
    // stop that run first (its end is stale), or the executor would refuse a second run.
    await deps.executor.kill(msg.jobId, `superseded by attempt ${msg.attempt}`);
    log.info({ ...fields, previous }, 'old run killed before start');
  }
  deps.runs.set(msg.jobId, msg.attempt);
  const started = await startSafely(deps.executor, won.job);
  if (started.ok) {
    log.info(fields, 'job started');
    // For live views only: a lost event changes nothing (the job is running in the store).
    await deps.events
      .publish(EVENTS.started, { jobId: msg.jobId, host: where.host })
      .catch(() => undefined);
    return 'started';
  }
  deps.runs.delete(msg.jobId);
  log.warn({ ...fields, retryable: started.retryable, why: started.reason }, 'start failed');
  if (started.retryable) {
    await requeue(deps, won.job, `start failed: ${started.reason}, will retry`);
    return 'requeued';
  }
  await failStart(deps, won.job, started.reason);
  return 'failed';
}

/** The executor's answer, with a thrown error read as a failed start (retryable unless it says). */
async function startSafely(executor: Executor, job: Job): Promise<StartResult> {
  try {
    return await executor.start(job);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // An unknown error is most likely the host or daemon, not the job: let it be placed again.
    const retryable = err instanceof GodError ? err.retryable : true;
    return { ok: false, retryable, reason };
  }
}

/** `running -> pending`: the allocation is released and the job queues again. */
async function requeue(deps: DispatchDeps, job: Job, message: string): Promise<void> {
  const res = await deps.store.transition(job.id, 'running', 'pending', {
    reason: message,
    why: { code: 'RESOURCES', message },
  });
  if (!res.ok) {
    deps.logger.warn({ jobId: job.id, actual: res.actual }, 'requeue found the job moved');
    return;
  }
  await deps.events.publish(EVENTS.changed, { jobId: job.id, state: 'pending' });
}

/** `running -> over` (failed): the job cannot start here or anywhere (bad image, bad input). */
async function failStart(deps: DispatchDeps, job: Job, reason: string): Promise<void> {
  const res = await deps.store.transition(job.id, 'running', 'over', {
    outcome: 'failed',
    exitcode: null,
    reason: `start failed: ${reason}`,
  });
  if (!res.ok) {
    deps.logger.warn({ jobId: job.id, actual: res.actual }, 'failed start found the job moved');
    return;
  }
  await deps.events.publish(EVENTS.ended, { jobId: job.id, outcome: 'failed' });
}
