/**
 * The MongoDB Store (official driver). Works against MongoDB and FerretDB v1 alike: it needs
 * no multi-document transaction, and every read-then-write on one document runs under a lock
 * taken by a unique insert (see mongo-lock.ts) because FerretDB v1's findAndModify is not atomic.
 */
import { MongoClient, type Collection, type Db, type Filter } from 'mongodb';
import {
  GodError,
  planTransition,
  type Job,
  type JobState,
  type NewJob,
  type TransitionPatch,
} from '@god/core';
import { defaultProject, utcDay, zeroTotals } from './accounts.js';
import { checkNewJobs } from './job-record.js';
import { MongoJobs, type CounterDoc, type JobDoc } from './mongo-jobs.js';
import { MongoLocks, type LockDoc } from './mongo-lock.js';
import { insertIfAbsent, retryBusy, upsert } from './mongo-util.js';
import { pageRange } from './paging.js';
import {
  DEFAULT_PROJECT,
  type DailyUsage,
  type JobFilter,
  type JobPage,
  type Page,
  type Project,
  type StateCounts,
  type Store,
  type TransitionOptions,
  type TransitionResult,
  type UsageEntry,
  type UsageQuery,
  type UsageTotals,
  type User,
} from './store.js';

/** Where the MongoDB store lives. */
export interface MongoStoreOptions {
  /** `mongodb://` URL. */
  url: string;
  /** Database name. */
  db: string;
  /** How long a job lock may be held before others break it (default 30 s). */
  lockLeaseMs?: number;
}

type IdDoc<T extends { id: string }> = Omit<T, 'id'> & { _id: string };

interface UsageDoc extends Omit<UsageEntry, 'jobId'> {
  _id: number;
  /** UTC day of `at`, stored so per-day grouping needs no date operators. */
  day: string;
}

const JOB_INDEXES = [
  { state: 1, _id: 1 },
  { 'user.id': 1, _id: 1 },
  { 'user.project': 1, _id: 1 },
  { 'meta.name': 1, _id: 1 },
  { 'meta.tags': 1, _id: 1 },
  { parent: 1, _id: 1 },
] as const;

/** Connects, creates indexes and the default project, and completes moves a crash cut short. */
export async function createMongoStore(options: MongoStoreOptions): Promise<Store> {
  const client = new MongoClient(options.url, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new GodError('UNAVAILABLE', `cannot reach MongoDB at ${options.url}`, {
      retryable: true,
      cause: err,
    });
  }
  try {
    const store = new MongoStore(client, client.db(options.db), options.lockLeaseMs ?? 30_000);
    await store.open();
    return store;
  } catch (err) {
    await client.close();
    throw err;
  }
}

function fromIdDoc<T extends { id: string }>(doc: IdDoc<T>): T {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as unknown as T;
}

function toIdDoc<T extends { id: string }>(value: T): IdDoc<T> {
  const { id, ...rest } = value;
  return { _id: id, ...rest };
}

class MongoStore implements Store {
  readonly kind = 'mongodb';
  private readonly jobs: MongoJobs;
  private readonly locks: MongoLocks;
  private readonly active: Collection<JobDoc>;
  private readonly done: Collection<JobDoc>;
  private readonly users: Collection<IdDoc<User>>;
  private readonly projects: Collection<IdDoc<Project>>;
  private readonly usage: Collection<UsageDoc>;
  private readonly lockDocs: Collection<LockDoc>;

  constructor(
    private readonly client: MongoClient,
    db: Db,
    leaseMs: number,
  ) {
    this.active = db.collection('jobs');
    this.done = db.collection('jobs_done');
    this.users = db.collection('users');
    this.projects = db.collection('projects');
    this.usage = db.collection('usage');
    this.lockDocs = db.collection('locks');
    this.locks = new MongoLocks(this.lockDocs, leaseMs);
    const counters = db.collection<CounterDoc>('counters');
    this.jobs = new MongoJobs({ active: this.active, done: this.done, counters }, this.locks);
  }

  /** Everything opening needs; safe to run from several processes at once. */
  async open(): Promise<void> {
    for (const coll of [this.active, this.done]) {
      for (const key of JOB_INDEXES) await retryBusy(() => coll.createIndex({ ...key }));
    }
    // The archiver lists finished jobs by end date.
    await retryBusy(() => this.done.createIndex({ 'status.dates.ended': 1, _id: 1 }));
    await retryBusy(() => this.usage.createIndex({ at: 1 }));
    await retryBusy(() => this.usage.createIndex({ user: 1, at: 1 }));
    await retryBusy(() => this.usage.createIndex({ project: 1, at: 1 }));
    await retryBusy(() => this.lockDocs.createIndex({ at: 1 }));
    await insertIfAbsent(() => this.projects.insertOne(toIdDoc(defaultProject(Date.now()))));
    await this.locks.breakExpired();
    await this.jobs.sweep();
  }

