/**
 * Jobs in MongoDB: `jobs` holds the active set, `jobs_done` the finished jobs. There are no
 * multi-document transactions (FerretDB v1 has none), so a move into `over` is three writes in
 * a crash-safe order: the compare-and-set in `jobs` (the commit point), a copy into `jobs_done`,
 * then the delete from `jobs`. A finished job still in `jobs` is a move cut short; readers prefer
 * the `jobs_done` copy, and `sweep` (run on open) completes such moves.
 */
import type { Collection, Filter, UpdateFilter, WithId } from 'mongodb';
import {
  ACTIVE_STATES,
  isFinished,
  type Job,
  type JobState,
  type NewJob,
  type TransitionPlan,
} from '@god/core';
import { mergeById, newJobRecord, splitStates } from './job-record.js';
import type { MongoLocks } from './mongo-lock.js';
import { backoff, insertIfAbsent, isBusy, retryBusy, sleep } from './mongo-util.js';
import { matchesExpect } from './job-record.js';
import { toPage, type PageRange } from './paging.js';
import type {
  JobFilter,
  JobPage,
  StateCounts,
  TransitionOptions,
  TransitionResult,
} from './store.js';

/** A job as stored: its id is the document's `_id`, never a second field. */
export type JobDoc = Omit<Job, 'id'> & { _id: number };

/** The id counter (`counters` collection). */
export interface CounterDoc {
  _id: string;
  value: number;
}

const FINISHED: JobState[] = ['over', 'archived'];
const PENDING_LIKE: JobState[] = ['pending', 'held'];

