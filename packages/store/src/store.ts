/**
 * The Store: god's source of truth (jobs, users, projects, usage ledger). One interface, one
 * contract test suite, two adapters (SQLite embedded default, MongoDB).
 *
 * Active jobs (pending, held, scheduled, running, suspended) and finished jobs (over, archived)
 * are kept apart so queries on the hot set never scan history.
 */
import type { Job, JobOutcome, JobState, NewJob, TransitionPatch } from '@god/core';

/** Filters for listing jobs; all given filters must match. */
export interface JobFilter {
  /** One state or several. */
  state?: JobState | readonly JobState[];
  user?: string;
  project?: string;
  /** Jobs carrying this tag. */
  tag?: string;
  /** Exact name. */
  name?: string;
  /** Tasks of this array job. */
  parent?: number;
  /** Only jobs that are not array tasks (`parent` null): plain jobs and array jobs themselves. */
  topLevel?: boolean;
  /** Only jobs with id greater than this (used to resume scans). */
  afterId?: number;
  /** Only jobs that ended (`status.dates.ended`) before this epoch ms: finished ones, for the archiver. */
  endedBefore?: number;
  /** Only jobs submitted (`status.dates.submitted`) at or after this epoch ms. */
  submittedAfter?: number;
  /** Only jobs submitted before this epoch ms (exclusive). */
  submittedBefore?: number;
  /**
   * Only jobs whose name contains this text, case ignored (ASCII letters in SQLite, all letters
   * in MongoDB); taken literally (no wildcards). At most MAX_NAME_QUERY characters.
   */
  nameContains?: string;
}

/** The longest `nameContains` a listing accepts. */
export const MAX_NAME_QUERY = 200;

/**
 * Cursor pagination: pass back `nextCursor` to get the next page. Ordered by id, ascending
 * unless `order` is `desc` (newest first); a cursor only continues a listing in its own order.
 */
export interface Page {
  limit?: number;
  cursor?: string | null;
  /** `asc` (the default: oldest first) or `desc` (newest first). */
  order?: 'asc' | 'desc';
}

export interface JobPage {
  jobs: Job[];
  /** Null when there is nothing more. */
  nextCursor: string | null;
}

/** Result of a compare-and-set transition. */
export type TransitionResult =
  | { ok: true; job: Job }
  /**
   * `actual` is the state found (null when the job does not exist); `fenced` when a newer
   * holder raised the fence; `unexpected` when the attempt or epoch did not match `expect`.
   */
  | { ok: false; actual: JobState | null; fenced?: true; unexpected?: true };

/** One transition of a `transitionMany` batch. */
export interface TransitionItem {
  id: number;
  from: JobState;
  to: JobState;
  patch?: TransitionPatch;
}

/** Extra conditions of a transition, checked atomically with the state. */
export interface TransitionOptions {
  /**
   * Refuse the write when a holder with a newer epoch has raised this fence (a scheduler
   * leader that lost its lease must not write). See `raiseFence`.
   */
  fence?: { name: string; epoch: number };
  /** Refuse the write unless the job's `attempts` / `epoch` are these (a stale dispatch). */
  expect?: { attempts?: number; epoch?: number };
}

