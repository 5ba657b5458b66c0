/**
 * Job arrays: one stored record for the array, tasks materialised lazily (a window at a time)
 * as real jobs with `parent` and `taskId`, at most `%limit` of them placed at once, and only
 * while the array's shape fits some host. The array job runs from its first task's placement
 * until its last task ends. On the pending counters an array weighs its tasks not yet started:
 * the materialised pending ones (one each, like plain jobs) plus the unmade ones (`unmadeTasks`).
 */
import { arrayTaskIds, type ArraySpec, type Job, type JobOutcome, type NewJob } from '@god/core';

/** Progress of one array. */
export interface ArrayProgress {
  parent: Job;
  spec: ArraySpec;
  /** Index (0-based) of the next task to materialise. */
  nextIndex: number;
  /** Tasks materialised and not ended. */
  live: number;
  /** Tasks placed right now (for `%limit`). */
  placed: number;
  ended: number;
  failed: number;
  /** Set once a kill of the array was seen. */
  killed: boolean;
  /** Why the array was rejected (its shape fits no host), or null. */
  rejected: string | null;
  /** No more tasks are made (killed, rejected or ended); the unmade ones left the counters. */
  stopped: boolean;
}

/** The task id of index `i` of an array (exact bounds: first + i*step). */
export function taskIdAt(spec: ArraySpec, i: number): number {
  return spec.first + i * spec.step;
}

/** The record of task `taskId` of array `parent`, with the array variables in its environment. */
export function taskOf(parent: Job, taskId: number): NewJob {
  const spec = parent.requirements.array;
  if (spec === null) throw new TypeError(`job ${parent.id} is not an array`);
  return {
    state: 'pending',
    submitted: parent.status.dates.submitted,
    user: parent.user,
    meta: { ...parent.meta, name: `${parent.meta.name}[${taskId}]` },
    requirements: { ...parent.requirements, array: null, tasks: [] },
    container: parent.container,
    command: parent.command,
    env: {
      ...parent.env,
      GODOCKER_TASK_ID: String(taskId),
      GODOCKER_TASK_FIRST: String(spec.first),
      GODOCKER_TASK_LAST: String(spec.last),
      GODOCKER_TASK_STEP: String(spec.step),
    },
    parent: parent.id,
    taskId,
    why: { code: 'NEW', message: 'waiting for the scheduler' },
  };
}

/** New progress for an array none of whose tasks exist yet. */
export function newProgress(parent: Job): ArrayProgress {
  const spec = parent.requirements.array;
  if (spec === null) throw new TypeError(`job ${parent.id} is not an array`);
  return {
    parent,
    spec,
    nextIndex: 0,
    live: 0,
    placed: 0,
    ended: 0,
    failed: 0,
    killed: false,
    rejected: null,
    stopped: false,
  };
}

/** Progress rebuilt from the tasks that exist (any state). */
export function progressFrom(parent: Job, tasks: readonly Job[]): ArrayProgress {
  const p = newProgress(parent);
  let maxTask = -Infinity;
  for (const t of tasks) {
    if (t.taskId !== null) maxTask = Math.max(maxTask, t.taskId);
    if (t.state === 'over' || t.state === 'archived') {
      p.ended += 1;
      if (t.outcome !== 'success') p.failed += 1;
    } else {
      p.live += 1;
      if (t.state === 'scheduled' || t.state === 'running' || t.state === 'suspended')
        p.placed += 1;
    }
  }
  p.nextIndex = maxTask === -Infinity ? 0 : (maxTask - p.spec.first) / p.spec.step + 1;
  return p;
}

/** How many tasks `nextTasks` would make now. */
export function tasksWanted(p: ArrayProgress, window: number): number {
  return p.stopped ? 0 : Math.max(0, Math.min(window - p.live, p.spec.count - p.nextIndex));
}

/** The tasks of the array not made yet, each still pending on the counters (0 once stopped). */
export function unmadeTasks(p: ArrayProgress): number {
  return p.stopped ? 0 : p.spec.count - p.nextIndex;
}

/** The next tasks to materialise so that `window` tasks are live (none once stopped). */
export function nextTasks(p: ArrayProgress, window: number): NewJob[] {
  const n = tasksWanted(p, window);
  const out: NewJob[] = [];
  for (let i = 0; i < n; i++) out.push(taskOf(p.parent, taskIdAt(p.spec, p.nextIndex + i)));
  return out;
}

/** True when another task of the array may be placed without passing `%limit`. */
export function mayPlaceTask(p: ArrayProgress): boolean {
  return p.spec.limit === 0 || p.placed < p.spec.limit;
}

/** True when every task was made and has ended. */
export function isComplete(p: ArrayProgress): boolean {
  return p.live === 0 && (p.stopped || p.nextIndex >= p.spec.count);
}

/** The array's outcome once complete: success only if every task succeeded. */
export function arrayOutcome(p: ArrayProgress): JobOutcome {
  if (p.killed) return 'killed';
  if (p.rejected !== null) return 'rejected';
  return p.failed === 0 ? 'success' : 'failed';
}

export { arrayTaskIds };
