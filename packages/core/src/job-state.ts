/**
 * The job state machine: the ONE place that defines a job's states, how a job may move between
 * them, and how each state reads in GO-Docker's `status.primary/secondary` vocabulary.
 *
 * Nothing writes a job's state except `Store.transition`, which asks `checkTransition` first and
 * then performs a compare-and-set on the stored state. Everything else (scheduler, watcher, web)
 * requests edges; none of them sets `state` directly.
 */
import { IllegalTransitionError } from './errors.js';

/** Every state a job can be in. */
export const JOB_STATES = [
  'pending',
  'held',
  'scheduled',
  'running',
  'suspended',
  'over',
  'archived',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** How an `over` job ended. Only `over` (and `archived`, which keeps it) carries an outcome. */
export const JOB_OUTCOMES = ['success', 'failed', 'killed', 'quota', 'rejected', 'lost'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** States in which a job is still alive: kept in the active table/collection. */
export const ACTIVE_STATES: readonly JobState[] = [
  'pending',
  'held',
  'scheduled',
  'running',
  'suspended',
];

/** States that hold resources on a host (placed and not yet released). */
export const PLACED_STATES: readonly JobState[] = ['scheduled', 'running', 'suspended'];

/** True when the state is one of the finished ones (`over`, `archived`). */
export function isFinished(state: JobState): boolean {
  return state === 'over' || state === 'archived';
}

interface Edge {
  /** Outcomes this edge may carry; empty means the edge carries none. */
  outcomes: readonly JobOutcome[];
  /** Why the edge exists. */
  why: string;
}

type EdgeTable = { readonly [F in JobState]: Partial<Record<JobState, Edge>> };

/**
 * Every allowed edge. An edge that is not listed here is refused. Self-edges are never allowed:
 * a write that does not change the state is not a transition.
 */
export const TRANSITIONS: EdgeTable = {
  pending: {
    // The user (or a submit with --hold) parks the job; the scheduler skips it until release.
    held: { outcomes: [], why: 'hold requested' },
    // The leader admitted, ordered and placed the job; it now owns resources on a host shard.
    scheduled: { outcomes: [], why: 'placed by the scheduler leader' },
    // Only for an array job (planTransition checks `arrayParent`): it "runs" from the moment
    // its first task is placed until its last task ends; it holds no resources itself.
    running: { outcomes: [], why: 'array: first task placed' },
    // Ends before ever running: killed by its owner, refused for quota at admission, or rejected
    // (a dependency that can never be met, an image or volume no longer allowed).
    over: { outcomes: ['killed', 'quota', 'rejected'], why: 'ended before placement' },
  },
  held: {
    // Release puts the job back in the queue with its original submission time.
    pending: { outcomes: [], why: 'released' },
    // A held job can still be killed, or rejected when its dependencies fail while held.
    over: { outcomes: ['killed', 'rejected'], why: 'ended while held' },
  },
  scheduled: {
    // The agent created and started the container.
    running: { outcomes: [], why: 'container started' },
    // Dispatch failed before the container started (agent gone, start error that may pass,
    // reschedule request): the allocation is released and the job queues again.
    pending: { outcomes: [], why: 'dispatch failed or rescheduled before start' },
    // Killed before start, a start that fails for good (bad image), or the host lost.
    over: { outcomes: ['killed', 'failed', 'lost'], why: 'ended before start' },
  },
  running: {
    // Suspend pauses the container; it keeps its allocation.
    suspended: { outcomes: [], why: 'suspended' },
    // Reschedule, or a retry after the host was lost when the failure policy allows it.
    pending: { outcomes: [], why: 'rescheduled or retried' },
    // Normal end (exit 0 / non-zero), kill, quota kill at the limit, or the host lost.
    over: { outcomes: ['success', 'failed', 'killed', 'quota', 'lost'], why: 'container ended' },
  },
  suspended: {
    // Resume unpauses the container.
    running: { outcomes: [], why: 'resumed' },
    // Reschedule of a suspended job: the container is removed and the job queues again.
    pending: { outcomes: [], why: 'rescheduled while suspended' },
    // A suspended job can be killed, hit the quota at the limit, or lose its host.
    over: { outcomes: ['killed', 'quota', 'lost'], why: 'ended while suspended' },
  },
  over: {
    // The archiver (after `clean_old` days, or on request) removes the task directory; the
    // record and its accounting stay.
    archived: { outcomes: [], why: 'archived' },
  },
  // Archived is final.
  archived: {},
};

/** The edge from `from` to `to`, or undefined when the state machine does not allow it. */
export function edgeOf(from: JobState, to: JobState): Edge | undefined {
  return TRANSITIONS[from][to];
}

/** True when a job may move from `from` to `to` (with `outcome` when moving to `over`). */
export function canTransition(from: JobState, to: JobState, outcome?: JobOutcome | null): boolean {
  const edge = edgeOf(from, to);
  if (edge === undefined) return false;
  if (edge.outcomes.length === 0) return outcome === undefined || outcome === null;
  return outcome !== undefined && outcome !== null && edge.outcomes.includes(outcome);
}

/** Throws `IllegalTransitionError` unless `canTransition(from, to, outcome)`. */
export function checkTransition(from: JobState, to: JobState, outcome?: JobOutcome | null): void {
  if (canTransition(from, to, outcome)) return;
  const edge = edgeOf(from, to);
  if (edge === undefined) throw new IllegalTransitionError(`a job cannot go from ${from} to ${to}`);
  if (edge.outcomes.length === 0) {
    throw new IllegalTransitionError(
      `${from} -> ${to} carries no outcome (got ${String(outcome)})`,
    );
  }
  throw new IllegalTransitionError(
    `${from} -> ${to} needs an outcome among ${edge.outcomes.join(', ')} (got ${String(outcome)})`,
  );
}

/** Every allowed (from, to) pair, for tests and documentation. */
export function allowedEdges(): Array<{
  from: JobState;
  to: JobState;
  outcomes: readonly JobOutcome[];
}> {
  return JOB_STATES.flatMap((from) =>
    JOB_STATES.flatMap((to) => {
      const edge = edgeOf(from, to);
      return edge === undefined ? [] : [{ from, to, outcomes: edge.outcomes }];
    }),
  );
}

/** GO-Docker's view of a job's status. */
export interface GoDockerStatus {
  primary: 'pending' | 'running' | 'over' | 'archived';
  secondary: string;
}

const OUTCOME_SECONDARY: Record<JobOutcome, string> = {
  success: '',
  failed: 'failed',
  killed: 'killed',
  quota: 'quota reached',
  rejected: 'rejected',
  lost: 'lost',
};

/**
 * GO-Docker's `status.primary/secondary` for a state: scheduled and suspended jobs are
 * `running` there (the job owns its container slot), held jobs are `pending` + `hold`.
 */
export function goDockerStatus(state: JobState, outcome: JobOutcome | null): GoDockerStatus {
  switch (state) {
    case 'pending':
      return { primary: 'pending', secondary: '' };
    case 'held':
      return { primary: 'pending', secondary: 'hold' };
    case 'scheduled':
      return { primary: 'running', secondary: 'scheduled' };
    case 'running':
      return { primary: 'running', secondary: '' };
    case 'suspended':
      return { primary: 'running', secondary: 'suspended' };
    case 'over':
      return { primary: 'over', secondary: outcome === null ? '' : OUTCOME_SECONDARY[outcome] };
    case 'archived':
      return { primary: 'archived', secondary: outcome === null ? '' : OUTCOME_SECONDARY[outcome] };
  }
}
