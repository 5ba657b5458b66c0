/**
 * Completion: what happens when an executor reports that a job's run ended. The job moves to
 * `over` (compare-and-set, with outcome, exit code, usage and end time), after what the job left
 * on the host was made harmless (`sanitize`: no set-id file in its task directory), its usage is booked in
 * the ledger, and `job.ended` is published so the scheduler frees the resources and dependents
 * may run. The agent runs it for its own executor's reports; a watcher may run it for executors
 * that report centrally. Safe to repeat: a retry after a crash between the steps redoes the
 * booking (an upsert per job) and the event (a hint) without touching the state again.
 */
import {
  canTransition,
  EVENTS,
  GodError,
  type ExitReport,
  type Job,
  type JobState,
} from '@god/core';
import type { EventPublisher, Logger } from '@god/coord';
import type { Store } from '@god/store';

/** What completion did with a report. */
export type CompletionResult =
  /** This call moved the job to `over`, booked its usage and published `job.ended`. */
  | 'ended'
  /** The job was already `over` with this outcome: booking and event were redone (a retry). */
  | 'repeated'
  /** The job had already ended otherwise (killed before, lost): nothing done. */
  | 'already-over'
  /** The report is not about the job's current run (older attempt, job queued again). */
  | 'stale'
  /** No such job. */
  | 'unknown';

/** What completion needs. */
export interface CompletionDeps {
  store: Store;
  events: EventPublisher;
  logger: Logger;
  /** Outcomes asked for by kills in flight: a `killed` report of such a job ends with it. */
  killOutcomes?: Map<number, 'killed' | 'quota'>;
  /**
   * Makes what the ended run left on this host harmless before the job is `over` (the agent
   * strips set-id bits, capabilities and devices from the task directory). A failure fails the
   * completion, which is tried again: a job is never `over` with such files left behind.
   */
  sanitize?: (job: Job) => Promise<void>;
}

/** Options of one completion. */
export interface CompletionOptions {
  /**
   * The attempt (the job's `attempts` when it was started) the reporter ran; a report about
   * another attempt is stale. Without it, only the job's state decides.
   */
  attempt?: number;
}

/** Completes one exit report; throws only when the store or Redis fails (retry it). */
export type CompletionHandler = (
  report: ExitReport,
  options?: CompletionOptions,
) => Promise<CompletionResult>;

/** States a job can keep changing between during completion before we give up (a bug or a storm). */
const MAX_STEPS = 5;

/** Creates the completion handler. */
export function createCompletionHandler(deps: CompletionDeps): CompletionHandler {
  return (report, options = {}) => completeOne(deps, report, options);
}

async function completeOne(
  deps: CompletionDeps,
  report: ExitReport,
  options: CompletionOptions,
): Promise<CompletionResult> {
  const log = deps.logger;
  const fields = { jobId: report.jobId, outcome: report.outcome };
  let job = await deps.store.getJob(report.jobId);
  if (job === null) {
    log.warn(fields, 'exit report for an unknown job');
    return 'unknown';
  }
  for (let i = 0; i < MAX_STEPS; i++) {
    if (options.attempt !== undefined && job.attempts !== options.attempt) {
      log.info({ ...fields, attempt: options.attempt, current: job.attempts }, 'stale exit');
      return 'stale';
    }
    switch (job.state) {
      case 'running':
      case 'suspended': {
        await deps.sanitize?.(job);
        const next = await step(deps, job, job.state, report);
        if (next === 'ended') {
          log.info({ ...fields, exitcode: report.exitcode }, 'job ended');
          return 'ended';
        }
        job = next;
        break;
      }
      case 'over':
      case 'archived':
        if (job.outcome !== report.outcome) {
          log.info({ ...fields, actual: job.outcome }, 'exit report for a job already over');
          return 'already-over';
        }
        await deps.sanitize?.(job);
        await finish(deps, job, report);
        return 'repeated';
      default:
        // pending, held, scheduled: the job was queued again; this report is about an old run.
        log.info({ ...fields, state: job.state }, 'stale exit');
        return 'stale';
    }
  }
  throw new GodError('CONFLICT', `job ${report.jobId} kept changing state during completion`, {
    retryable: true,
  });
}

/** One compare-and-set towards `over` from `from`; the job as it now is, or 'ended'. */
async function step(
  deps: CompletionDeps,
  job: Job,
  from: JobState,
  report: ExitReport,
): Promise<Job | 'ended'> {
  const { store } = deps;
  if (from === 'suspended' && !canTransition('suspended', 'over', report.outcome)) {
    // It ended on its own while being suspended (exit and suspend crossed): go through
    // `running`, so the outcome stays the true one rather than a made-up `killed`.
    const back = await store.transition(job.id, 'suspended', 'running', {
      reason: 'ended while suspending',
      at: report.endedAt,
    });
    return back.ok ? back.job : await reread(store, job.id);
  }
  const asked = report.outcome === 'killed' ? deps.killOutcomes?.get(job.id) : undefined;
  const res = await store.transition(job.id, from, 'over', {
    outcome: asked ?? report.outcome,
    exitcode: report.exitcode,
    reason: report.reason,
    usage: report.usage,
    at: report.endedAt,
  });
  if (!res.ok) return reread(store, job.id);
  deps.killOutcomes?.delete(job.id);
  await finish(deps, res.job, report);
  return 'ended';
}

/** The steps after the job is `over`: book the usage, wake the scheduler. */
async function finish(deps: CompletionDeps, job: Job, report: ExitReport): Promise<void> {
  const usage = job.usage ?? report.usage;
  await deps.store.recordUsage({
    jobId: job.id,
    user: job.user.id,
    project: job.user.project,
    at: job.status.dates.ended ?? report.endedAt,
    cpuSeconds: usage.cpuSeconds,
    ramGBSeconds: usage.ramGBSeconds,
    gpuSeconds: usage.gpuSeconds,
    wallSeconds: usage.wallSeconds,
  });
  await deps.events.publish(EVENTS.ended, { jobId: job.id, outcome: job.outcome });
}

async function reread(store: Store, id: number): Promise<Job> {
  const job = await store.getJob(id);
  if (job === null) throw new GodError('NOT_FOUND', `job ${id} vanished during completion`);
  return job;
}
