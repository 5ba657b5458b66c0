/**
 * Admission: may a pending job compete for resources now? Dependencies, quotas (true
 * resource-seconds over a sliding window) and project limits. Pure decisions over data the
 * leader hands in; the leader acts on them.
 */
import {
  BYTES_PER_GB,
  formatBytes,
  type Dependency,
  type JobOutcome,
  type JobState,
  type JobUsage,
} from '@god/core';
import type { ProjectLimits, Quota, UsageTotals } from '@god/store';
import type { SchedJob } from './sched-job.js';

/** What admission needs to know of another job (a dependency). */
export interface DepView {
  state: JobState;
  outcome: JobOutcome | null;
  /** Its owner and project: a job the dependent's owner may not see counts as nonexistent. */
  user: { id: string; project: string };
}

/** The verdict on a job's dependencies. */
export type DepVerdict =
  | { kind: 'met' }
  | { kind: 'wait'; on: number[] }
  /** A dependency ended in a way that can never satisfy this job. */
  | { kind: 'never'; reason: string };

/** Whether a finished dependency with this outcome satisfies a dependency of this kind. */
export function satisfies(kind: Dependency['kind'], outcome: JobOutcome | null): boolean {
  if (kind === 'afterany') return true;
  if (kind === 'afterok') return outcome === 'success';
  return outcome !== 'success';
}

/** Checks every dependency; `view(id)` is null for a job that does not exist. */
export function checkDependencies(
  deps: readonly Dependency[],
  view: (id: number) => DepView | null,
): DepVerdict {
  const on: number[] = [];
  for (const dep of deps) {
    const d = view(dep.id);
    if (d === null) return { kind: 'never', reason: `dependency ${dep.id} does not exist` };
    if (d.state !== 'over' && d.state !== 'archived') {
      on.push(dep.id);
      continue;
    }
    if (!satisfies(dep.kind, d.outcome)) {
      return {
        kind: 'never',
        reason: `dependency ${dep.id} ended ${d.outcome ?? 'without outcome'}, so ${dep.kind} can never be met`,
      };
    }
  }
  return on.length === 0 ? { kind: 'met' } : { kind: 'wait', on };
}

/** Resource-seconds of one job running `seconds` (what the ledger will book). */
export function usageOf(job: Pick<SchedJob, 'cpu' | 'ram' | 'gpus'>, seconds: number): JobUsage {
  return {
    cpuSeconds: job.cpu * seconds,
    ramGBSeconds: (job.ram / BYTES_PER_GB) * seconds,
    gpuSeconds: job.gpus * seconds,
    wallSeconds: seconds,
    maxRamBytes: 0,
  };
}

const DIMENSIONS = [
  ['cpuSeconds', 'cpu·s'],
  ['ramGBSeconds', 'RAM GB·s'],
  ['gpuSeconds', 'GPU·s'],
  ['wallSeconds', 'wall s'],
] as const;

/**
 * The first quota dimension that `used + adding` exceeds (0 = unlimited), as a reason, or null.
 * `adding` is the job's own projection (its maxlifespan), or zero when it set none: then the job
 * is refused only when the owner is already at the limit.
 */
export function quotaExceeded(
  who: string,
  quota: Quota | null,
  used: UsageTotals,
  adding: JobUsage,
): string | null {
  if (quota === null) return null;
  for (const [key, unit] of DIMENSIONS) {
    const limit = quota[key];
    if (limit <= 0) continue;
    const total = used[key] + adding[key];
    if (total >= limit && (adding[key] > 0 ? total > limit : true)) {
      return `${who} quota of ${limit} ${unit} per ${quota.windowSeconds} s reached (${Math.round(used[key])} used${adding[key] > 0 ? `, ${Math.round(adding[key])} asked` : ''})`;
    }
  }
  return null;
}

/** Resources a project holds at once. */
export interface Held {
  cpu: number;
  /** Bytes. */
  ram: number;
  gpus: number;
  jobs: number;
}

/** A reason when placing `job` would take its project over a simultaneous-resource limit. */
export function projectLimitReached(
  project: string,
  limits: ProjectLimits | null,
  held: Held | undefined,
  job: SchedJob,
): string | null {
  if (limits === null) return null;
  const h = held ?? { cpu: 0, ram: 0, gpus: 0, jobs: 0 };
  const over: string[] = [];
  if (limits.cpu > 0 && h.cpu + job.cpu > limits.cpu) over.push(`${h.cpu}/${limits.cpu} cores`);
  // Project limits are in GB (whole or not); held RAM is in bytes.
  const ramLimit = limits.ram * BYTES_PER_GB;
  if (ramLimit > 0 && h.ram + job.ram > ramLimit)
    over.push(`${formatBytes(h.ram)}/${formatBytes(ramLimit)} RAM`);
  if (limits.gpus > 0 && h.gpus + job.gpus > limits.gpus)
    over.push(`${h.gpus}/${limits.gpus} GPUs`);
  if (limits.jobs > 0 && h.jobs + 1 > limits.jobs) over.push(`${h.jobs}/${limits.jobs} jobs`);
  return over.length === 0
    ? null
    : `project ${project} is at its limit (${over.join(', ')} in use)`;
}

/** Adds (sign 1) or removes (sign -1) a job's resources from a project's held totals. */
export function adjustHeld(
  map: Map<string, Held>,
  job: Pick<SchedJob, 'project' | 'cpu' | 'ram' | 'gpus'>,
  sign: 1 | -1,
): void {
  const h = map.get(job.project) ?? { cpu: 0, ram: 0, gpus: 0, jobs: 0 };
  h.cpu += sign * job.cpu;
  h.ram += sign * job.ram;
  h.gpus += sign * job.gpus;
  h.jobs += sign;
  if (h.jobs <= 0) map.delete(job.project);
  else map.set(job.project, h);
}
