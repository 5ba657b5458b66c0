/**
 * Jobs in SQLite, synchronously. Every read-then-write runs in a `BEGIN IMMEDIATE` transaction:
 * it takes the database's write lock before reading, so two processes can never both see the
 * same `from` state and both win a transition.
 */
import type Database from 'better-sqlite3';
import {
  ACTIVE_STATES,
  applyPlanInPlace,
  isFinished,
  type Job,
  type JobState,
  type NewJob,
  type TransitionPlan,
} from '@god/core';
import {
  containsLike,
  matchesExpect,
  mergeOrdered,
  newJobRecord,
  splitStates,
  upgradeStoredJob,
} from './job-record.js';
import { comesFirst, toPage, type PageRange } from './paging.js';
import { SUBMITTED_SQL } from './sqlite-schema.js';
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

/** The active and the finished jobs' tables. */
export type Table = 'jobs' | 'jobs_done';

interface JobRow {
  id: number;
  state: JobState;
  doc: string;
}

const PENDING_LIKE: readonly JobState[] = ['pending', 'held'];

/** One transition of a batch, its plan made before the transaction begins. */
export interface PlannedTransition {
  id: number;
  from: JobState;
  plan: TransitionPlan;
}

function toJob(row: JobRow): Job {
  return upgradeStoredJob({
    id: row.id,
    state: row.state,
    ...(JSON.parse(row.doc) as Omit<Job, 'id' | 'state'>),
  });
}

/** The JSON document of a job: everything but `id` and `state`, which are columns only. */
function toDoc(job: Job): string {
  const { id: _id, state: _state, ...doc } = job;
  return JSON.stringify(doc);
}

/** A WHERE clause built from optional conditions, with its parameters in order. */
class Where {
  readonly params: unknown[] = [];
  private readonly terms: string[] = [];

  add(term: string, ...params: unknown[]): void {
    this.terms.push(term);
    this.params.push(...params);
  }

  equals(column: string, value: unknown): void {
    if (value !== undefined) this.add(`${column} = ?`, value);
  }

  sql(): string {
    return this.terms.length === 0 ? '' : `WHERE ${this.terms.join(' AND ')}`;
  }
}

/** Job operations on one connection. */
export class SqliteJobs {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly insertTx: Database.Transaction<(jobs: readonly NewJob[], now: number) => Job[]>;
  private readonly transitionTx: Database.Transaction<
    (
      id: number,
      from: JobState,
      plan: TransitionPlan,
      options: TransitionOptions,
    ) => TransitionResult
  >;
  private readonly transitionManyTx: Database.Transaction<
    (items: readonly PlannedTransition[], options: TransitionOptions) => TransitionResult[]
  >;
  private readonly raiseFenceTx: Database.Transaction<(name: string, epoch: number) => boolean>;
  private readonly setWhyTx: Database.Transaction<(id: number, why: Job['why']) => boolean>;
  private readonly updateTx: Database.Transaction<
    (id: number, patch: JobFieldsPatch) => Job | null
  >;

  constructor(private readonly db: Database.Database) {
    this.insertTx = db.transaction((jobs, now) => this.insertAll(jobs, now));
    this.transitionTx = db.transaction((id, from, plan, options) =>
      this.transitionOne(id, from, plan, options),
    );
    this.transitionManyTx = db.transaction((items, options) => {
      // The fence is read once, in the same transaction as every write of the batch.
      if (options.fence !== undefined && this.fenceEpoch(options.fence.name) > options.fence.epoch)
        return items.map((t) => this.fencedResult(t.id));
      const { fence: _checked, ...unfenced } = options;
      return items.map((t) => this.transitionOne(t.id, t.from, t.plan, unfenced));
    });
    this.raiseFenceTx = db.transaction((name, epoch) => {
      if (this.fenceEpoch(name) > epoch) return false;
      this.stmt(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
      ).run(`fence:${name}`, epoch);
      return true;
    });
    this.setWhyTx = db.transaction((id, why) => this.setWhyOne(id, why));
    this.updateTx = db.transaction((id, patch) => this.updateOne(id, patch));
  }

  /** Inserts all jobs in one transaction: a failure on any job leaves nothing written. */
  insert(jobs: readonly NewJob[], now: number): Job[] {
    return jobs.length === 0 ? [] : this.insertTx.immediate(jobs, now);
  }

