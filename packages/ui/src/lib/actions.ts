/**
 * Which actions a job offers, from the job state machine of @god/core (the edges the API's
 * actions take) and the API's own checks (@god/jobs actions.ts): the UI shows a button only
 * when the request could succeed now.
 */
import { canTransition, PLACED_STATES, type Job, type JobState } from '@god/core/browser';

/** Every action the job page can offer, in the order shown. */
export const JOB_ACTIONS = [
  'kill',
  'suspend',
  'resume',
  'reschedule',
  'hold',
  'release',
  'archive',
] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

/** Who looks (the session). */
export interface Viewer {
  user: string;
  admin: boolean;
}

/** The parts of a job the decision reads. */
export type ActionableJob = Pick<Job, 'state' | 'placement' | 'user'> & {
  requirements: Pick<Job['requirements'], 'array'>;
};

const placed = (s: JobState): boolean => PLACED_STATES.includes(s);

/**
 * The actions `viewer` may take on `job` now. The API lets anyone who may see a job act on it
 * (its owner, administrators, and project members when projects share), so a visible job is
 * an actionable one; the state decides the rest. An array job is never placed itself: it can be
 * killed or held, not suspended, resumed or rescheduled (its tasks can).
 */
export function allowedActions(job: ActionableJob, viewer: Viewer | null): JobAction[] {
  if (viewer === null) return [];
  const s = job.state;
  const isArray = job.requirements.array !== null;
  const ok: Record<JobAction, boolean> = {
    kill: canTransition(s, 'over', 'killed'),
    suspend: !isArray && s === 'running' && canTransition(s, 'suspended'),
    resume: !isArray && s === 'suspended' && canTransition(s, 'running'),
    // Reschedule stops a placed job and queues it again (watcher: needs its placement).
    reschedule: !isArray && placed(s) && job.placement !== null && canTransition(s, 'pending'),
    hold: s === 'pending' && canTransition(s, 'held'),
    release: s === 'held' && canTransition(s, 'pending'),
    archive: canTransition(s, 'archived'),
  };
  return JOB_ACTIONS.filter((a) => ok[a]);
}
