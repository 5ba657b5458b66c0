/**
 * Jobs in MongoDB: `jobs` holds the active set, `jobs_done` the finished jobs. There are no
 * multi-document transactions (FerretDB v1 has none), so a move into `over` is three writes in
 * a crash-safe order: the compare-and-set in `jobs` (the commit point), a copy into `jobs_done`,
 * then the delete from `jobs`. A finished job still in `jobs` is a move cut short; readers prefer
 * the `jobs_done` copy, and `sweep` (run on open) completes such moves.
 *
 * Every write to a job's document holds that job's lock (`job:<id>`, see mongo-lock.ts): the
 * transitions, `setPendingReason`, the moves into `jobs_done` (the sweep's too). That is what
 * makes a compare-and-set a plain read, a check in JavaScript and a write, each filtered by
 * `{_id}` alone (see mongo-keys.ts for why nothing else may be in the filter). Inserts need no
 * lock: their ids are fresh, nobody else can be writing them.
 *
 * What this costs on FerretDB v1.24 (SQLite backend): a find on `{_id}` stops at the document,
 * so it costs the rows before it; every update and delete scans the whole table in SQL (its
 * `_id` index is never used, see mongo-keys.ts). A transition is one such scan of `jobs`, a
 * move into `jobs_done` two, where the old `{_id: number, state}` filters also decoded every
 * document before the job in Go, ten times slower per row. On MongoDB each is an `_id` lookup.
 */
import type { Collection, Filter, Sort, UpdateFilter, WithId } from 'mongodb';
import {
  ACTIVE_STATES,
  GodError,
  isFinished,
  type Job,
  type JobState,
  type NewJob,
  type TransitionPlan,
} from '@god/core';
import {
  literalRegex,
  matchesExpect,
  mergeOrdered,
  newJobRecord,
  splitStates,
  upgradeStoredJob,
} from './job-record.js';
import { afterKey, byKey, jobIdOf, jobKey, jobKeyOrNull, MAX_JOB_ID } from './mongo-keys.js';
import { countActiveByParty, countTasks } from './mongo-counts.js';
import type { HeldLock, MongoLocks } from './mongo-lock.js';
import { backoff, insertIfAbsent, isBusy, retryBusy, sleep } from './mongo-util.js';
import { comesFirst, toPage, type PageRange } from './paging.js';
import type {
  JobFieldsPatch,
  JobFilter,
  JobPage,
  PartyCount,
  StateCounts,
  TaskCount,
  TransitionOptions,
  TransitionResult,
} from './store.js';

/** A job as stored: its id is the document's `_id` (a key, see mongo-keys.ts), never a second field. */
export type JobDoc = Omit<Job, 'id'> & { _id: string };

/** The id counter (`counters` collection). */
export interface CounterDoc {
  _id: string;
  value: number;
}

const FINISHED: JobState[] = ['over', 'archived'];
/** Transitions of one `transitionMany` in flight at once. */
const TRANSITION_MANY_WIDTH = 8;
const PENDING_LIKE: JobState[] = ['pending', 'held'];

function toJob(doc: WithId<JobDoc>): Job {
  const { _id, ...rest } = doc;
  return upgradeStoredJob({ id: jobIdOf(_id), ...rest });
}

function toDoc(job: Job): JobDoc {
  const { id, ...rest } = job;
  return { _id: jobKey(id), ...rest };
}

/** The lock every writer of job `id`'s document holds. */
function lockKey(id: number): string {
  return `job:${id}`;
}

/** A job's document and the collection it was read from. */
interface Found {
  doc: WithId<JobDoc>;
  coll: Collection<JobDoc>;
}

/** One transition of a batch, planned. */
export interface PlannedTransition {
  id: number;
  from: JobState;
  plan: TransitionPlan;
}

/** Collections the job operations use. */
export interface JobCollections {
  active: Collection<JobDoc>;
  done: Collection<JobDoc>;
  counters: Collection<CounterDoc>;
}

/** Job operations; every write to one job happens under that job's lock. */
export class MongoJobs {
  constructor(
    private readonly c: JobCollections,
    private readonly locks: MongoLocks,
  ) {}

