/**
 * What a leader term needs from the outside world (wired in scheduler.ts), and the one view of
 * the term its parts share: the current settings and services, and the in-memory state.
 */
import type {
  Config,
  ControlMessage,
  DispatchMessage,
  HostInfo,
  JobOutcome,
  SchedulingPolicy,
} from '@god/core';
import type { Store } from '@god/store';
import type { LeaderState } from './leader-state.js';
import type { DelegatedCapacity } from './placer/index.js';

/** What one pass did. */
export interface PassStats {
  considered: number;
  placed: number;
  /** Candidates that lost the compare-and-set (changed meanwhile). */
  conflicts: number;
  ms: number;
}

/** A pino-compatible logger. */
export interface Logger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** What a leader term needs from the outside world. */
export interface LeaderDeps {
  store: Store;
  config: Config;
  /** A fresh policy for these settings; the term's state holds the one it uses. */
  makePolicy(): SchedulingPolicy;
  /** Hosts with a fresh heartbeat. */
  hosts(): Promise<HostInfo[]>;
  /**
   * The live executors that place jobs themselves (`Executor.placesJobs` false), each with the
   * capacity it declares in the node registry and the free capacity it last reported there.
   * Absent: god places every job (NUMA).
   */
  executorCapacity?(): Promise<ReadonlyMap<string, DelegatedCapacity>>;
  /** The newest event id, read before the snapshot. */
  lastEventId(): Promise<string>;
  /** Consumes events after `from` until `signal` aborts. */
  consume(
    from: string,
    handler: (type: string, jobId: number | undefined) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void>;
  dispatch(messages: readonly DispatchMessage[]): Promise<void>;
  control(host: string, msg: ControlMessage): Promise<void>;
  publish(type: string, data: Record<string, string | number | null>): Promise<void>;
  /** Replaces the rate-limit counters with pending-task counts (overall and per user). */
  rebuildCounters(pendingByUser: ReadonlyMap<string, number>): Promise<void>;
  /** Adds signed per-user changes of pending tasks to the counters (per user, and overall). */
  adjustCounters(deltaByUser: ReadonlyMap<string, number>): Promise<void>;
  /**
   * Whether an operator paused (true) or resumed (false) scheduling at run time (`god
   * maintenance on|off`, kept in Redis); null when no operator said, and the config decides.
   */
  maintenanceFlag(): Promise<boolean | null>;
  /** Counts a pass's decisions where metrics read them (best effort: never fails a pass). */
  recordPass?(stats: PassStats): Promise<void>;
  logger: Logger;
  now(): number;
}

/**
 * The term as its parts see it. Both members are read at each use: a reload replaces the deps,
 * a rebuild replaces the state.
 */
export interface Term {
  readonly deps: LeaderDeps;
  readonly state: LeaderState;
}

/** Ends a job the scheduler owns a decision on; false when the job had moved on. */
export type EndJob = (
  id: number,
  from: 'pending' | 'held' | 'running',
  outcome: JobOutcome,
  reason: string,
) => Promise<boolean>;
