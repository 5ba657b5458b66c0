/**
 * Job arrays whose tasks are not made because no current host could run one, even idle. Making
 * them would only have them rejected one by one and the next window made, a write storm that
 * never ends; a parked array instead costs one why-pending while nothing changes. It is looked
 * at again when the hosts change, and rejected whole, with one write, once it has fit no
 * registered host for `scheduler.host_timeout_ms` (like a plain job; never while held or while
 * no host is registered at all).
 */
import type { PendingWhy } from '@god/core';
import type { ArrayProgress } from './arrays.js';
import { placementRequestOf, type Cluster, type Unfit } from './placement/index.js';
import type { SchedJob } from './sched-job.js';

/** What parking needs of the leader term. */
export interface Parking {
  cluster(): Cluster;
  pending(id: number): SchedJob | undefined;
  readonly arrays: ReadonlyMap<number, ArrayProgress>;
  setWhy(job: SchedJob, why: PendingWhy): void;
  neverFits(id: number, now: number): boolean;
  clearNever(id: number): void;
  stopArray(p: ArrayProgress): void;
  topUpArray(p: ArrayProgress): Promise<void>;
}

/** The parked arrays of one leader term: each with its verdict and the hosts it was made on. */
export class ParkedArrays {
  private readonly parked = new Map<number, { unfit: Unfit; generation: number }>();

  /** Parks the array (true) when no current host fits its tasks; unparks it (false) otherwise. */
  park(leader: Parking, p: ArrayProgress): boolean {
    const id = p.parent.id;
    const cluster = leader.cluster();
    const unfit = cluster.unfit(placementRequestOf(p.parent));
    if (unfit === null) {
      if (this.parked.delete(id)) leader.clearNever(id);
      return false;
    }
    this.parked.set(id, { unfit, generation: cluster.generation });
    const sj = leader.pending(id);
    if (sj !== undefined) leader.setWhy(sj, { code: unfit.code, message: unfit.message });
    return true;
  }

  /** Once a pass: tries again the arrays whose hosts changed, rejects those past the timeout. */
  async recheck(leader: Parking, now: number): Promise<void> {
    if (this.parked.size === 0) return;
    for (const [id, seen] of [...this.parked]) {
      const p = leader.arrays.get(id);
      if (p === undefined || p.stopped) this.forget(leader, id);
      else if (seen.generation !== leader.cluster().generation) await leader.topUpArray(p);
      else if (!seen.unfit.final || p.parent.state === 'held') leader.clearNever(id);
      else if (leader.neverFits(id, now)) {
        this.forget(leader, id);
        p.rejected = seen.unfit.message;
        leader.stopArray(p);
        await leader.topUpArray(p); // ends it now when it has no live task
      }
    }
  }

  private forget(leader: Parking, id: number): void {
    this.parked.delete(id);
    leader.clearNever(id);
  }
}