  /** Inserts new jobs with freshly reserved ids; on failure takes back what went in. */
  async insert(jobs: readonly NewJob[], now: number): Promise<Job[]> {
    if (jobs.length === 0) return [];
    const last = await this.reserveIds(jobs.length);
    if (last > MAX_JOB_ID) {
      throw new GodError('LIMIT_EXCEEDED', `job ids are used up (the largest is ${MAX_JOB_ID})`);
    }
    const records = jobs.map((job, i) => newJobRecord(job, last - jobs.length + 1 + i, now));
    const docs = records.map(toDoc);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.c.active.insertMany(docs, { ordered: true });
        return structuredClone(records);
      } catch (err) {
        // No multi-document transaction: a batch that failed half-way is removed by hand. The
        // ids are this call's own, so nobody else's job can be deleted here. (`$in` is not
        // pushed down on FerretDB, so this scans `jobs`: only ever on this failure path.)
        const keys = docs.map((d) => d._id);
        await retryBusy(() => this.c.active.deleteMany({ _id: { $in: keys } }));
        if (!isBusy(err) || attempt >= 20) throw err;
      }
      await sleep(backoff(attempt));
    }
  }

  /** A job by id: the active copy, unless the job is finished (then `jobs_done`'s wins). */
  async get(id: number): Promise<Job | null> {
    const key = jobKeyOrNull(id);
    if (key === null) return null;
    const found = await this.locate(key);
    return found === null ? null : toJob(found.doc);
  }

  /** Moves job `id` along `plan` if its state is `from`. */
  async transition(
    id: number,
    from: JobState,
    plan: TransitionPlan,
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    const key = jobKeyOrNull(id);
    if (key === null) return { ok: false, actual: null };
    return this.locks.run<TransitionResult>(
      lockKey(id),
      (lock) => this.transitionLocked(key, from, plan, options, lock),
      async () => {
        // While another caller holds the job: once the state moved away from `from`, this
        // compare-and-set has lost and can answer without the lock.
        const found = await this.locate(key);
        if (found === null) return { ok: false, actual: null };
        return found.doc.state === from ? undefined : { ok: false, actual: found.doc.state };
      },
    );
  }

  /**
   * Moves each job along its plan (see Store.transitionMany). Without multi-document
   * transactions each is its own compare-and-set under its own lock, with its own fence read
   * right before its write (as `transition`); a few run at once. (Taking a chunk's locks with
   * one insert and releasing them with one delete was no faster on FerretDB: a chunk waits
   * for its slowest transition, where this pool never idles.)
   */
  async transitionMany(
    items: readonly PlannedTransition[],
    options: TransitionOptions = {},
  ): Promise<TransitionResult[]> {
    const results: TransitionResult[] = new Array<TransitionResult>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < items.length; i = next++) {
        const t = items[i]!;
        results[i] = await this.transition(t.id, t.from, t.plan, options);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(TRANSITION_MANY_WIDTH, items.length) }, worker),
    );
    return results;
  }

  /** Sets `why` of a pending or held job; false when the job is in any other state. */
  async setPendingReason(id: number, why: Job['why']): Promise<boolean> {
    const key = jobKeyOrNull(id);
    if (key === null) return false;
    return this.locks.run(
      lockKey(id),
      async (lock) => {
        // Pending and held jobs are active: their document is in `jobs`, or they are not.
        const doc = await this.readOne(this.c.active, key);
        if (doc === null || !PENDING_LIKE.includes(doc.state)) return false;
        // Nothing to write (an update is a scan of `jobs` on FerretDB v1).
        if (sameWhy(doc.why, why)) return true;
        await lock.beforeWrite();
        const r = await retryBusy(() => this.c.active.updateOne(byKey(key), { $set: { why } }));
        return r.matchedCount === 1;
      },
      async () => {
        const job = await this.get(id);
        return job !== null && PENDING_LIKE.includes(job.state) ? undefined : false;
      },
    );
  }

  /** Changes descriptive fields of an active job, under its lock (see Store.updateJob). */
  async update(id: number, patch: JobFieldsPatch): Promise<Job | null> {
    const key = jobKeyOrNull(id);
    if (key === null) return null;
    const set: Record<string, unknown> = {};
    if (patch.name !== undefined) set['meta.name'] = patch.name;
    if (patch.description !== undefined) set['meta.description'] = patch.description;
    if (patch.tags !== undefined) set['meta.tags'] = [...new Set(patch.tags)];
    if (patch.maxlifespan !== undefined) set['requirements.maxlifespan'] = patch.maxlifespan;
    return this.locks.run(
      lockKey(id),
      async (lock) => {
        const doc = await this.readOne(this.c.active, key);
        if (doc === null || isFinished(doc.state)) return null;
        if (Object.keys(set).length > 0) {
          await lock.beforeWrite();
          await retryBusy(() => this.c.active.updateOne(byKey(key), { $set: set }));
        }
        const after = await this.readOne(this.c.active, key);
        return after === null ? null : toJob(after);
      },
      async () => {
        const job = await this.get(id);
        return job === null || isFinished(job.state) ? null : undefined;
      },
    );
  }

  /** One page of jobs matching `filter`. */
  async list(filter: JobFilter, range: PageRange): Promise<JobPage> {
    const { active, finished } = splitStates(filter.state);
    const fetch = range.limit + 1;
    const base = baseQuery(filter, range);
    const page = (coll: Collection<JobDoc>, states: JobState[]) =>
      this.findPage(coll, base, states, fetch, range);
    const first = comesFirst(range);
    const a = active.length > 0 ? await page(this.c.active, active) : [];
    let b: Job[] = [];
    if (finished.length > 0) {
      const done = await page(this.c.done, finished);
      const cutShort = await page(this.c.active, finished);
      b = mergeOrdered(done, await this.withoutDoneCopy(cutShort), fetch, first);
    }
    return toPage(mergeOrdered(a, b, fetch, first), range);
  }

  /** The tasks of array `parent` by state and outcome (see Store.countTasks). */
  countTasks(parent: number): Promise<TaskCount[]> {
    return countTasks(this.c, parent);
  }

  /** Active jobs by user, project and state (see Store.countActiveByParty). */
  countActiveByParty(): Promise<PartyCount[]> {
    return countActiveByParty(this.c.active);
  }

  /** Active jobs per state; every active state is present, zero when it has no job. */
  async countActive(filter: { user?: string; project?: string }): Promise<StateCounts> {
    const match: Filter<JobDoc> = { state: { $in: [...ACTIVE_STATES] } };
    if (filter.user !== undefined) match['user.id'] = filter.user;
    if (filter.project !== undefined) match['user.project'] = filter.project;
    const rows = await retryBusy(() =>
      this.c.active
        .aggregate<{ _id: JobState; n: number }>([
          { $match: match },
          { $group: { _id: '$state', n: { $sum: 1 } } },
        ])
        .toArray(),
    );
    const counts: StateCounts = Object.fromEntries(ACTIVE_STATES.map((s) => [s, 0]));
    for (const row of rows) counts[row._id] = row.n;
    return counts;
  }

  /**
   * Completes every move into `jobs_done` that a crash cut short, each under its job's lock. A
   * job someone holds is left as it is: readers serve a move cut short correctly, and its
   * holder, the next `over -> archived` or the next open completes it.
   */
  async sweep(): Promise<number> {
    // Once per open, and not a per-job filter: FerretDB decodes all of `jobs` for it.
    const stuck = await retryBusy(() =>
      this.c.active
        .find({ state: { $in: FINISHED } }, { projection: { _id: 1 } })
        .map((d) => d._id)
        .toArray(),
    );
    let moved = 0;
    for (const key of stuck) {
      const done = await this.locks.run(
        lockKey(jobIdOf(key)),
        async () => {
          const doc = await this.readOne(this.c.active, key);
          if (doc === null || !isFinished(doc.state)) return false;
          await this.moveToDone(doc);
          return true;
        },
        () => Promise.resolve(false),
      );
      if (done) moved++;
    }
    return moved;
  }

  private async transitionLocked(
    key: string,
    from: JobState,
    plan: TransitionPlan,
    options: TransitionOptions,
    lock: HeldLock,
  ): Promise<TransitionResult> {
    // Under the job's lock, held by every writer of the job: nothing changes the document
    // between this read and the write below, so the compare-and-set is a read, checks here and
    // a write, each by `_id` alone (FerretDB v1 runs findAndModify as a read then a write
    // anyway, and pushes down only an `_id`-only filter).
    const found = isFinished(from) ? await this.locateFinished(key) : await this.locate(key);
    if (found === null) return { ok: false, actual: null };
    if (found.doc.state !== from) return { ok: false, actual: found.doc.state };
    // Without multi-document transactions the fence is read just before the write: a new leader
    // raising it in between can still see this one write land. It waits a moment after raising
    // (see the scheduler) before reading the jobs, so it sees such a write and counts it.
    if (
      options.fence !== undefined &&
      (await this.fenceEpoch(options.fence.name)) > options.fence.epoch
    ) {
      return { ok: false, actual: from, fenced: true };
    }
    if (!matchesExpect(toJob(found.doc), options.expect)) {
      return { ok: false, actual: from, unexpected: true };
    }
    const update: UpdateFilter<JobDoc> = { $set: plan.set as Partial<JobDoc> };
    if (Object.keys(plan.inc).length > 0) update.$inc = plan.inc;
    await lock.beforeWrite();
    const after = await retryBusy(() =>
      found.coll.findOneAndUpdate(byKey(key), update, { returnDocument: 'after' }),
    );
    // Gone under the lock: only a writer that broke the lock (its lease ran out) could do that.
    if (after === null) return this.lost(key);
    if (found.coll === this.c.active && isFinished(after.state)) await this.moveToDone(after);
    return { ok: true, job: toJob(after) };
  }

  private async lost(key: string): Promise<TransitionResult> {
    const found = await this.locate(key);
    return { ok: false, actual: found?.doc.state ?? null };
  }

  /** Job `key`'s document: the active copy, unless the job is finished (then `jobs_done`'s wins). */
  private async locate(key: string): Promise<Found | null> {
    // `jobs` first: a move writes `jobs_done` before deleting from `jobs`, so a job missing
    // from `jobs` is in `jobs_done` when it exists at all.
    const active = await this.readOne(this.c.active, key);
    if (active !== null && !isFinished(active.state)) return { doc: active, coll: this.c.active };
    const done = await this.readOne(this.c.done, key);
    if (done !== null) return { doc: done, coll: this.c.done };
    return active === null ? null : { doc: active, coll: this.c.active };
  }

  /**
   * Job `key`'s document for a transition out of a finished state (the caller holds the lock):
   * its `jobs_done` copy, after completing a move cut short before that copy was written.
   * `jobs_done` first: once a copy is there it is the job (nothing writes the `jobs` copy of a
   * finished job), and on FerretDB a miss in `jobs` would scan all of it.
   */
  private async locateFinished(key: string): Promise<Found | null> {
    const done = await this.readOne(this.c.done, key);
    if (done !== null) return { doc: done, coll: this.c.done };
    const active = await this.readOne(this.c.active, key);
    if (active === null) return null;
    // Still active: the caller's `from` is stale.
    if (!isFinished(active.state)) return { doc: active, coll: this.c.active };
    await this.moveToDone(active);
    return { doc: active, coll: this.c.done };
  }

  private readOne(coll: Collection<JobDoc>, key: string): Promise<WithId<JobDoc> | null> {
    return retryBusy(() => coll.findOne(byKey(key)));
  }

  /** Raises fence `name` to `epoch` under the fence's lock, unless a newer epoch holds it. */
  async raiseFence(name: string, epoch: number): Promise<boolean> {
    return this.locks.run(
      `fence:${name}`,
      async () => {
        if ((await this.fenceEpoch(name)) > epoch) return false;
        await retryBusy(() =>
          this.c.counters.updateOne(
            { _id: `fence:${name}` },
            { $set: { value: epoch } },
            { upsert: true },
          ),
        );
        return true;
      },
      () => Promise.resolve(undefined),
    );
  }

  /** The epoch of fence `name` (0 when never raised). */
  async fenceEpoch(name: string): Promise<number> {
    const doc = await retryBusy(() => this.c.counters.findOne({ _id: `fence:${name}` }));
    return doc?.value ?? 0;
  }

  /** Copies finished job `doc` into `jobs_done`, then deletes it from `jobs`; under its lock. */
  private async moveToDone(doc: WithId<JobDoc>): Promise<void> {
    // A copy already in jobs_done is as new or newer (it may be archived since): keep it.
    await insertIfAbsent(() => this.c.done.insertOne(doc));
    // By `_id` alone: the `jobs` copy of a finished job never changes again, so this deletes
    // exactly the copy just saved (or an older one of a move cut short).
    await retryBusy(() => this.c.active.deleteOne(byKey(doc._id)));
  }

  private async reserveIds(n: number): Promise<number> {
    // Under a lock: FerretDB v1's $inc is a read-then-write and could hand a range out twice.
    const doc = await this.locks.run(
      'counter:job_id',
      () =>
        retryBusy(() =>
          this.c.counters.findOneAndUpdate(
            { _id: 'job_id' },
            { $inc: { value: n } },
            { upsert: true, returnDocument: 'after' },
          ),
        ),
      () => Promise.resolve(undefined),
    );
    if (doc === null) throw new Error('the id counter was not returned');
    return doc.value;
  }

  private async findPage(
    coll: Collection<JobDoc>,
    base: Filter<JobDoc>,
    states: JobState[],
    limit: number,
    range: PageRange,
  ): Promise<Job[]> {
    const query: Filter<JobDoc> = { ...base, state: { $in: states } };
    // Keys are fixed-width digits: sorting them as strings sorts the ids.
    const dir = range.order === 'desc' ? -1 : 1;
    const sort: Sort = range.bySubmitted
      ? { 'status.dates.submitted': dir, _id: dir }
      : { _id: dir };
    const docs = await retryBusy(() => coll.find(query).sort(sort).limit(limit).toArray());
    return docs.map(toJob);
  }

  private async withoutDoneCopy(jobs: Job[]): Promise<Job[]> {
    if (jobs.length === 0) return jobs;
    const keys = jobs.map((j) => jobKey(j.id));
    const copies = await retryBusy(() =>
      this.c.done.find({ _id: { $in: keys } }, { projection: { _id: 1 } }).toArray(),
    );
    const moved = new Set(copies.map((d) => d._id));
    return jobs.filter((j) => !moved.has(jobKey(j.id)));
  }
}

