/**
 * Job arrays whose tasks are not made because no current host could run one, even idle. Making
 * them would only have them rejected one by one and the next window made, a write storm that
 * never ends; a parked array instead costs one why-pending while nothing changes. It is looked
 * at again when the hosts change, and rejected whole, with one write, once it has fit no
 * registered host for `scheduler.host_timeout_ms` (like a plain job; never while held or while
 * no host is registered at all).
 */
import type { ArrayProgress } from './arrays.js';
import type { Leader } from './leader.js';
import { placementRequestOf, type Unfit } from './placement/index.js';

/** What parking needs of the leader. */
type ParkingLeader = Pick<
  Leader,
  'state' | 'arrays' | 'setWhy' | 'neverFits' | 'clearNever' | 'stopArray' | 'topUpArray'
>;

/** The parked arrays of one leader term: each with its verdict and the hosts it was made on. */
export class ParkedArrays {
  private readonly parked = new Map<number, { unfit: Unfit; generation: number }>();

  /** Parks the array (true) when no current host fits its tasks; unparks it (false) otherwise. */
  park(leader: ParkingLeader, p: ArrayProgress): boolean {
    const id = p.parent.id;
    const cluster = leader.state.cluster;
    const unfit = cluster.unfit(placementRequestOf(p.parent));
    if (unfit === null) {
      if (this.parked.delete(id)) leader.clearNever(id);
      return false;
    }
    this.parked.set(id, { unfit, generation: cluster.generation });
    const sj = leader.state.pending.get(id);
    if (sj !== undefined) leader.setWhy(sj, { code: unfit.code, message: unfit.message });
    return true;
  }

  /** Once a pass: tries again the arrays whose hosts changed, rejects those past the timeout. */
  async recheck(leader: ParkingLeader, now: number): Promise<void> {
    if (this.parked.size === 0) return;
    for (const [id, seen] of [...this.parked]) {
      const p = leader.arrays.get(id);
      if (p === undefined || p.stopped) this.forget(leader, id);
      else if (seen.generation !== leader.state.cluster.generation) await leader.topUpArray(p);
      else if (!seen.unfit.final || p.parent.state === 'held') leader.clearNever(id);
      else if (leader.neverFits(id, now)) {
        this.forget(leader, id);
        p.rejected = seen.unfit.message;
        leader.stopArray(p);
        await leader.topUpArray(p); // ends it now when it has no live task
      }
    }
  }

  private forget(leader: ParkingLeader, id: number): void {
    this.parked.delete(id);
    leader.clearNever(id);
  }
}
