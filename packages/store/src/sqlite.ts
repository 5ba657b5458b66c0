/**
 * The embedded Store: one SQLite file (better-sqlite3, WAL) that several god processes on one
 * host may open at once. better-sqlite3 is synchronous; the async methods only fit the Store
 * interface, and every read-then-write takes the write lock first (`BEGIN IMMEDIATE`).
 */
import type Database from 'better-sqlite3';
import {
  planTransition,
  type Job,
  type JobState,
  type NewJob,
  type TransitionPatch,
} from '@god/core';
import { checkNewLogin, defaultProject, pickUser, zeroTotals } from './accounts.js';
import { checkFilter, checkNewJobs } from './job-record.js';
import { listRange } from './paging.js';
import { SqliteJobs } from './sqlite-jobs.js';
import { openDatabase } from './sqlite-schema.js';
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

/** Where the SQLite store lives. */
export interface SqliteStoreOptions {
  /** Database file (created with its directory if missing), or `:memory:`. */
  path: string;
  /** How long a write waits for another process's write lock (default 10 s). */
  busyTimeoutMs?: number;
}

/** Runs synchronous work as a promise, so a throw becomes a rejection like in async adapters. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}

interface IdDoc {
  id: string;
  doc: string;
}

interface TotalsRow {
  cpu: number;
  ram: number;
  gpu: number;
  wall: number;
  jobs: number;
}

function fromIdDoc<T extends { id: string }>(row: IdDoc): T {
  return { id: row.id, ...(JSON.parse(row.doc) as Omit<T, 'id'>) } as T;
}

function toIdDoc<T extends { id: string }>(value: T): [string, string] {
  const { id, ...doc } = value;
  return [id, JSON.stringify(doc)];
}

/** Opens the SQLite store at `path` (synchronously: opening a file needs no round trip). */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase({ path: options.path, busyTimeoutMs: options.busyTimeoutMs ?? 10_000 });
  const [id, doc] = toIdDoc(defaultProject(Date.now()));
  db.prepare('INSERT OR IGNORE INTO projects (id, doc) VALUES (?, ?)').run(id, doc);
  return new SqliteStore(db);
}

