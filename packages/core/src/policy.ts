/**
 * The queue-ordering policy contract (FIFO, FairShare, ...). A policy computes an order; it never
 * writes anything: the scheduler commits. Policies receive data, not database handles, so they
 * are pure and testable with named cases.
 *
 * Only jobs that are eligible to run (not held, dependencies met, within quotas) are in a
 * policy's queue; the scheduler's admission step keeps the others aside.
 */
import type { JobUsage } from './job.js';
import type { PluginDefinition } from './plugins.js';
import type { z } from 'zod';

/** What a policy knows of a pending job: small, so that a million fit in memory. */
export interface QueuedJob {
  id: number;
  user: string;
  project: string;
  /** Submission time, epoch ms: the job's place in line. */
  submitted: number;
  cpu: number;
  /** Bytes. */
  ram: number;
  gpus: number;
}

/** Priorities (0-100) of users and projects; absent means the policy's default. */
export interface Priorities {
  users: ReadonlyMap<string, number>;
  projects: ReadonlyMap<string, number>;
}

/**
 * A queue of eligible jobs with an order: the whole contract every policy keeps. Adding, removing
 * and reordering must stay cheap as the queue grows (per-user queues and incremental scores,
 * never a full re-sort per decision). What only some policies do (usage, priorities) is an
 * optional ability below, found with its type guard once per leader term.
 */
export interface SchedulingPolicy {
  readonly name: string;
  /** Adds an eligible job (a job already present is replaced). */
  add(job: QueuedJob): void;
  /** Removes a job (placed, killed, held, ...); false if it was not queued. */
  remove(id: number): boolean;
  has(id: number): boolean;
  size(): number;
  /**
   * The queued jobs best first, as of `now`, lazily. The scheduler takes candidates one at a
   * time and may, between two `next()` calls, `remove` jobs already yielded and report starts
   * (`UsageTracking.started`): the iterator must take such changes into account for the
   * candidates it yields after them (FairShare re-scores users at each step), and never yield a
   * job twice or a removed job.
   */
  ordered(now: number): Iterator<QueuedJob>;
}

/** A policy whose order depends on what users and projects ran (FairShare). */
export interface UsageTracking extends SchedulingPolicy {
  /** A job of this queue (already removed from it) started running with these resources. */
  started(job: QueuedJob, now: number): void;
  /** A job that `started` ended; its measured usage is charged at `now`. */
  ended(job: QueuedJob, usage: JobUsage, now: number): void;
  /** Usage booked in the past (from the store's ledger, when a leader rebuilds its state). */
  charge(user: string, project: string, usage: JobUsage, at: number): void;
}

/** True when the policy wants to hear of starts, ends and past usage. */
export function tracksUsage(p: SchedulingPolicy): p is UsageTracking {
  const u = p as Partial<UsageTracking>;
  return (
    typeof u.started === 'function' &&
    typeof u.ended === 'function' &&
    typeof u.charge === 'function'
  );
}

/** A policy whose order depends on user and project priorities. */
export interface PriorityAware extends SchedulingPolicy {
  setPriorities(priorities: Priorities): void;
}

/** True when the policy takes user and project priorities. */
export function usesPriorities(p: SchedulingPolicy): p is PriorityAware {
  return typeof (p as Partial<PriorityAware>).setPriorities === 'function';
}

/** A policy plugin definition. */
export type PolicyDefinition<S extends z.ZodType = z.ZodType> = PluginDefinition<
  'policy',
  S,
  SchedulingPolicy
>;