  /** Moves a job along `plan` if its stored state is `from`, in one IMMEDIATE transaction. */
  transition(
    id: number,
    from: JobState,
    plan: TransitionPlan,
    options: TransitionOptions = {},
  ): TransitionResult {
    return this.transitionTx.immediate(id, from, plan, options);
  }

  /** Many transitions in one IMMEDIATE transaction (see Store.transitionMany). */
  transitionMany(
    items: readonly PlannedTransition[],
    options: TransitionOptions = {},
  ): TransitionResult[] {
    return items.length === 0 ? [] : this.transitionManyTx.immediate(items, options);
  }

  /** The answer to a fenced-out writer: the job's state as it is, nothing written. */
  private fencedResult(id: number): TransitionResult {
    const found = this.find(id, ['jobs', 'jobs_done']);
    return { ok: false, actual: found?.row.state ?? null, fenced: true };
  }

  /** Raises a fence in one IMMEDIATE transaction (see Store.raiseFence). */
  raiseFence(name: string, epoch: number): boolean {
    return this.raiseFenceTx.immediate(name, epoch);
  }

  /** The epoch of fence `name` (0 when never raised). */
  fenceEpoch(name: string): number {
    const row = this.stmt('SELECT value FROM counters WHERE name = ?').get(`fence:${name}`) as
      { value: number } | undefined;
    return row?.value ?? 0;
  }

  /** Sets `why` of a pending or held job; false when the job is in any other state. */
  setPendingReason(id: number, why: Job['why']): boolean {
    return this.setWhyTx.immediate(id, why);
  }

  /** Changes descriptive fields of an active job (see Store.updateJob). */
  update(id: number, patch: JobFieldsPatch): Job | null {
    return this.updateTx.immediate(id, patch);
  }

  /** A job by id, from the active table first (the hot set), then the finished one. */
  get(id: number): Job | null {
    const found = this.find(id, ['jobs', 'jobs_done']);
    return found === null ? null : toJob(found.row);
  }

  /** One page of jobs matching `filter`, from one or both tables. */
  list(filter: JobFilter, range: PageRange): JobPage {
    const { active, finished } = splitStates(filter.state);
    const fetch = range.limit + 1;
    const a = active.length > 0 ? this.select('jobs', active, filter, range) : [];
    const b = finished.length > 0 ? this.select('jobs_done', finished, filter, range) : [];
    return toPage(mergeOrdered(a, b, fetch, comesFirst(range)), range);
  }

  /** The tasks of array `parent` by state and outcome, from both tables (see Store.countTasks). */
  countTasks(parent: number): TaskCount[] {
    const out: TaskCount[] = [];
    for (const table of ['jobs', 'jobs_done'] as const) {
      const sql = `SELECT state, json_extract(doc, '$.outcome') AS outcome, count(*) AS n
        FROM ${table} WHERE parent = ? GROUP BY state, outcome`;
      const rows = this.stmt(sql).all(parent) as Array<{
        state: JobState;
        outcome: TaskCount['outcome'];
        n: number;
      }>;
      for (const r of rows) out.push({ state: r.state, outcome: r.outcome, count: r.n });
    }
    return out;
  }

  /** Active jobs by user, project and state (see Store.countActiveByParty). */
  countActiveByParty(): PartyCount[] {
    const sql = `SELECT user_id, project, state, count(*) AS n FROM jobs
      GROUP BY user_id, project, state`;
    const rows = this.stmt(sql).all() as Array<{
      user_id: string;
      project: string;
      state: JobState;
      n: number;
    }>;
    return rows.map((r) => ({ user: r.user_id, project: r.project, state: r.state, count: r.n }));
  }

  /** Active jobs per state; every active state is present, zero when it has no job. */
  countActive(filter: { user?: string; project?: string }): StateCounts {
    const where = new Where();
    where.equals('user_id', filter.user);
    where.equals('project', filter.project);
    const sql = `SELECT state, count(*) AS n FROM jobs ${where.sql()} GROUP BY state`;
    const counts: StateCounts = Object.fromEntries(ACTIVE_STATES.map((s) => [s, 0]));
    for (const row of this.stmt(sql).all(...where.params) as Array<{
      state: JobState;
      n: number;
    }>) {
      counts[row.state] = row.n;
    }
    return counts;
  }

