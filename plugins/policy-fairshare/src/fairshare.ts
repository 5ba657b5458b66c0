/**
 * FairShare: Slurm-style multifactor ordering with GO-Docker's factors. Jobs wait in one FIFO
 * lane per (user, project); each step of a pass scores the candidate head of every lane and
 * yields the best, so a step costs O(lanes) and never re-sorts jobs. The formula is in
 * factors.ts and the README.
 */
import type { JobUsage, PriorityAware, Priorities, QueuedJob, UsageTracking } from '@god/core';
import type { FairShareConfig } from './config.js';
import { ageFactor, type Weights } from './factors.js';
import { compareJobs, Cursor, JobIndex, JobQueue, type Entry } from '@god/policy-kit';
import { Ledger, type Party } from './ledger.js';
import { ledgerOptions } from './standing.js';

/** A job's score and its parts, for why-pending and for tests. */
export interface FairShareScore {
  score: number;
  ageFactor: number;
  userFactor: number;
  projectFactor: number;
  /** Decayed usage shares and target shares of the job's user and project, in [0, 1]. */
  userShare: number;
  userTarget: number;
  projectShare: number;
  projectTarget: number;
}

/** The FairShare queue, with a look at the score of a queued job. */
export interface FairSharePolicy extends UsageTracking, PriorityAware {
  /** The score of job `id` at `now` as if it were its lane's head; null if not queued. */
  inspect(id: number, now: number): FairShareScore | null;
}

/** Builds an empty FairShare queue. */
export function createFairSharePolicy(config: FairShareConfig): FairSharePolicy {
  return new FairShare(config);
}

/** The queued jobs of one user in one project, FIFO. */
class Lane extends JobQueue {
  /** Position in `FairShare.lanes`. */
  slot = -1;

  constructor(
    readonly user: Party,
    readonly project: Party,
  ) {
    super();
  }
}

class FairShare implements FairSharePolicy {
  readonly name = 'FairShare';
  private readonly index = new JobIndex();
  /** Non-empty lanes, scanned at each step. */
  private readonly lanes: Lane[] = [];
  private readonly laneByUser = new Map<string, Map<string, Lane>>();
  private readonly ledger: Ledger;
  private readonly w: Weights;
  private readonly maxAgeMs: number;
  constructor(config: FairShareConfig) {
    this.ledger = new Ledger(ledgerOptions(config));
    this.w = config.weights;
    this.maxAgeMs = config.max_age * 1000;
  }

  add(job: QueuedJob): void {
    this.remove(job.id);
    const e = this.index.insert(job);
    const lane = this.laneFor(e.user, e.project);
    lane.add(e);
    this.ledger.queued(lane.user, lane.project, 1);
  }

  remove(id: number): boolean {
    const e = this.index.take(id);
    if (e === undefined) return false;
    const byProject = this.laneByUser.get(e.user);
    const lane = byProject?.get(e.project);
    if (byProject === undefined || lane === undefined) return true;
    lane.drop();
    this.ledger.queued(lane.user, lane.project, -1);
    if (lane.size() === 0) {
      byProject.delete(e.project);
      if (byProject.size === 0) this.laneByUser.delete(e.user);
      const moved = this.lanes.pop();
      if (moved !== undefined && moved !== lane) {
        this.lanes[lane.slot] = moved;
        moved.slot = lane.slot;
      }
    }
    return true;
  }

  has(id: number): boolean {
    return this.index.has(id);
  }

  size(): number {
    return this.index.size();
  }

  /**
   * Re-scores every lane at each step, so removals and `started` between steps count at once.
   * Jobs added after the iterator was created wait for the next pass (never yielded twice).
   */
  *ordered(now: number): Generator<QueuedJob, void, undefined> {
    const limit = this.index.limit();
    const cursors = new Map<Lane, Cursor>();
    for (;;) {
      const e = this.pick(now, limit, cursors);
      if (e === undefined) return;
      yield e;
    }
  }

  started(job: QueuedJob, now: number): void {
    this.ledger.started(job, now);
  }

  ended(job: QueuedJob, usage: JobUsage, now: number): void {
    this.ledger.ended(job, usage, now);
  }

  charge(user: string, project: string, usage: JobUsage, at: number): void {
    this.ledger.charge(user, project, usage, at);
  }

  setPriorities(priorities: Priorities): void {
    this.ledger.setPriorities(priorities);
  }

  inspect(id: number, now: number): FairShareScore | null {
    const e = this.index.get(id);
    const lane = e === undefined ? undefined : this.laneByUser.get(e.user)?.get(e.project);
    if (e === undefined || lane === undefined) return null;
    this.ledger.round(now);
    const score = this.score(e, lane, now);
    const { user, project } = lane;
    return {
      score,
      ageFactor: ageFactor(now - e.submitted, this.maxAgeMs),
      userFactor: user.factor,
      projectFactor: project.factor,
      userShare: user.share,
      userTarget: user.target,
      projectShare: project.share,
      projectTarget: project.target,
    };
  }

  /** The best candidate of all lanes at `now`; O(lanes). */
  private pick(now: number, limit: number, cursors: Map<Lane, Cursor>): Entry | undefined {
    this.ledger.round(now);
    let best: Entry | undefined;
    let bestCursor: Cursor | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const lane of this.lanes) {
      let c = cursors.get(lane);
      if (c === undefined) {
        c = new Cursor(lane, limit);
        cursors.set(lane, c);
      }
      const e = c.peek();
      if (e === undefined) continue;
      const s = this.score(e, lane, now);
      if (s > bestScore || (s === bestScore && best !== undefined && compareJobs(e, best) < 0)) {
        best = e;
        bestCursor = c;
        bestScore = s;
      }
    }
    if (best !== undefined) bestCursor?.advance(best);
    return best;
  }

  /** The score of entry `e` of `lane` (factors of the current ledger round). */
  private score(e: Entry, lane: Lane, now: number): number {
    const { w, ledger } = this;
    return (
      w.waiting_time * this.age(e, now) +
      w.user_fairshare * ledger.factor(lane.user) +
      w.project_fairshare * ledger.factor(lane.project) +
      (w.user_priority * lane.user.priority + w.project_priority * lane.project.priority) / 100
    );
  }

  private age(e: Entry, now: number): number {
    return ageFactor(now - e.submitted, this.maxAgeMs);
  }

  private laneFor(user: string, project: string): Lane {
    let byProject = this.laneByUser.get(user);
    if (byProject === undefined) {
      byProject = new Map();
      this.laneByUser.set(user, byProject);
    }
    let lane = byProject.get(project);
    if (lane === undefined) {
      lane = new Lane(this.ledger.user(user), this.ledger.project(project));
      lane.slot = this.lanes.length;
      this.lanes.push(lane);
      byProject.set(project, lane);
    }
    return lane;
  }
}