function toJob(doc: WithId<JobDoc>): Job {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

function toDoc(job: Job): JobDoc {
  const { id, ...rest } = job;
  return { _id: id, ...rest };
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
    const records = jobs.map((job, i) => newJobRecord(job, last - jobs.length + 1 + i, now));
    const docs = records.map(toDoc);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.c.active.insertMany(docs, { ordered: true });
        return structuredClone(records);
      } catch (err) {
        // No multi-document transaction: a batch that failed half-way is removed by hand. The
        // ids are this call's own, so nobody else's job can be deleted here.
        const ids = docs.map((d) => d._id);
        await retryBusy(() => this.c.active.deleteMany({ _id: { $in: ids } }));
        if (!isBusy(err) || attempt >= 20) throw err;
      }
      await sleep(backoff(attempt));
    }
  }

  /** A job by id: the active copy, unless the job is finished (then `jobs_done`'s wins). */
  async get(id: number): Promise<Job | null> {
    // `jobs` first: a move writes `jobs_done` before deleting from `jobs`, so a job missing
    // from `jobs` is in `jobs_done` when it exists at all.
    const active = await retryBusy(() => this.c.active.findOne({ _id: id }));
    if (active !== null && !isFinished(active.state)) return toJob(active);
    const done = await retryBusy(() => this.c.done.findOne({ _id: id }));
    if (done !== null) return toJob(done);
    return active === null ? null : toJob(active);
  }

  /** Moves job `id` along `plan` if its state is `from`. */
  async transition(
    id: number,
    from: JobState,
    plan: TransitionPlan,
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    return this.locks.run(
      `job:${id}`,
      () => this.transitionLocked(id, from, plan, options),
      async () => {
        // While another caller holds the job: once the state moved away from `from`, this
        // compare-and-set has lost and can answer without the lock.
        const job = await this.get(id);
        if (job === null) return { ok: false, actual: null };
        return job.state === from ? undefined : { ok: false, actual: job.state };
      },
    );
  }

  /** Sets `why` of a pending or held job; false when the job is in any other state. */
  async setPendingReason(id: number, why: Job['why']): Promise<boolean> {
    return this.locks.run(
      `job:${id}`,
      async () => {
        const r = await retryBusy(() =>
          this.c.active.updateOne({ _id: id, state: { $in: PENDING_LIKE } }, { $set: { why } }),
        );
        return r.matchedCount === 1;
      },
      async () => {
        const job = await this.get(id);
        return job !== null && PENDING_LIKE.includes(job.state) ? undefined : false;
      },
    );
  }

  /** One page of jobs matching `filter`. */
  async list(filter: JobFilter, range: PageRange): Promise<JobPage> {
    const { active, finished } = splitStates(filter.state);
    const fetch = range.limit + 1;
    const base = baseQuery(filter, range.afterId);
    const a = active.length > 0 ? await this.find(this.c.active, base, active, fetch) : [];
    let b: Job[] = [];
    if (finished.length > 0) {
      const done = await this.find(this.c.done, base, finished, fetch);
      const cutShort = await this.find(this.c.active, base, finished, fetch);
      b = mergeById(done, await this.withoutDoneCopy(cutShort), fetch);
    }
    return toPage(mergeById(a, b, fetch), range.limit);
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

  /** Completes every move into `jobs_done` that a crash cut short. */
  async sweep(): Promise<number> {
    const stuck = await retryBusy(() => this.c.active.find({ state: { $in: FINISHED } }).toArray());
    for (const doc of stuck) await this.moveToDone(doc);
    return stuck.length;
  }

  private async transitionLocked(
    id: number,
    from: JobState,
    plan: TransitionPlan,
    options: TransitionOptions,
  ): Promise<TransitionResult> {
    if (isFinished(from)) await this.finishMove(id);
    const coll = isFinished(from) ? this.c.done : this.c.active;
    // Without multi-document transactions the fence is read just before the write: a new leader
    // raising it in between can still see this one write land. It waits a moment after raising
    // (see the scheduler) before reading the jobs, so it sees such a write and counts it.
    if (
      options.fence !== undefined &&
      (await this.fenceEpoch(options.fence.name)) > options.fence.epoch
    ) {
      const job = await this.get(id);
      return { ok: false, actual: job?.state ?? null, fenced: true };
    }
    // One compare-and-set on `state` (and the expected attempt/epoch): atomic by itself on
    // MongoDB; on FerretDB v1, where it is a read then a write, the job's lock (held by every
    // writer of the job) makes it exclusive. FerretDB v1 scans the collection for each command
    // on a numeric _id, so one findOneAndUpdate also beats a findOne plus an updateOne there.
    const filter: Filter<JobDoc> = { _id: id, state: from };
    if (options.expect?.attempts !== undefined) filter.attempts = options.expect.attempts;
    if (options.expect?.epoch !== undefined) filter.epoch = options.expect.epoch;
    const update: UpdateFilter<JobDoc> = { $set: plan.set as Partial<JobDoc> };
    if (Object.keys(plan.inc).length > 0) update.$inc = plan.inc;
    const after = await retryBusy(() =>
      coll.findOneAndUpdate(filter, update, { returnDocument: 'after' }),
    );
    if (after === null) {
      // Under the lock nothing changed since: tell a stale state from a failed guard.
      const job = await this.get(id);
      if (job?.state === from && !matchesExpect(job, options.expect)) {
        return { ok: false, actual: from, unexpected: true };
      }
      return { ok: false, actual: job?.state ?? null };
    }
    if (!isFinished(from) && isFinished(after.state)) await this.moveToDone(after);
    return { ok: true, job: toJob(after) };
  }

  private async lost(id: number): Promise<TransitionResult> {
    const job = await this.get(id);
    return { ok: false, actual: job?.state ?? null };
  }

  private async finishMove(id: number): Promise<void> {
    const doc = await retryBusy(() => this.c.active.findOne({ _id: id, state: { $in: FINISHED } }));
    if (doc !== null) await this.moveToDone(doc);
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

  private async moveToDone(doc: JobDoc): Promise<void> {
    // A copy already in jobs_done is as new or newer (it may be archived since): keep it.
    await insertIfAbsent(() => this.c.done.insertOne(doc));
    await retryBusy(() => this.c.active.deleteOne({ _id: doc._id, state: { $in: FINISHED } }));
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

  private async find(
    coll: Collection<JobDoc>,
    base: Filter<JobDoc>,
    states: JobState[],
    limit: number,
  ): Promise<Job[]> {
    const query: Filter<JobDoc> = { ...base, state: { $in: states } };
    const docs = await retryBusy(() => coll.find(query).sort({ _id: 1 }).limit(limit).toArray());
    return docs.map(toJob);
  }

  private async withoutDoneCopy(jobs: Job[]): Promise<Job[]> {
    if (jobs.length === 0) return jobs;
    const ids = jobs.map((j) => j.id);
    const copies = await retryBusy(() =>
      this.c.done.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray(),
    );
    const moved = new Set(copies.map((d) => d._id));
    return jobs.filter((j) => !moved.has(j.id));
  }
}

function baseQuery(filter: JobFilter, afterId: number): Filter<JobDoc> {
  const q: Filter<JobDoc> = { _id: { $gt: afterId } };
  if (filter.user !== undefined) q['user.id'] = filter.user;
  if (filter.project !== undefined) q['user.project'] = filter.project;
  if (filter.name !== undefined) q['meta.name'] = filter.name;
  if (filter.tag !== undefined) q['meta.tags'] = filter.tag;
  if (filter.parent !== undefined) q.parent = filter.parent;
  // `$lt` on a number never matches null: jobs that have not ended are left out.
  if (filter.endedBefore !== undefined) q['status.dates.ended'] = { $lt: filter.endedBefore };
  return q;
}