  private insertAll(jobs: readonly NewJob[], now: number): Job[] {
    const { value } = this.stmt(
      "UPDATE counters SET value = value + ? WHERE name = 'job_id' RETURNING value",
    ).get(jobs.length) as { value: number };
    const first = value - jobs.length + 1;
    const insertTag = this.stmt('INSERT OR IGNORE INTO job_tags (tag, job_id) VALUES (?, ?)');
    return jobs.map((job, i) => {
      const record = newJobRecord(job, first + i, now);
      const doc = toDoc(record);
      this.insertRow('jobs', record, doc);
      for (const tag of record.meta.tags) insertTag.run(tag, record.id);
      // Hand back what was stored (not the caller's objects), exactly as getJob will read it.
      return toJob({ id: record.id, state: record.state, doc });
    });
  }

  private insertRow(table: Table, job: Job, doc: string): void {
    this.stmt(
      `INSERT INTO ${table} (id, state, user_id, project, name, parent, submitted, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      job.id,
      job.state,
      job.user.id,
      job.user.project,
      job.meta.name,
      job.parent,
      job.status.dates.submitted,
      doc,
    );
  }

  private transitionOne(
    id: number,
    from: JobState,
    plan: TransitionPlan,
    options: TransitionOptions,
  ): TransitionResult {
    const found = this.find(id, isFinished(from) ? ['jobs_done', 'jobs'] : ['jobs', 'jobs_done']);
    if (found === null) return { ok: false, actual: null };
    if (found.row.state !== from) return { ok: false, actual: found.row.state };
    // The fence is read in the same IMMEDIATE transaction as the write: no newer leader can
    // raise it in between.
    if (options.fence !== undefined && this.fenceEpoch(options.fence.name) > options.fence.epoch) {
      return { ok: false, actual: found.row.state, fenced: true };
    }
    const current = toJob(found.row);
    if (!matchesExpect(current, options.expect))
      return { ok: false, actual: current.state, unexpected: true };
    // `current` was parsed just now and nobody else holds it: no copy needed.
    const next = applyPlanInPlace(current, plan);
    const doc = toDoc(next);
    if (found.table === 'jobs' && isFinished(next.state)) {
      // Leaving the hot set: delete and insert in this same transaction, so the job is always
      // in exactly one table.
      this.stmt('DELETE FROM jobs WHERE id = ?').run(id);
      this.insertRow('jobs_done', next, doc);
    } else {
      this.stmt(`UPDATE ${found.table} SET state = ?, doc = ? WHERE id = ?`).run(
        next.state,
        doc,
        id,
      );
    }
    return { ok: true, job: next };
  }

  private updateOne(id: number, patch: JobFieldsPatch): Job | null {
    const found = this.find(id, ['jobs']);
    if (found === null || isFinished(found.row.state)) return null;
    const job = toJob(found.row);
    if (patch.name !== undefined) job.meta.name = patch.name;
    if (patch.description !== undefined) job.meta.description = patch.description;
    if (patch.maxlifespan !== undefined) job.requirements.maxlifespan = patch.maxlifespan;
    if (patch.tags !== undefined) {
      job.meta.tags = [...new Set(patch.tags)];
      this.stmt('DELETE FROM job_tags WHERE job_id = ?').run(id);
      const insertTag = this.stmt('INSERT OR IGNORE INTO job_tags (tag, job_id) VALUES (?, ?)');
      for (const tag of job.meta.tags) insertTag.run(tag, id);
    }
    this.stmt('UPDATE jobs SET name = ?, doc = ? WHERE id = ?').run(job.meta.name, toDoc(job), id);
    return job;
  }

  private setWhyOne(id: number, why: Job['why']): boolean {
    const found = this.find(id, ['jobs']);
    if (found === null || !PENDING_LIKE.includes(found.row.state)) return false;
    const job = toJob(found.row);
    job.why = why;
    this.stmt('UPDATE jobs SET doc = ? WHERE id = ?').run(toDoc(job), id);
    return true;
  }

  private find(id: number, tables: readonly Table[]): { table: Table; row: JobRow } | null {
    for (const table of tables) {
      const row = this.stmt(`SELECT id, state, doc FROM ${table} WHERE id = ?`).get(id) as
        JobRow | undefined;
      if (row !== undefined) return { table, row };
    }
    return null;
  }

  private select(
    table: Table,
    states: readonly JobState[],
    filter: JobFilter,
    range: PageRange,
  ): Job[] {
    const { sql, params } = listQuery(table, states, filter, range);
    return (this.stmt(sql).all(...params) as JobRow[]).map(toJob);
  }

  /** Prepared statements are cached by SQL text: listing builds a handful of shapes only. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

/**
 * The SQL of one table's part of a listing page (exported so a test can check its query plan:
 * every shape the web UI asks for must walk an index, never the whole table).
 */
export function listQuery(
  table: Table,
  states: readonly JobState[],
  filter: JobFilter,
  range: PageRange,
): { sql: string; params: unknown[] } {
  const where = new Where();
  if (range.afterId > 0 || (range.beforeId === null && !range.bySubmitted))
    where.add('id > ?', range.afterId);
  if (range.beforeId !== null) where.add('id < ?', range.beforeId);
  if (range.from !== null) {
    // After the cursor in (submitted, id) order: the plain bound on `submitted` gives the index
    // range its end at the cursor (the row value alone is only a filter), the row value
    // settles ties. It replaces the date filter's bound on that side, which it implies.
    const [op, eq] = range.order === 'desc' ? ['<', '<='] : ['>', '>='];
    where.add(`${SUBMITTED_SQL} ${eq} ?`, range.from.submitted);
    where.add(`(${SUBMITTED_SQL}, id) ${op} (?, ?)`, range.from.submitted, range.from.id);
  }
  // A condition on every state of the table would only keep the planner off better indexes.
  const all = table === 'jobs' ? ACTIVE_STATES.length : 2;
  // One state as an equality: the planner then takes the index with the most equal columns.
  if (states.length === 1 && all > 1) where.add('state = ?', states[0]);
  else if (states.length < all)
    where.add(`state IN (${states.map(() => '?').join(', ')})`, ...states);
  where.equals('user_id', filter.user);
  where.equals('project', filter.project);
  where.equals('name', filter.name);
  where.equals('parent', filter.parent);
  // A residual filter on whichever index the listing takes: most jobs are top-level ones.
  if (filter.topLevel === true) where.add('parent IS NULL');
  if (filter.endedBefore !== undefined) {
    // The same expression as the jobs_done_ended index, so the planner can use it.
    where.add("json_extract(doc, '$.status.dates.ended') < ?", filter.endedBefore);
  }
  if (filter.tag !== undefined) {
    where.add('id IN (SELECT job_id FROM job_tags WHERE tag = ?)', filter.tag);
  }
  const from = range.from !== null ? range.order : null;
  if (filter.submittedAfter !== undefined && from !== 'asc')
    where.add(`${SUBMITTED_SQL} >= ?`, filter.submittedAfter);
  if (filter.submittedBefore !== undefined && from !== 'desc')
    where.add(`${SUBMITTED_SQL} < ?`, filter.submittedBefore);
  // LIKE ignores the case of ASCII letters; the name's own wildcards are escaped.
  if (filter.nameContains !== undefined)
    where.add("name LIKE ? ESCAPE '\\'", containsLike(filter.nameContains));
  const dir = range.order === 'desc' ? 'DESC' : 'ASC';
  const key = range.bySubmitted ? `${SUBMITTED_SQL} ${dir}, id ${dir}` : `id ${dir}`;
  const hint = indexHint(table, states.length < all, filter, range);
  const sql = `SELECT id, state, doc FROM ${table} ${hint} ${where.sql()} ORDER BY ${key} LIMIT ?`;
  return { sql, params: [...where.params, range.limit + 1] };
}

/**
 * The index a by-date listing with a state filter must walk, where SQLite (without statistics)
 * would pick an index on the state and sort, or filter the user row by row: the history's
 * (user, state, date) index; in the active table, which has no state index of that kind (see
 * sqlite-schema.ts), the date index, filtering the few other states out as it goes.
 */
function indexHint(table: Table, someStates: boolean, filter: JobFilter, range: PageRange): string {
  if (!range.bySubmitted || !someStates) return '';
  const user = filter.user !== undefined;
  if (table === 'jobs') return `INDEXED BY jobs_${user ? 'user_' : ''}submitted`;
  return user ? 'INDEXED BY jobs_done_user_state_submitted' : '';
}
