/**
 * The leader's side of the pending-task counters. Submission takes one per plain job and N per
 * array of N tasks; the leader gives them back as tasks leave the pending set (placed, or ended
 * before they started; the unmade tasks of an array when it stops) and takes one again for a job
 * put back to pending (rescheduled, host lost). Its periodic rewrite counts the same way from
 * memory, so the two can never disagree for long.
 */
import { unmadeTasks, type ArrayProgress } from './arrays.js';
import type { SchedJob } from './sched-job.js';

/** Signed changes to the per-user counters, noted as they happen and applied after a pass. */
export class PendingTally {
  private readonly delta = new Map<string, number>();

  /** Notes `n` (negative: given back) pending tasks of `user`. */
  add(user: string, n: number): void {
    if (n !== 0) this.delta.set(user, (this.delta.get(user) ?? 0) + n);
  }

  /** The changes noted since the last take (without the users whose changes cancelled out). */
  take(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [user, n] of this.delta) if (n !== 0) out.set(user, n);
    this.delta.clear();
    return out;
  }

  /** Forgets the noted changes (the counters are being rewritten whole). */
  clear(): void {
    this.delta.clear();
  }
}

/**
 * Pending tasks per user from the leader's memory, by the rule submission counts by: each pending
 * or held job or task is one, an array parent weighs its unmade tasks (its made ones are counted
 * as the pending tasks they are; placed and ended ones not at all).
 */
export function pendingByUser(
  pending: Iterable<SchedJob>,
  arrays: ReadonlyMap<number, ArrayProgress>,
): Map<string, number> {
  const byUser = new Map<string, number>();
  const add = (user: string, n: number): void => {
    if (n > 0) byUser.set(user, (byUser.get(user) ?? 0) + n);
  };
  for (const job of pending) if (!arrays.has(job.id)) add(job.user, 1);
  for (const p of arrays.values()) add(p.parent.user.id, unmadeTasks(p));
  return byUser;
}
