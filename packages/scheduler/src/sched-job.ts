/** The scheduler's compact view of a pending job: one object per job, shared with the policy. */
import type { Dependency, Job, QueuedJob } from '@god/core';
import type { PlacementRequest } from './placement/index.js';

/** A pending job as the leader keeps it in memory (a QueuedJob and a PlacementRequest at once). */
export interface SchedJob extends QueuedJob, PlacementRequest {
  deps: readonly Dependency[];
  /** Array job this task belongs to, or null. */
  parent: number | null;
  /** The executor it asked for (`requirements.executor`); null: the configured default. */
  executor: string | null;
  /** Last why-pending code written for it (to write only changes). */
  whyCode: string;
}

// Most jobs have no constraints, ports or dependencies: share one frozen empty array.
const EMPTY: readonly never[] = Object.freeze([]);
const share = <T>(a: readonly T[]): readonly T[] => (a.length === 0 ? EMPTY : a);

/** The in-memory view of a stored pending/held job. */
export function schedJobOf(job: Job): SchedJob {
  const r = job.requirements;
  return {
    id: job.id,
    user: job.user.id,
    project: job.user.project,
    submitted: job.status.dates.submitted,
    cpu: r.cpu,
    ram: r.ram,
    gpus: r.gpus,
    ports: share(r.ports),
    label: share(r.label),
    group: r.group,
    maxlifespan: r.maxlifespan,
    deps: share(r.tasks),
    parent: job.parent,
    executor: r.executor,
    whyCode: job.why?.code ?? '',
  };
}

/** True for the record of a job array (not one of its tasks). */
export function isArrayJob(job: Job): boolean {
  return job.requirements.array !== null && job.parent === null;
}
