/**
 * What a state change writes besides `state`: computed once here so every Store adapter writes
 * exactly the same fields. Adapters perform the compare-and-set on `state` and apply the plan.
 */
import type { Job, JobUsage, Placement, PendingWhy } from './job.js';
import { IllegalTransitionError } from './errors.js';
import { checkTransition, goDockerStatus, type JobOutcome, type JobState } from './job-state.js';
import { getPath, setPath } from './paths.js';

/** Fields a caller may set together with a transition. Everything else is derived. */
export interface TransitionPatch {
  /** Required when moving to `over`, refused otherwise. */
  outcome?: JobOutcome;
  /** Human reason stored in `status.reason`. */
  reason?: string;
  exitcode?: number | null;
  /** Set on `scheduled`; cleared automatically when the job leaves the placed states. */
  placement?: Placement;
  /** The scheduler leader's fencing epoch, on `scheduled`. */
  epoch?: number;
  usage?: JobUsage;
  /** Why-pending, on edges into `pending` / `held`. */
  why?: PendingWhy | null;
  /** Time of the change in epoch ms (defaults to now). */
  at?: number;
  /** Set by the scheduler when it moves an array job (never a task) `pending -> running`. */
  arrayParent?: boolean;
}

/** The writes of one transition: dotted paths to set, and counters to increment. */
export interface TransitionPlan {
  set: Record<string, unknown>;
  inc: Record<string, number>;
}

/**
 * Checks the edge and computes the writes for `from -> to`. Throws `IllegalTransitionError`
 * when the state machine refuses the edge or the patch does not fit it.
 */
export function planTransition(
  from: JobState,
  to: JobState,
  patch: TransitionPatch = {},
  now = Date.now(),
): TransitionPlan {
  checkTransition(from, to, patch.outcome);
  if (from === 'pending' && to === 'running' && patch.arrayParent !== true) {
    throw new IllegalTransitionError(
      'only an array job goes from pending to running (its tasks are placed)',
    );
  }
  const at = patch.at ?? now;
  const outcome = to === 'over' ? (patch.outcome ?? null) : undefined;
  const set: Record<string, unknown> = { state: to };
  const inc: Record<string, number> = {};

  if (outcome !== undefined) set['outcome'] = outcome;
  if (to === 'pending' || to === 'held') set['outcome'] = null;

  if (to !== 'archived') {
    // Archiving keeps the status of the end; every other edge recomputes it from the state.
    const status = goDockerStatus(to, outcome ?? null);
    set['status.primary'] = status.primary;
    set['status.secondary'] = status.secondary;
  } else {
    set['status.primary'] = 'archived';
  }
  if (patch.reason !== undefined) set['status.reason'] = patch.reason;
  if (patch.exitcode !== undefined) set['status.exitcode'] = patch.exitcode;
  if (patch.usage !== undefined) set['usage'] = patch.usage;

  switch (to) {
    case 'scheduled':
      if (patch.placement === undefined)
        throw new TypeError('a transition to scheduled needs a placement');
      set['placement'] = patch.placement;
      set['status.dates.scheduled'] = at;
      set['why'] = null;
      if (patch.epoch !== undefined) set['epoch'] = patch.epoch;
      inc['attempts'] = 1;
      break;
    case 'running':
      if (from === 'scheduled' || from === 'pending') set['status.dates.started'] = at;
      if (from === 'pending') set['why'] = null;
      break;
    case 'pending':
    case 'held':
      // Back in the queue: resources are released, the job waits again.
      set['placement'] = null;
      set['why'] =
        patch.why ??
        (to === 'held'
          ? { code: 'HELD', message: 'held by request' }
          : { code: 'NEW', message: 'waiting for the scheduler' });
      set['status.dates.scheduled'] = null;
      set['status.dates.started'] = null;
      break;
    case 'over':
      set['status.dates.ended'] = at;
      set['why'] = null;
      break;
    case 'archived':
      set['status.dates.archived'] = at;
      break;
    case 'suspended':
      break;
  }
  if (to !== 'scheduled' && patch.placement !== undefined) {
    throw new TypeError(`placement is set only on a transition to scheduled, not ${to}`);
  }
  return { set, inc };
}

/** Applies a plan to a copy of a job document (adapters that store whole documents use this). */
export function applyPlan(job: Job, plan: TransitionPlan): Job {
  return applyPlanInPlace(structuredClone(job), plan);
}

/**
 * Applies a plan to `job` itself and returns it: for an adapter that has just parsed the stored
 * document and owns the only reference to it (a copy would be wasted work on the hot path).
 */
export function applyPlanInPlace(job: Job, plan: TransitionPlan): Job {
  const next = job as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(plan.set)) setPath(next, path, value);
  for (const [path, by] of Object.entries(plan.inc)) {
    const current = getPath(next, path);
    setPath(next, path, (typeof current === 'number' ? current : 0) + by);
  }
  return next as unknown as Job;
}
