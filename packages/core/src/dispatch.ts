/**
 * Messages between the scheduler, agents and watchers. The scheduler never runs jobs: it commits
 * `pending -> scheduled` (fenced by its epoch) and puts a DispatchMessage on the shard's queue;
 * the agent of that shard starts the job; ends go back as ExitReports.
 */

/** "Start attempt `attempt` of job `jobId`, placed on `host`/`shard` by the leader of `epoch`." */
export interface DispatchMessage {
  jobId: number;
  /** The job's `attempts` after the placement: a message for an older attempt is stale. */
  attempt: number;
  epoch: number;
  host: string;
  shard: string;
}

/**
 * Several DispatchMessages for one shard in one queue message: a scheduler pass sends its
 * placements this way, so a queue write costs the same for one job or a hundred. Each message
 * is checked and started on its own, exactly as if it had come alone.
 */
export interface DispatchBatch {
  batch: DispatchMessage[];
}

/** Most DispatchMessages one DispatchBatch carries. */
export const MAX_DISPATCH_BATCH = 100;

/** A control request for a job that is placed on a host. */
export interface ControlMessage {
  jobId: number;
  action: 'kill' | 'suspend' | 'resume';
  reason: string;
  /** For a kill: the outcome the job ends with (`quota` when killed at a quota limit). */
  outcome?: 'killed' | 'quota';
  /**
   * For a kill: stop the run of this attempt only. Sent after a reschedule moved the job back to
   * `pending`: the agent stops that old run (if it is still here) without ending the job.
   */
  attempt?: number;
}

/** The queue-job id of a dispatch: the same attempt is never enqueued twice (BullMQ dedups on it). */
export function dispatchId(msg: Pick<DispatchMessage, 'jobId' | 'attempt'>): string {
  return `job-${msg.jobId}-${msg.attempt}`;
}

/** Event types on the Redis stream that wake the scheduler and others. */
export const EVENTS = {
  /** A job (or an array) was inserted: `jobId`. */
  submitted: 'job.submitted',
  /** A job left the queue without the scheduler (killed, held): `jobId`. */
  changed: 'job.changed',
  /** A job's run started on its host: `jobId`, `host` (live views; nothing waits on it). */
  started: 'job.started',
  /** A job ended (over): `jobId`, `outcome`: dependents may run, resources are free. */
  ended: 'job.ended',
  /** Hosts joined, left or changed capacity. */
  hosts: 'hosts.changed',
  /** Scheduler settings changed (maintenance, reload). */
  settings: 'scheduler.settings',
} as const;