class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly jobs: SqliteJobs;

  constructor(private readonly db: Database.Database) {
    this.jobs = new SqliteJobs(db);
  }

  insertJobs(jobs: readonly NewJob[]): Promise<Job[]> {
    return settle(() => {
      checkNewJobs(jobs);
      return this.jobs.insert(jobs, Date.now());
    });
  }

  getJob(id: number): Promise<Job | null> {
    return settle(() => this.jobs.get(id));
  }

  listJobs(filter: JobFilter = {}, page: Page = {}): Promise<JobPage> {
    return settle(() => {
      checkFilter(filter);
      return this.jobs.list(filter, listRange(filter, page));
    });
  }

  countTasks(parent: number): Promise<TaskCount[]> {
    return settle(() => this.jobs.countTasks(parent));
  }

  countActiveByParty(): Promise<PartyCount[]> {
    return settle(() => this.jobs.countActiveByParty());
  }

  transition(
    id: number,
    from: JobState,
    to: JobState,
    patch: TransitionPatch = {},
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    return settle(() => {
      // Planned before any I/O: a refused edge throws here and nothing is read or written.
      const plan = planTransition(from, to, patch);
      return this.jobs.transition(id, from, plan, options);
    });
  }

  transitionMany(
    items: readonly TransitionItem[],
    options: TransitionOptions = {},
  ): Promise<TransitionResult[]> {
    return settle(() => {
      const planned = items.map((t) => ({
        id: t.id,
        from: t.from,
        plan: planTransition(t.from, t.to, t.patch ?? {}),
      }));
      return this.jobs.transitionMany(planned, options);
    });
  }

  raiseFence(name: string, epoch: number): Promise<boolean> {
    return settle(() => this.jobs.raiseFence(name, epoch));
  }

  fenceEpoch(name: string): Promise<number> {
    return settle(() => this.jobs.fenceEpoch(name));
  }

  setPendingReason(id: number, why: Job['why']): Promise<boolean> {
    return settle(() => this.jobs.setPendingReason(id, why));
  }

  updateJob(id: number, patch: JobFieldsPatch): Promise<Job | null> {
    return settle(() => this.jobs.update(id, patch));
  }

  countActive(filter: { user?: string; project?: string } = {}): Promise<StateCounts> {
    return settle(() => this.jobs.countActive(filter));
  }

  getUser(id: string): Promise<User | null> {
    return settle(() => this.getById<User>('users', id));
  }

  findUser(login: string): Promise<User | null> {
    return settle(() => pickUser(login, this.usersNamed(login)));
  }

  putUser(user: User): Promise<void> {
    // Check and write under the write lock, so two spellings cannot both be created.
    return settle(() =>
      this.db
        .transaction(() => {
          checkNewLogin(
            user.id,
            this.usersNamed(user.id).map((u) => u.id),
          );
          this.put('users', user);
        })
        .immediate(),
    );
  }

  /** Users whose id equals `login` without ASCII case (logins are ASCII: LOGIN_PATTERN). */
  private usersNamed(login: string): User[] {
    const rows = this.db
      .prepare('SELECT id, doc FROM users WHERE id = ? COLLATE NOCASE ORDER BY id')
      .all(login) as IdDoc[];
    return rows.map((r) => fromIdDoc<User>(r));
  }

  listUsers(): Promise<User[]> {
    return settle(() => this.all<User>('users'));
  }

  deleteUser(id: string): Promise<boolean> {
    return settle(() => this.remove('users', id));
  }

  putApiKey(key: ApiKeyRecord): Promise<void> {
    return settle(() => {
      this.db
        .prepare(
          `INSERT INTO api_keys (id, user_id, doc) VALUES (?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, doc = excluded.doc`,
        )
        .run(key.id, key.user, JSON.stringify(key));
    });
  }

  getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return settle(() => this.getById<ApiKeyRecord>('api_keys', id));
  }

  listApiKeys(user: string): Promise<ApiKeyRecord[]> {
    return settle(() =>
      (
        this.db.prepare('SELECT doc FROM api_keys WHERE user_id = ?').all(user) as Array<{
          doc: string;
        }>
      )
        .map((r) => JSON.parse(r.doc) as ApiKeyRecord)
        .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)),
    );
  }

  deleteApiKey(id: string): Promise<boolean> {
    return settle(() => this.remove('api_keys', id));
  }

  getProject(id: string): Promise<Project | null> {
    return settle(() => this.getById<Project>('projects', id));
  }

  putProject(project: Project): Promise<void> {
    return settle(() => this.put('projects', project));
  }

  listProjects(): Promise<Project[]> {
    return settle(() => this.all<Project>('projects'));
  }

  deleteProject(id: string): Promise<boolean> {
    return settle(() => id !== DEFAULT_PROJECT && this.remove('projects', id));
  }

  recordUsage(e: UsageEntry): Promise<void> {
    return settle(() => {
      // An upsert keyed by job: a watcher that retries after a crash books the job once.
      this.db
        .prepare(
          `INSERT INTO usage (job_id, user_id, project, at, cpu, ram, gpu, wall)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (job_id) DO UPDATE SET user_id = excluded.user_id,
             project = excluded.project, at = excluded.at, cpu = excluded.cpu,
             ram = excluded.ram, gpu = excluded.gpu, wall = excluded.wall`,
        )
        .run(
          e.jobId,
          e.user,
          e.project,
          e.at,
          e.cpuSeconds,
          e.ramGBSeconds,
          e.gpuSeconds,
          e.wallSeconds,
        );
    });
  }

  usageTotals(q: UsageQuery): Promise<UsageTotals> {
    return settle(() => {
      const { where, params } = usageWhere(q);
      const row = this.db
        .prepare(
          `SELECT total(cpu) AS cpu, total(ram) AS ram, total(gpu) AS gpu, total(wall) AS wall,
             count(*) AS jobs FROM usage WHERE ${where}`,
        )
        .get(...params) as TotalsRow;
      return row.jobs === 0 ? zeroTotals() : totalsOf(row);
    });
  }

  usageByDay(q: UsageQuery): Promise<DailyUsage[]> {
    return settle(() => {
      const { where, params } = usageWhere(q);
      // date() of epoch seconds is the UTC day, the same boundaries as utcDay() in MongoDB.
      const rows = this.db
        .prepare(
          `SELECT date(at / 1000.0, 'unixepoch') AS day, user_id, project, total(cpu) AS cpu,
             total(ram) AS ram, total(gpu) AS gpu, total(wall) AS wall, count(*) AS jobs
           FROM usage WHERE ${where}
           GROUP BY day, user_id, project ORDER BY day, user_id, project`,
        )
        .all(...params) as Array<TotalsRow & { day: string; user_id: string; project: string }>;
      return rows.map((r) => ({ day: r.day, user: r.user_id, project: r.project, ...totalsOf(r) }));
    });
  }

  usageByBucket(q: BucketQuery): Promise<BucketUsage[]> {
    return settle(() => {
      const { where, params } = usageWhere(q);
      // Integer division of the INTEGER column: buckets aligned on the epoch, like UTC days.
      const rows = this.db
        .prepare(
          `SELECT (at / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS start, project,
             total(cpu) AS cpu, total(ram) AS ram, total(gpu) AS gpu, total(wall) AS wall,
             count(*) AS jobs
           FROM usage WHERE ${where}
           GROUP BY start, project ORDER BY start, project`,
        )
        .all(q.bucketMs, q.bucketMs, ...params) as Array<
        TotalsRow & { start: number; project: string }
      >;
      return rows.map((r) => ({ start: r.start, project: r.project, ...totalsOf(r) }));
    });
  }

  close(): Promise<void> {
    return settle(() => void this.db.close());
  }

  private getById<T extends { id: string }>(table: string, id: string): T | null {
    const row = this.db.prepare(`SELECT id, doc FROM ${table} WHERE id = ?`).get(id) as
      IdDoc | undefined;
    return row === undefined ? null : fromIdDoc<T>(row);
  }

  private put<T extends { id: string }>(table: string, value: T): void {
    this.db
      .prepare(
        `INSERT INTO ${table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
      )
      .run(...toIdDoc(value));
  }

  private all<T extends { id: string }>(table: string): T[] {
    const rows = this.db.prepare(`SELECT id, doc FROM ${table} ORDER BY id`).all() as IdDoc[];
    return rows.map((r) => fromIdDoc<T>(r));
  }

  private remove(table: string, id: string): boolean {
    return this.db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(id).changes > 0;
  }
}

function usageWhere(q: UsageQuery): { where: string; params: unknown[] } {
  const terms = ['at >= ?'];
  const params: unknown[] = [q.since];
  const optional: Array<[string, unknown]> = [
    ['at < ?', q.until],
    ['user_id = ?', q.user],
    ['project = ?', q.project],
  ];
  for (const [term, value] of optional) {
    if (value === undefined) continue;
    terms.push(term);
    params.push(value);
  }
  return { where: terms.join(' AND '), params };
}

function totalsOf(r: TotalsRow): UsageTotals {
  return {
    cpuSeconds: r.cpu,
    ramGBSeconds: r.ram,
    gpuSeconds: r.gpu,
    wallSeconds: r.wall,
    jobs: r.jobs,
  };
}
