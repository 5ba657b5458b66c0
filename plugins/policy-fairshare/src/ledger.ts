/**
 * Who used what: decayed usage per user, per project and in total, the running jobs' accrual,
 * priorities and target shares. Every change touches one user, one project and the total, O(1);
 * factors are computed on demand and cached until the next change or another `now`.
 */
import type { JobUsage, Priorities, QueuedJob } from '@god/core';
import { fairShareFactor } from './factors.js';
import {
  billRate,
  billUsage,
  newAccount,
  type Account,
  type Billing,
  type Decay,
} from './usage.js';

/** A user or a project as the fair share sees it. */
export interface Party {
  readonly kind: 'user' | 'project';
  readonly name: string;
  readonly account: Account;
  /** 0-100. */
  priority: number;
  /** Queued jobs, then running jobs: a party with either is active and has a target share. */
  queued: number;
  running: number;
  /** Effective usage as of `usageAt` (NaN: to recompute), reused while the account is unchanged. */
  usage: number;
  usageAt: number;
  /** Cache of the last scoring round (see `Ledger.round`). */
  stamp: number;
  factor: number;
  share: number;
  target: number;
}

interface RunningJob {
  user: Party;
  project: Party;
  rate: number;
  since: number;
}

/** The ledger's settings. */
export interface LedgerOptions {
  decay: Decay;
  billing: Billing;
  /** Seconds of future use charged up front for each running job. */
  runningChargeSeconds: number;
  defaultPriority: number;
}

/** A party's share of something, kept in [0, 1] so rounding can never raise a factor. */
function ratio(part: number, whole: number): number {
  return whole > 0 ? Math.min(1, part / whole) : 0;
}

/** Decayed usage, running jobs and priorities of every user and project seen. */
export class Ledger {
  readonly users = new Map<string, Party>();
  readonly projects = new Map<string, Party>();
  private readonly total = newAccount();
  private readonly running = new Map<number, RunningJob>();
  private priorities: Priorities = { users: new Map(), projects: new Map() };
  /** Sums of the priorities of active users and projects: the targets' denominators. */
  private userSum = 0;
  private projectSum = 0;
  /** Bumped by every change that can move a factor. */
  private version = 0;
  private stamp = 0;
  private stampedVersion = -1;
  private stampedNow = Number.NaN;
  private totalNow = 0;

  constructor(private readonly o: LedgerOptions) {}

  /** The user named `name`, created on first sight. */
  user(name: string): Party {
    return this.party(this.users, 'user', name);
  }

  /** The project named `name`, created on first sight. */
  project(name: string): Party {
    return this.party(this.projects, 'project', name);
  }

  /** Jobs of `user` in `project` were queued (delta > 0) or left the queue. */
  queued(user: Party, project: Party, delta: number): void {
    this.count(user, delta, 0);
    this.count(project, delta, 0);
  }

  /** A job started at `since`: its allocation accrues from then on. */
  started(job: QueuedJob, since: number): void {
    if (this.running.has(job.id)) return;
    const r: RunningJob = {
      user: this.user(job.user),
      project: this.project(job.project),
      rate: billRate(job, this.o.billing),
      since,
    };
    this.running.set(job.id, r);
    for (const a of [r.user.account, r.project.account, this.total]) {
      this.o.decay.start(a, r.rate, since);
    }
    r.user.usageAt = r.project.usageAt = Number.NaN;
    this.count(r.user, 0, 1);
    this.count(r.project, 0, 1);
    this.version++;
  }

  /** A job ended: its accrual is replaced by its measured usage, booked at `now`. */
  ended(job: QueuedJob, usage: JobUsage, now: number): void {
    const r = this.running.get(job.id);
    if (r !== undefined) {
      this.running.delete(job.id);
      const { decay } = this.o;
      decay.stop(r.user.account, r.rate, r.since, now, r.user.running === 1);
      decay.stop(r.project.account, r.rate, r.since, now, r.project.running === 1);
      decay.stop(this.total, r.rate, r.since, now, this.running.size === 0);
      r.user.usageAt = r.project.usageAt = Number.NaN;
      this.count(r.user, 0, -1);
      this.count(r.project, 0, -1);
    }
    this.charge(job.user, job.project, usage, now);
  }

  /** Books measured usage at time `at`. */
  charge(user: string, project: string, usage: JobUsage, at: number): void {
    const amount = billUsage(usage, this.o.billing);
    const { decay } = this.o;
    const u = this.user(user);
    const p = this.project(project);
    decay.add(u.account, amount, at);
    decay.add(p.account, amount, at);
    decay.add(this.total, amount, at);
    u.usageAt = p.usageAt = Number.NaN;
    this.version++;
  }

  /** New priorities for everyone: O(users + projects). */
  setPriorities(p: Priorities): void {
    this.priorities = p;
    this.userSum = 0;
    this.projectSum = 0;
    for (const party of [...this.users.values(), ...this.projects.values()]) {
      party.priority = this.priorityOf(party.kind, party.name);
      if (party.queued + party.running > 0) this.addToSum(party, party.priority);
    }
    this.version++;
  }

  /** Starts a scoring round at `now`; cached factors stay valid while nothing changes. */
  round(now: number): void {
    if (now === this.stampedNow && this.version === this.stampedVersion) return;
    this.stamp++;
    this.stampedNow = now;
    this.stampedVersion = this.version;
    this.totalNow = this.effective(this.total, now);
  }

  /** The party's fair-share factor in the current round (its share and target are set too). */
  factor(p: Party): number {
    if (p.stamp === this.stamp) return p.factor;
    p.stamp = this.stamp;
    if (p.usageAt !== this.stampedNow) {
      p.usage = this.effective(p.account, this.stampedNow);
      p.usageAt = this.stampedNow;
    }
    p.share = ratio(p.usage, this.totalNow);
    p.target = ratio(p.priority, p.kind === 'user' ? this.userSum : this.projectSum);
    p.factor = fairShareFactor(p.share, p.target);
    return p.factor;
  }

  /** Decayed usage plus the up-front charge of the running jobs. */
  private effective(a: Account, now: number): number {
    return this.o.decay.read(a, now) + a.rate * this.o.runningChargeSeconds;
  }

  private party(map: Map<string, Party>, kind: Party['kind'], name: string): Party {
    let p = map.get(name);
    if (p === undefined) {
      p = {
        kind,
        name,
        account: newAccount(),
        priority: this.priorityOf(kind, name),
        queued: 0,
        running: 0,
        usage: 0,
        usageAt: Number.NaN,
        stamp: -1,
        factor: 0,
        share: 0,
        target: 0,
      };
      map.set(name, p);
    }
    return p;
  }

  private priorityOf(kind: Party['kind'], name: string): number {
    const v = (kind === 'user' ? this.priorities.users : this.priorities.projects).get(name);
    return v !== undefined && Number.isFinite(v)
      ? Math.min(100, Math.max(0, v))
      : this.o.defaultPriority;
  }

  private count(p: Party, queued: number, running: number): void {
    const was = p.queued + p.running > 0;
    p.queued += queued;
    p.running += running;
    const is = p.queued + p.running > 0;
    if (was !== is) {
      this.addToSum(p, is ? p.priority : -p.priority);
      this.version++;
    }
  }

  private addToSum(p: Party, delta: number): void {
    if (p.kind === 'user') this.userSum += delta;
    else this.projectSum += delta;
  }
}