  async insertJobs(jobs: readonly NewJob[]): Promise<Job[]> {
    checkNewJobs(jobs);
    return this.jobs.insert(jobs, Date.now());
  }

  getJob(id: number): Promise<Job | null> {
    return this.jobs.get(id);
  }

  async listJobs(filter: JobFilter = {}, page: Page = {}): Promise<JobPage> {
    return this.jobs.list(filter, pageRange(page, filter.afterId));
  }

  async transition(
    id: number,
    from: JobState,
    to: JobState,
    patch: TransitionPatch = {},
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    // Planned before any I/O: a refused edge throws here and nothing is read or written.
    const plan = planTransition(from, to, patch);
    return this.jobs.transition(id, from, plan, options);
  }

  raiseFence(name: string, epoch: number): Promise<boolean> {
    return this.jobs.raiseFence(name, epoch);
  }

  fenceEpoch(name: string): Promise<number> {
    return this.jobs.fenceEpoch(name);
  }

  setPendingReason(id: number, why: Job['why']): Promise<boolean> {
    return this.jobs.setPendingReason(id, why);
  }

  countActive(filter: { user?: string; project?: string } = {}): Promise<StateCounts> {
    return this.jobs.countActive(filter);
  }

  async getUser(id: string): Promise<User | null> {
    const doc = await retryBusy(() => this.users.findOne({ _id: id }));
    return doc === null ? null : fromIdDoc<User>(doc);
  }

  putUser(user: User): Promise<void> {
    return upsert(() => this.users.replaceOne({ _id: user.id }, toIdDoc(user), { upsert: true }));
  }

  async listUsers(): Promise<User[]> {
    const docs = await retryBusy(() => this.users.find().sort({ _id: 1 }).toArray());
    return docs.map((d) => fromIdDoc<User>(d));
  }

  async deleteUser(id: string): Promise<boolean> {
    const r = await retryBusy(() => this.users.deleteOne({ _id: id }));
    return r.deletedCount > 0;
  }

  async getProject(id: string): Promise<Project | null> {
    const doc = await retryBusy(() => this.projects.findOne({ _id: id }));
    return doc === null ? null : fromIdDoc<Project>(doc);
  }

  putProject(project: Project): Promise<void> {
    return upsert(() =>
      this.projects.replaceOne({ _id: project.id }, toIdDoc(project), { upsert: true }),
    );
  }

  async listProjects(): Promise<Project[]> {
    const docs = await retryBusy(() => this.projects.find().sort({ _id: 1 }).toArray());
    return docs.map((d) => fromIdDoc<Project>(d));
  }

  async deleteProject(id: string): Promise<boolean> {
    if (id === DEFAULT_PROJECT) return false;
    const r = await retryBusy(() => this.projects.deleteOne({ _id: id }));
    return r.deletedCount > 0;
  }

  recordUsage(e: UsageEntry): Promise<void> {
    const { jobId, ...rest } = e;
    const doc: UsageDoc = { _id: jobId, ...rest, day: utcDay(e.at) };
    // Keyed by job: a retried booking replaces the first one instead of adding to it.
    return upsert(() => this.usage.replaceOne({ _id: jobId }, doc, { upsert: true }));
  }

  async usageTotals(q: UsageQuery): Promise<UsageTotals> {
    const totals = zeroTotals();
    for await (const doc of this.usageCursor(q)) addUsage(totals, doc);
    return totals;
  }

  async usageByDay(q: UsageQuery): Promise<DailyUsage[]> {
    const groups = new Map<string, DailyUsage>();
    for await (const doc of this.usageCursor(q)) {
      const key = `${doc.day}\u0000${doc.user}\u0000${doc.project}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { day: doc.day, user: doc.user, project: doc.project, ...zeroTotals() };
        groups.set(key, group);
      }
      addUsage(group, doc);
    }
    // Keys sort as day, then user, then project (NUL sorts before every other character).
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * The ledger entries a query selects. Summed here rather than with $group: FerretDB v1
   * computes only the first accumulator of a $group stage and returns 0 for the others.
   */
  private usageCursor(q: UsageQuery): AsyncIterable<UsageDoc> {
    const match: Filter<UsageDoc> = {
      at: q.until === undefined ? { $gte: q.since } : { $gte: q.since, $lt: q.until },
    };
    if (q.user !== undefined) match.user = q.user;
    if (q.project !== undefined) match.project = q.project;
    return this.usage.find(match);
  }
}

function addUsage(to: UsageTotals, doc: UsageDoc): void {
  to.cpuSeconds += doc.cpuSeconds;
  to.ramGBSeconds += doc.ramGBSeconds;
  to.gpuSeconds += doc.gpuSeconds;
  to.wallSeconds += doc.wallSeconds;
  to.jobs += 1;
}
