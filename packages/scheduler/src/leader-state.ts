/**
 * What the leader holds in memory during one term: the policy's queue of eligible jobs, the jobs
 * waiting on dependencies or held, placed jobs and what each project holds. Rebuilt from the
 * store at the start of every term; nothing here is the truth.
 */
import { tracksUsage, type JobOutcome, type SchedulingPolicy, type UsageTracking } from '@god/core';
import { adjustHeld, type DepView, type Held } from './admission.js';
import type { Cluster } from './placement/index.js';
import type { SchedJob } from './sched-job.js';

/** A placed job: its request and when it was placed. */
export interface PlacedJob {
  job: SchedJob;
  since: number;
}

/** In-memory scheduling state of one leader term. */
export class LeaderState {
  /** Every pending or held job the leader knows, by id. */
  readonly pending = new Map<number, SchedJob>();
  /** Held jobs and jobs waiting for dependencies: not in the policy's queue. */
  readonly blocked = new Set<number>();
  /** Dependency id -> ids of jobs waiting for it. */
  readonly dependents = new Map<number, Set<number>>();
  /** Scheduled, running and suspended jobs with resources. */
  readonly placed = new Map<number, PlacedJob>();
  /** Resources each project holds at once (placed jobs). */
  readonly held = new Map<string, Held>();
  /** States of finished jobs seen this term, for dependency checks. */
  readonly finished = new Map<number, DepView>();
  /** The policy's usage ability, found once a term; null for a policy that ignores usage (FIFO). */
  readonly usage: UsageTracking | null;

  constructor(
    readonly policy: SchedulingPolicy,
    readonly cluster: Cluster,
  ) {
    this.usage = tracksUsage(policy) ? policy : null;
  }

  /** Queues an eligible job in the policy. */
  enqueue(job: SchedJob): void {
    this.pending.set(job.id, job);
    this.blocked.delete(job.id);
    this.policy.add(job);
  }

  /** Keeps a job aside (held, or waiting for `on`). */
  block(job: SchedJob, on: readonly number[] = []): void {
    this.pending.set(job.id, job);
    this.blocked.add(job.id);
    this.policy.remove(job.id);
    for (const dep of on) {
      let set = this.dependents.get(dep);
      if (set === undefined) this.dependents.set(dep, (set = new Set()));
      set.add(job.id);
    }
  }

  /** Forgets a pending job (placed, ended, or changed elsewhere). */
  forget(id: number): SchedJob | undefined {
    const job = this.pending.get(id);
    this.pending.delete(id);
    this.blocked.delete(id);
    this.policy.remove(id);
    return job;
  }

  /** Records a placement (after the store accepted it). */
  place(job: SchedJob, now: number): void {
    this.placed.set(job.id, { job, since: now });
    adjustHeld(this.held, job, 1);
    this.usage?.started(job, now);
  }

  /** Releases a placed job's resources; returns it if it was placed. */
  release(id: number): PlacedJob | undefined {
    const p = this.placed.get(id);
    this.cluster.release(id);
    if (p === undefined) return undefined;
    this.placed.delete(id);
    adjustHeld(this.held, p.job, -1);
    return p;
  }

  /**
   * Notes a finished job (remembered for dependency checks when its owner is known) and returns
   * the ids of jobs that were waiting for it.
   */
  finish(id: number, outcome: JobOutcome | null, user?: DepView['user']): number[] {
    if (user !== undefined) this.finished.set(id, { state: 'over', outcome, user });
    const waiting = this.dependents.get(id);
    this.dependents.delete(id);
    return waiting === undefined ? [] : [...waiting];
  }
}
