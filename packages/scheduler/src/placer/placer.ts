/**
 * The placement seam: the pass asks a placer for each admitted, ordered job. Today's NUMA
 * placement with EASY backfill is the default placer; a delegated placer hands the job to an
 * executor that chooses its own nodes (orchestrators), admitting it against the free capacity
 * that executor reports.
 */
import type { ConsiderResult, SchedulingPass } from '../placement/index.js';
import type { SchedJob } from '../sched-job.js';

/** Places one job in a pass, or says why it waits (`never`: it cannot run here at all). */
export interface Placer {
  /** `numa` (god chooses host, shard and cores) or `delegated` (the executor chooses). */
  readonly kind: 'numa' | 'delegated';
  /** Places the job now (its resources are taken for the rest of the pass) or says why not. */
  place(job: SchedJob): ConsiderResult;
}

/**
 * The default placer over one pass of the cluster. A shape that did not fit is not tried again
 * in the pass: capacity only shrinks during a pass, and with a full cluster and a long queue
 * each further candidate then costs a lookup.
 */
export function createNumaPlacer(pass: SchedulingPass): Placer {
  const failed = new Map<string, ConsiderResult>();
  return {
    kind: 'numa',
    place(job) {
      const shape = shapeKey(job);
      const known = shape === null ? undefined : failed.get(shape);
      const r = known ?? pass.consider(job);
      if (!r.ok && known === undefined && shape !== null && pass.reservation()?.jobId !== job.id)
        failed.set(shape, r); // the head (which took the reservation) has its own message
      return r;
    },
  };
}

/** Chooses the placer of a job: its executor's delegated placer if it has one, else the default. */
export function routePlacer(
  job: Pick<SchedJob, 'executor'>,
  numa: Placer,
  delegated: ReadonlyMap<string, Placer>,
  defaultExecutor: string,
): Placer {
  return delegated.get(job.executor ?? defaultExecutor) ?? numa;
}

/**
 * What `consider` depends on for a job without ports, labels or a group: its size, run time and
 * owner (reserved hosts). Null for the others, which are always considered.
 */
function shapeKey(job: SchedJob): string | null {
  if (job.ports.length > 0 || job.label.length > 0 || job.group !== null) return null;
  return `${job.cpu}|${job.ram}|${job.gpus}|${job.maxlifespan}|${job.user}|${job.project}`;
}
