/**
 * The leader's side of the pending-task counters (the rule is in pending-tally.ts): changes are
 * noted as tasks leave or rejoin the pending set, applied after each pass, and the counters are
 * rewritten whole from memory at each rebuild and every 30 s, so they cannot drift for long.
 */
import { unmadeTasks, type ArrayProgress } from './arrays.js';
import type { Term } from './leader-deps.js';
import { PendingTally, pendingByUser } from './pending-tally.js';
import type { SchedJob } from './sched-job.js';

/** The pending-task counters of one leader term. */
export class PendingCounters {
  private countersAt = 0;
  private readonly tally = new PendingTally();

  constructor(
    private readonly term: Term,
    private readonly arrays: ReadonlyMap<number, ArrayProgress>,
  ) {}

  /** Pending-task counts from memory (the rule of `pendingByUser`), written over the counters. */
  async rebuild(): Promise<void> {
    this.countersAt = this.term.deps.now();
    this.tally.clear();
    await this.term.deps.rebuildCounters(
      pendingByUser(this.term.state.pending.values(), this.arrays),
    );
  }

  /** Notes `n` (negative: given back) pending tasks of `user`. */
  add(user: string, n: number): void {
    this.tally.add(user, n);
  }

  /**
   * Notes that a job left the pending set (placed, or ended unstarted): one task, or for an
   * array parent that ended its unmade tasks (its made ones leave one by one).
   */
  leftPending(job: Pick<SchedJob, 'id' | 'user'>): void {
    const p = this.arrays.get(job.id);
    if (p === undefined) this.tally.add(job.user, -1);
    else this.stopArray(p);
  }

  /** Stops making tasks of an array and gives its unmade tasks back to the counters (once). */
  stopArray(p: ArrayProgress): void {
    this.tally.add(p.parent.user.id, -unmadeTasks(p));
    p.stopped = true;
  }

  /** Applies the noted changes; every 30 s rewrites the counters whole (drift repair). */
  async sync(now: number): Promise<void> {
    if (now - this.countersAt >= 30_000) return this.rebuild();
    const delta = this.tally.take();
    if (delta.size > 0) await this.term.deps.adjustCounters(delta);
  }
}
