/**
 * Where every user and project stands in the fair share at one instant, for people to read
 * (the web's /fairshare): the same Ledger, settings and factors the scheduler's FairShare queue
 * uses, fed the same facts a leader loads at the start of its term (priorities, the usage
 * ledger, the running jobs, who has jobs queued). Nothing here is a second formula.
 */
import type { JobUsage, Priorities, QueuedJob } from '@god/core';
import type { FairShareConfig } from './config.js';
import { Ledger, type LedgerOptions, type Party } from './ledger.js';
import { Decay } from './usage.js';

/** The ledger settings of a FairShare configuration (the scheduler's queue uses the same). */
export function ledgerOptions(config: FairShareConfig): LedgerOptions {
  return {
    decay: new Decay(config.half_life),
    billing: config.billing,
    runningChargeSeconds: config.running_charge,
    defaultPriority: config.default_priority,
  };
}

/** Days of the usage ledger a leader charges: older usage has decayed to nothing. */
export const USAGE_HORIZON_DAYS = 60;

/** When a day of the ledger (`YYYY-MM-DD`, UTC) is booked: its middle. */
export function bookedAt(day: string): number {
  return Date.parse(`${day}T12:00:00Z`);
}

/** What the fair share is computed from. */
export interface StandingInput {
  priorities: Priorities;
  /** Measured usage booked at `at` (the scheduler books the ledger a UTC day at a time). */
  usage: ReadonlyArray<{ user: string; project: string; at: number; usage: JobUsage }>;
  /** Jobs holding resources, since when (epoch ms). */
  running: ReadonlyArray<{ job: QueuedJob; since: number }>;
  /** Users with jobs waiting in a project (one entry per pair is enough). */
  queued: ReadonlyArray<{ user: string; project: string }>;
  /** Users and projects to list even with no usage and no work. */
  known?: { users: readonly string[]; projects: readonly string[] };
}

/** One user's or project's standing. */
export interface PartyStanding {
  name: string;
  /** Decayed usage plus the running jobs' up-front charge, in billing units. */
  usage: number;
  /** Its part of everyone's usage, in [0, 1]. */
  usageShare: number;
  /** Its configured share: its priority over the sum of the active parties', in [0, 1]. */
  targetShare: number;
  /** Fair-share factor in [0, 1]: 1 with no usage, 1/2 at exactly the target share. */
  factor: number;
  /** Configured priority, 0-100. */
  priority: number;
  /** The weighted part of its jobs' scores the fair share and priority give (age aside). */
  score: number;
  /** Has jobs queued or running (only active parties count in the targets). */
  active: boolean;
}

/** Everyone's standing at `now`, users and projects each ordered by name. */
export function fairShareStanding(
  config: FairShareConfig,
  input: StandingInput,
  now: number,
): { users: PartyStanding[]; projects: PartyStanding[] } {
  const ledger = new Ledger(ledgerOptions(config));
  for (const name of input.known?.users ?? []) ledger.user(name);
  for (const name of input.known?.projects ?? []) ledger.project(name);
  ledger.setPriorities(input.priorities);
  for (const u of input.usage) ledger.charge(u.user, u.project, u.usage, u.at);
  for (const r of input.running) ledger.started(r.job, r.since);
  for (const q of input.queued) ledger.queued(ledger.user(q.user), ledger.project(q.project), 1);
  ledger.round(now);
  const w = config.weights;
  const view = (p: Party, fairWeight: number, priorityWeight: number): PartyStanding => {
    const factor = ledger.factor(p);
    return {
      name: p.name,
      usage: p.usage,
      usageShare: p.share,
      targetShare: p.target,
      factor,
      priority: p.priority,
      score: fairWeight * factor + (priorityWeight * p.priority) / 100,
      active: p.queued + p.running > 0,
    };
  };
  const byName = (a: PartyStanding, b: PartyStanding) => (a.name < b.name ? -1 : 1);
  return {
    users: [...ledger.users.values()]
      .map((p) => view(p, w.user_fairshare, w.user_priority))
      .sort(byName),
    projects: [...ledger.projects.values()]
      .map((p) => view(p, w.project_fairshare, w.project_priority))
      .sort(byName),
  };
}