/** A quota over a sliding window; 0 means unlimited. Units: seconds, GB·s. */
export interface Quota {
  cpuSeconds: number;
  ramGBSeconds: number;
  gpuSeconds: number;
  wallSeconds: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export interface User {
  /** Login name. */
  id: string;
  uid: number;
  gid: number;
  sgids: number[];
  home: string;
  email: string;
  admin: boolean;
  /** 0-100, used by FairShare. */
  priority: number;
  quota: Quota | null;
  /** Slow hash of the local password, when the local auth plugin manages the user. */
  passwordHash: string | null;
  createdAt: number;
  /** While true every credential of the user is refused (password, API keys, sessions). */
  disabled?: boolean;
}

/** Limits on what a project's jobs may hold at once; 0 means unlimited. */
export interface ProjectLimits {
  cpu: number;
  ram: number;
  gpus: number;
  jobs: number;
}

export interface Project {
  id: string;
  description: string;
  /** User ids. */
  members: string[];
  /** 0-100, used by FairShare. */
  priority: number;
  quota: Quota | null;
  limits: ProjectLimits | null;
  createdAt: number;
}

/**
 * An API key as stored: never the key itself. `id` is the public part a presented key starts
 * with (so the record is found without scanning); `hash` is the SHA-256 of the whole key. A key
 * carries 32 random bytes, so a fast hash is enough: nobody can guess the input.
 */
export interface ApiKeyRecord {
  id: string;
  /** The user the key authenticates as. */
  user: string;
  /** What its owner called it (`laptop`, `galaxy`). */
  name: string;
  /** Hex SHA-256 of the key. */
  hash: string;
  createdAt: number;
  /** Epoch ms after which the key is refused; null: never. */
  expiresAt: number | null;
  /**
   * The key this one was made with (presented itself or through one of its tokens), if any:
   * revoking that key revokes this one too. Absent in records made before it was kept.
   */
  parent?: string | null;
}

/** The descriptive fields of an active job that `updateJob` may change (web.dynamic_fields). */
export interface JobFieldsPatch {
  name?: string;
  description?: string;
  tags?: string[];
  /** Seconds; 0 means the configured default. */
  maxlifespan?: number;
}

/** The project every user belongs to unless told otherwise; always exists. */
export const DEFAULT_PROJECT = 'default';

/** One charge to the usage ledger: what a job consumed, booked at its end time. */
export interface UsageEntry {
  jobId: number;
  user: string;
  project: string;
  /** Epoch ms at which the usage is booked (the job's end). */
  at: number;
  cpuSeconds: number;
  ramGBSeconds: number;
  gpuSeconds: number;
  wallSeconds: number;
}

/** Summed usage. */
export interface UsageTotals {
  cpuSeconds: number;
  ramGBSeconds: number;
  gpuSeconds: number;
  wallSeconds: number;
  jobs: number;
}

export interface UsageQuery {
  user?: string;
  project?: string;
  /** Inclusive lower bound, epoch ms. */
  since: number;
  /** Exclusive upper bound, epoch ms (default: no bound). */
  until?: number;
}

/** Usage of one UTC day for one user/project pair. */
export interface DailyUsage extends UsageTotals {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  user: string;
  project: string;
}

/** A usage query cut into time buckets of `bucketMs` (aligned on the epoch: UTC hours, days). */
export interface BucketQuery extends UsageQuery {
  bucketMs: number;
}

/** Usage of one time bucket for one project, summed over the users the query selects. */
export interface BucketUsage extends UsageTotals {
  /** Epoch ms at which the bucket starts (a multiple of `bucketMs`). */
  start: number;
  project: string;
}

/** Counts of active jobs per state, for counters rebuilt from the truth. */
export type StateCounts = Partial<Record<JobState, number>>;

/** How many tasks of an array are in one state with one outcome. */
export interface TaskCount {
  state: JobState;
  outcome: JobOutcome | null;
  count: number;
}

/** How many active jobs one user has in one project in one state. */
export interface PartyCount {
  user: string;
  project: string;
  state: JobState;
  count: number;
}

/** God's source of truth. Every method is safe to call from several processes at once. */
export interface Store {
  /** Which adapter this is (`sqlite`, `mongodb`). */
  readonly kind: string;