function sameWhy(a: Job['why'], b: Job['why']): boolean {
  if (a === null || b === null) return a === b;
  return a.code === b.code && a.message === b.message;
}

function baseQuery(filter: JobFilter, range: PageRange): Filter<JobDoc> {
  const q: Filter<JobDoc> = {
    _id: {
      $gt: afterKey(range.afterId),
      ...(range.beforeId !== null && { $lt: afterKey(range.beforeId) }),
    },
  };
  if (filter.user !== undefined) q['user.id'] = filter.user;
  if (filter.project !== undefined) q['user.project'] = filter.project;
  if (filter.name !== undefined) q['meta.name'] = filter.name;
  if (filter.tag !== undefined) q['meta.tags'] = filter.tag;
  if (filter.parent !== undefined) q.parent = filter.parent;
  // Both: a task of that array and not a task at all, which nothing is.
  if (filter.topLevel === true) q.parent = filter.parent === undefined ? null : { $in: [] };
  // `$lt` on a number never matches null: jobs that have not ended are left out.
  if (filter.endedBefore !== undefined) q['status.dates.ended'] = { $lt: filter.endedBefore };
  if (filter.submittedAfter !== undefined || filter.submittedBefore !== undefined) {
    q['status.dates.submitted'] = {
      ...(filter.submittedAfter !== undefined && { $gte: filter.submittedAfter }),
      ...(filter.submittedBefore !== undefined && { $lt: filter.submittedBefore }),
    };
  }
  if (range.from !== null) {
    // After the cursor's (submitted, id) in the listing's order.
    const op = range.order === 'desc' ? '$lt' : '$gt';
    const at = range.from.submitted;
    q.$or = [
      { 'status.dates.submitted': { [op]: at } },
      { 'status.dates.submitted': at, _id: { [op]: jobKey(range.from.id) } },
    ];
  }
  if (filter.nameContains !== undefined) {
    q['meta.name'] = {
      ...(filter.name !== undefined && { $eq: filter.name }),
      $regex: literalRegex(filter.nameContains),
      $options: 'i',
    };
  }
  return q;
}
