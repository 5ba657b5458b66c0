/**
 * The MongoDB Store (official driver). Works against MongoDB and FerretDB v1 alike: it needs
 * no multi-document transaction, and every read-then-write on one document runs under a lock
 * taken by a unique insert (see mongo-lock.ts) because FerretDB v1's findAndModify is not atomic.
 * Everything keyed by job (jobs, finished jobs, ledger entries) has a string `_id` that sorts
 * as the id (see mongo-keys.ts), and is read and written through filters on `_id` alone.
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
import {
  checkNewLogin,
  defaultProject,
  exactPattern,
  pickUser,
  utcDay,
  zeroTotals,
} from './accounts.js';
import { checkFilter, checkNewJobs } from './job-record.js';
import { MongoJobs, type CounterDoc, type JobDoc } from './mongo-jobs.js';
import { byKey, jobKey } from './mongo-keys.js';
import { MongoLocks, type LockDoc } from './mongo-lock.js';
import { insertIfAbsent, isDuplicateKey, retryBusy, upsert } from './mongo-util.js';
import { listRange } from './paging.js';
import {
  DEFAULT_PROJECT,
  type ApiKeyRecord,
  type BucketQuery,
  type BucketUsage,
  type DailyUsage,
  type JobFieldsPatch,
  type JobFilter,
  type JobPage,
  type Page,
  type PartyCount,
  type Project,
  type StateCounts,
  type Store,
  type TaskCount,
  type TransitionItem,
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
  /** The job's key (mongo-keys.ts): one entry per job. */
  _id: string;
  /** UTC day of `at`, stored so per-day grouping needs no date operators. */
  day: string;
}

/**
 * `counters` document naming how job `_id`s are spelled: 2 is the zero-padded string keys of
 * mongo-keys.ts. Databases written before it have numeric `_id`s, which this code cannot find.
 */
const KEY_FORMAT = { _id: 'key_format', value: 2 } as const;

const JOB_INDEXES = [
  { state: 1, _id: 1 },
  { 'user.id': 1, _id: 1 },
  { 'user.project': 1, _id: 1 },
  { 'meta.name': 1, _id: 1 },
  { 'meta.tags': 1, _id: 1 },
  { parent: 1, _id: 1 },
  // The web UI's listings: a user's jobs by state, and by submission date.
  { 'user.id': 1, state: 1, _id: 1 },
  { 'status.dates.submitted': 1, _id: 1 },
  { 'user.id': 1, 'status.dates.submitted': 1, _id: 1 },
  { state: 1, 'status.dates.submitted': 1, _id: 1 },
  { 'user.id': 1, state: 1, 'status.dates.submitted': 1, _id: 1 },
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
    return await openMongoStore(client, options.db, options.lockLeaseMs);
  } catch (err) {
    await client.close();
    throw err;
  }
}

/**
 * The store on a connected client, which it owns from then on (closing the store closes it).
 * For tests that watch the commands the adapter sends; everything else uses createMongoStore.
 */
