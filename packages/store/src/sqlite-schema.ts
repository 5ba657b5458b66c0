/**
 * Opening a god SQLite database: connection settings and schema migrations, versioned with
 * `PRAGMA user_version` so several god processes opening one file agree on the schema.
 */
import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GodError } from '@god/core';

/** Columns shared by the active (`jobs`) and finished (`jobs_done`) tables. */
function jobTable(table: string): string {
  // `id` is the rowid, so every index below is also ordered by id within equal keys: listing
  // by state/user/... in id order walks one index range without sorting.
  return `
    CREATE TABLE ${table} (
      id INTEGER PRIMARY KEY,
      state TEXT NOT NULL,
      user_id TEXT NOT NULL,
      project TEXT NOT NULL,
      name TEXT NOT NULL,
      parent INTEGER,
      doc TEXT NOT NULL
    );
    CREATE INDEX ${table}_state ON ${table}(state);
    CREATE INDEX ${table}_user ON ${table}(user_id);
    CREATE INDEX ${table}_project ON ${table}(project);
    CREATE INDEX ${table}_name ON ${table}(name);
    CREATE INDEX ${table}_parent ON ${table}(parent) WHERE parent IS NOT NULL;`;
}

/** The column holding a job's submission date (written at insert, never updated). */
export const SUBMITTED_SQL = 'submitted';

/**
 * The submission date as a column of its own, and the listing indexes. A column, not an index on
 * json_extract(doc, ...): every transition rewrites `doc`, and SQLite would then rewrite every
 * index on an expression of it; an index on columns a write does not set is left alone. Indexes
 * with `state` are kept off the active table: every transition there changes `state`, and the
 * scheduler's passes would pay for them (the active set is small; history is what grows).
 */
function listIndexes(table: string): string {
  const history = table === 'jobs_done';
  return `
    ALTER TABLE ${table} ADD COLUMN submitted INTEGER;
    UPDATE ${table} SET submitted = json_extract(doc, '$.status.dates.submitted');
    CREATE INDEX ${table}_submitted ON ${table}(submitted);
    CREATE INDEX ${table}_user_submitted ON ${table}(user_id, submitted);
    ${
      history
        ? `CREATE INDEX ${table}_user_state ON ${table}(user_id, state);
    CREATE INDEX ${table}_state_submitted ON ${table}(state, submitted);
    CREATE INDEX ${table}_user_state_submitted ON ${table}(user_id, state, submitted);`
        : ''
    }`;
}

/** Migration n takes the schema from version n to n + 1. Never edit one that shipped. */
const MIGRATIONS: readonly string[] = [
  `
    -- Ids come from this counter, not from the tables' rowids: a job keeps its id when it moves
    -- to jobs_done, and an id is never handed out twice even after its row left jobs.
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO counters (name, value) VALUES ('job_id', 0);
    ${jobTable('jobs')}
    ${jobTable('jobs_done')}
    -- One side table serves both job tables (updateJob rewrites a job's tags).
    CREATE TABLE job_tags (
      tag TEXT NOT NULL,
      job_id INTEGER NOT NULL,
      PRIMARY KEY (tag, job_id)
    ) WITHOUT ROWID;
    CREATE TABLE users (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE projects (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE usage (
      job_id INTEGER PRIMARY KEY,
      user_id TEXT NOT NULL,
      project TEXT NOT NULL,
      at INTEGER NOT NULL,
      cpu REAL NOT NULL,
      ram REAL NOT NULL,
      gpu REAL NOT NULL,
      wall REAL NOT NULL
    );
    CREATE INDEX usage_at ON usage(at);
    CREATE INDEX usage_user ON usage(user_id, at);
    CREATE INDEX usage_project ON usage(project, at);
  `,
  `
    -- The archiver lists finished jobs by end date; only finished jobs have one.
    CREATE INDEX jobs_done_ended ON jobs_done(json_extract(doc, '$.status.dates.ended'));
  `,
  `
    -- API keys by their public id; a user's keys are listed by user.
    CREATE TABLE api_keys (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX api_keys_user ON api_keys(user_id);
  `,
  `
    -- The web UI lists a user's jobs newest first by state, and by submission date (then id):
    -- each index ends with the rowid (the id), so every page is one index range, no sort.
    ${listIndexes('jobs')}
    ${listIndexes('jobs_done')}
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Options of a SQLite connection. */
export interface SqliteOpenOptions {
  path: string;
  /** How long a write waits for another process's write lock before failing (ms). */
  busyTimeoutMs: number;
}

/** Opens (creating if needed) and migrates the database at `path`. */
export function openDatabase(opts: SqliteOpenOptions): Database.Database {
  if (opts.path !== ':memory:') makePrivate(opts.path);
  const db = new Database(opts.path, { timeout: opts.busyTimeoutMs });
  try {
    // busy_timeout first: switching to WAL needs a lock another opener may hold right now.
    db.pragma(`busy_timeout = ${Math.floor(opts.busyTimeoutMs)}`);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL never corrupts; a power cut may lose the last commits, not more.
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The database holds password hashes and every job: only god's account may read it. Its
 * directory is made 0700, and the file is made (or tightened to) 0600 before SQLite opens it,
 * since SQLite would create it 0644 and gives its -wal, -shm and -journal files the database
 * file's mode. Existing directories keep their mode: they may be shared ones such as /var/lib.
 */
function makePrivate(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const uid = process.getuid?.();
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    let fd: number;
    try {
      fd = openSync(
        file,
        file === path ? constants.O_RDWR | constants.O_CREAT : constants.O_RDWR,
        0o600,
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    try {
      const st = fstatSync(fd);
      if ((st.mode & 0o077) !== 0 && (uid === undefined || st.uid === uid))
        fchmodSync(fd, st.mode & 0o700);
    } finally {
      closeSync(fd);
    }
  }
}

function migrate(db: Database.Database): void {
  // IMMEDIATE: two processes opening a fresh file must not both run migration 0.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new GodError(
        'INTERNAL',
        `the database schema is version ${version}, newer than this god's (${SCHEMA_VERSION}): upgrade god`,
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] ?? '');
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