  /** Inserts jobs atomically (all or none) and returns them with their new ids, in order. */
  insertJobs(jobs: readonly NewJob[]): Promise<Job[]>;
  /** A job by id, active or finished; null when it does not exist. */
  getJob(id: number): Promise<Job | null>;
  /** Jobs matching the filter, ordered by id, a page at a time. */
  listJobs(filter?: JobFilter, page?: Page): Promise<JobPage>;
  /**
   * The only writer of a job's state: moves job `id` from `from` to `to` if and only if its
   * stored state is `from`, applying the patch (see `planTransition`). Throws
   * `IllegalTransitionError` for an edge the state machine refuses (nothing is written).
   */
  transition(
    id: number,
    from: JobState,
    to: JobState,
    patch?: TransitionPatch,
    options?: TransitionOptions,
  ): Promise<TransitionResult>;
  /**
   * Many transitions at once, each a compare-and-set exactly as `transition` (one may win while
   * another loses), with one `options` for all. Results come back in order. Adapters that can
   * do so run them in one write (SQLite: one IMMEDIATE transaction), which is what makes a
   * scheduler pass cheap. Every edge is checked before anything is written: one refused edge
   * throws `IllegalTransitionError` and nothing is written.
   */
  transitionMany(
    items: readonly TransitionItem[],
    options?: TransitionOptions,
  ): Promise<TransitionResult[]>;
  /**
   * Raises fence `name` to `epoch` unless a newer epoch holds it; true when `epoch` is now the
   * fence (a new leader calls this before its first write).
   */
  raiseFence(name: string, epoch: number): Promise<boolean>;
  /** The epoch fence `name` is at (0 when never raised). */
  fenceEpoch(name: string): Promise<number>;
  /** Updates the why-pending of a pending/held job without touching its state; false if it is not. */
  setPendingReason(id: number, why: Job['why']): Promise<boolean>;
  /**
   * Changes descriptive fields of an active job (never its state, owner or resources), under
   * the same write lock as transitions; the job after, or null when it is finished or missing.
   */
  updateJob(id: number, patch: JobFieldsPatch): Promise<Job | null>;
  /** Active job counts per state (and per user, when asked). */
  countActive(filter?: { user?: string; project?: string }): Promise<StateCounts>;
  /**
   * The tasks of array job `parent` counted by state and outcome, in one grouped query (the
   * tasks are not loaded). Tasks not made yet are not counted.
   */
  countTasks(parent: number): Promise<TaskCount[]>;
  /** Active jobs counted by user, project and state (who has work queued or running). */
  countActiveByParty(): Promise<PartyCount[]>;

  getUser(id: string): Promise<User | null>;
  /**
   * The user `login` names, its case ignored (logins are case-insensitive: `sameLogin`): the
   * exact spelling if stored, else the one user whose id differs only in case; null if none
   * or, in a store older than that rule, several.
   */
  findUser(login: string): Promise<User | null>;
  /**
   * Inserts or replaces a user. Refuses (CONFLICT) a new id that differs only in case from a
   * stored one: one person, one login.
   */
  putUser(user: User): Promise<void>;
  listUsers(): Promise<User[]>;
  deleteUser(id: string): Promise<boolean>;

  /** Inserts or replaces an API key record. */
  putApiKey(key: ApiKeyRecord): Promise<void>;
  /** The API key record with this public id, or null. */
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  /** The API keys of a user, oldest first. */
  listApiKeys(user: string): Promise<ApiKeyRecord[]>;
  /** Revokes (deletes) a key; false when there was none. */
  deleteApiKey(id: string): Promise<boolean>;

  getProject(id: string): Promise<Project | null>;
  /** Inserts or replaces a project. */
  putProject(project: Project): Promise<void>;
  listProjects(): Promise<Project[]>;
  /** Deletes a project; the default project cannot be deleted (returns false). */
  deleteProject(id: string): Promise<boolean>;

  /** Books usage; booking the same job twice replaces the first entry (idempotent retries). */
  recordUsage(entry: UsageEntry): Promise<void>;
  /** Total usage matching the query (a sliding window when `since` = now - window). */
  usageTotals(query: UsageQuery): Promise<UsageTotals>;
  /** Usage per UTC day, user and project, ordered by day. */
  usageByDay(query: UsageQuery): Promise<DailyUsage[]>;
  /** Usage per time bucket and project (empty buckets left out), ordered by bucket, project. */
  usageByBucket(query: BucketQuery): Promise<BucketUsage[]>;

  /** Releases connections and file handles. */
  close(): Promise<void>;
}

/** A sensible default page size, and the most any caller may ask for. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 10_000;

export type { JobOutcome };