export async function openMongoStore(
  client: MongoClient,
  db: string,
  lockLeaseMs = 30_000,
): Promise<Store> {
  const store = new MongoStore(client, client.db(db), lockLeaseMs);
  await store.open();
  return store;
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
  private readonly apiKeys: Collection<IdDoc<ApiKeyRecord>>;
  private readonly projects: Collection<IdDoc<Project>>;
  private readonly usage: Collection<UsageDoc>;
  private readonly lockDocs: Collection<LockDoc>;
  private readonly counters: Collection<CounterDoc>;

  constructor(
    private readonly client: MongoClient,
    db: Db,
    leaseMs: number,
  ) {
    this.active = db.collection('jobs');
    this.done = db.collection('jobs_done');
    this.users = db.collection('users');
    this.apiKeys = db.collection('api_keys');
    this.projects = db.collection('projects');
    this.usage = db.collection('usage');
    this.lockDocs = db.collection('locks');
    this.locks = new MongoLocks(this.lockDocs, leaseMs);
    this.counters = db.collection<CounterDoc>('counters');
    this.jobs = new MongoJobs(
      { active: this.active, done: this.done, counters: this.counters },
      this.locks,
    );
  }

  /** Everything opening needs; safe to run from several processes at once. */
  async open(): Promise<void> {
    await this.checkKeyFormat();
    for (const coll of [this.active, this.done]) {
      for (const key of JOB_INDEXES) await retryBusy(() => coll.createIndex({ ...key }));
    }
    // The archiver lists finished jobs by end date.
    await retryBusy(() => this.done.createIndex({ 'status.dates.ended': 1, _id: 1 }));
    await retryBusy(() => this.usage.createIndex({ at: 1 }));
    await retryBusy(() => this.usage.createIndex({ user: 1, at: 1 }));
    await retryBusy(() => this.usage.createIndex({ project: 1, at: 1 }));
    await retryBusy(() => this.lockDocs.createIndex({ at: 1 }));
    await retryBusy(() => this.apiKeys.createIndex({ user: 1 }));
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
    checkFilter(filter);
    return this.jobs.list(filter, listRange(filter, page));
  }

  countTasks(parent: number): Promise<TaskCount[]> {
    return this.jobs.countTasks(parent);
  }

  countActiveByParty(): Promise<PartyCount[]> {
    return this.jobs.countActiveByParty();
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

  async transitionMany(
    items: readonly TransitionItem[],
    options: TransitionOptions = {},
  ): Promise<TransitionResult[]> {
    // Every edge is planned before the first write: one refused edge writes nothing.
    const planned = items.map((t) => ({
      id: t.id,
      from: t.from,
      plan: planTransition(t.from, t.to, t.patch ?? {}),
    }));
    return this.jobs.transitionMany(planned, options);
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

  updateJob(id: number, patch: JobFieldsPatch): Promise<Job | null> {
    return this.jobs.update(id, patch);
  }

  countActive(filter: { user?: string; project?: string } = {}): Promise<StateCounts> {
    return this.jobs.countActive(filter);
  }

  putApiKey(key: ApiKeyRecord): Promise<void> {
    return upsert(() => this.apiKeys.replaceOne({ _id: key.id }, toIdDoc(key), { upsert: true }));
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    const doc = await retryBusy(() => this.apiKeys.findOne({ _id: id }));
    return doc === null ? null : fromIdDoc<ApiKeyRecord>(doc);
  }

  async listApiKeys(user: string): Promise<ApiKeyRecord[]> {
    const docs = await retryBusy(() => this.apiKeys.find({ user }).toArray());
    return docs
      .map((d) => fromIdDoc<ApiKeyRecord>(d))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async deleteApiKey(id: string): Promise<boolean> {
    const r = await retryBusy(() => this.apiKeys.deleteOne({ _id: id }));
    return r.deletedCount > 0;
  }

  async getUser(id: string): Promise<User | null> {
    const doc = await retryBusy(() => this.users.findOne({ _id: id }));
    return doc === null ? null : fromIdDoc<User>(doc);
  }

  async findUser(login: string): Promise<User | null> {
    return pickUser(login, await this.usersNamed(login));
  }

  async putUser(user: User): Promise<void> {
    // Check, then write: two spellings created at the same instant could both pass (there is
    // no case-insensitive unique index FerretDB supports); the web and CLI create users rarely.
    checkNewLogin(
      user.id,
      (await this.usersNamed(user.id)).map((u) => u.id),
    );
    await upsert(() => this.users.replaceOne({ _id: user.id }, toIdDoc(user), { upsert: true }));
  }

  /** Users whose id equals `login` without case. */
  private async usersNamed(login: string): Promise<User[]> {
    const filter = { _id: { $regex: exactPattern(login), $options: 'i' } };
    const docs = await retryBusy(() => this.users.find(filter).sort({ _id: 1 }).toArray());
    return docs.map((d) => fromIdDoc<User>(d));
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

  async recordUsage(e: UsageEntry): Promise<void> {
    const { jobId, ...rest } = e;
    const key = jobKey(jobId);
    const doc: UsageDoc = { _id: key, ...rest, day: utcDay(e.at) };
    // Keyed by job: a retried booking replaces the first one instead of adding to it. Inserted
    // first, as nearly every booking is the first: FerretDB v1 checks an insert's `_id` in its
    // index, where an update (or upsert) scans the whole ledger.
    try {
      await retryBusy(() => this.usage.insertOne(doc));
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await upsert(() => this.usage.replaceOne(byKey(key), doc, { upsert: true }));
    }
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

  async usageByBucket(q: BucketQuery): Promise<BucketUsage[]> {
    const groups = new Map<string, BucketUsage>();
    for await (const doc of this.usageCursor(q)) {
      const start = doc.at - (doc.at % q.bucketMs);
      const key = `${String(start).padStart(16, '0')}\u0000${doc.project}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { start, project: doc.project, ...zeroTotals() };
        groups.set(key, group);
      }
      addUsage(group, doc);
    }
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * Refuses a database whose jobs have numeric `_id`s (written before string keys): this code
   * would not find them. Marks a database without such jobs as using keys, so the check (a
   * scan of each collection on FerretDB) runs once per database, not once per open.
   */
  private async checkKeyFormat(): Promise<void> {
    const mark = await retryBusy(() => this.counters.findOne(byKey(KEY_FORMAT._id)));
    if (mark?.value === KEY_FORMAT.value) return;
    const db = this.client.db(this.active.dbName);
    for (const name of [this.active, this.done, this.usage].map((c) => c.collectionName)) {
      const old = await retryBusy(() =>
        db.collection(name).findOne({ _id: { $not: { $type: 'string' } } }),
      );
      if (old !== null) {
        throw new GodError(
          'CONFLICT',
          `${name} holds documents whose _id is not a string (job ids stored as numbers by an ` +
            'earlier god): this version stores them as zero-padded strings and cannot read ' +
            'them; convert them first',
        );
      }
    }
    await upsert(() =>
      this.counters.replaceOne(byKey(KEY_FORMAT._id), KEY_FORMAT, { upsert: true }),
    );
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
