/**
 * The job list's SQL walks an index for every shape the web UI asks for: a user's jobs, newest
 * first, first page and deep pages, with and without a state filter and a date range (and an
 * administrator's listing by state or date). EXPLAIN QUERY PLAN of the very queries listJobs
 * runs (listQuery), on a database without statistics, as god's are. And the upgrade that adds
 * the submission-date column those indexes use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobState } from '@god/core';
import { encodeCursor, listRange } from './paging.js';
import { makeJob } from './contract-fixtures.js';
import { listQuery, type Table } from './sqlite-jobs.js';
import { SCHEMA_VERSION } from './sqlite-schema.js';
import { createSqliteStore } from './sqlite.js';
import type { JobFilter, Page } from './store.js';

let dir: string;
let db: Database.Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'god-plan-'));
  const path = join(dir, 'god.db');
  await createSqliteStore({ path }).close();
  db = new Database(path, { readonly: true });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function plan(table: Table, states: JobState[], filter: JobFilter, page: Page): string[] {
  const { sql, params } = listQuery(table, states, filter, listRange(filter, page));
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>;
  return rows.map((r) => r.detail);
}

const WEEK = { submittedAfter: 1_800_000_000_000, submittedBefore: 1_800_604_800_000 };
/**
 * Shape, filter, and the index it must use in the active and in the finished table (after the
 * table's name). The active table has no index with `state` beyond its own (transitions would
 * pay for them): there a state is filtered along a user's or a date index.
 */
const shapes: Array<[string, JobFilter, [string, string]]> = [
  ['a user’s jobs', { user: 'alice' }, ['user', 'user']],
  ['a user’s jobs in one state', { user: 'alice', state: 'over' }, ['user', 'user_state']],
  [
    'a user’s jobs in a date range',
    { user: 'alice', ...WEEK },
    ['user_submitted', 'user_submitted'],
  ],
  [
    'a user’s jobs in one state and a date range',
    { user: 'alice', state: 'over', ...WEEK },
    ['user_submitted', 'user_state_submitted'],
  ],
  [
    'a user’s jobs since a date',
    { user: 'alice', submittedAfter: 1 },
    ['user_submitted', 'user_submitted'],
  ],
  ['everyone’s jobs in one state', { state: 'over' }, ['state', 'state']],
  ['everyone’s jobs in a date range', WEEK, ['submitted', 'submitted']],
  [
    'everyone’s jobs in one state and a date range',
    { state: 'over', ...WEEK },
    ['submitted', 'state_submitted'],
  ],
  // The web UI lists top-level jobs only: `parent IS NULL` is a residual filter on the same index.
  ['a user’s top-level jobs', { user: 'alice', topLevel: true }, ['user', 'user']],
  [
    'a user’s top-level jobs in one state',
    { user: 'alice', state: 'over', topLevel: true },
    ['user', 'user_state'],
  ],
  ['everyone’s top-level jobs in one state', { state: 'over', topLevel: true }, ['state', 'state']],
  [
    'everyone’s top-level jobs in a date range',
    { topLevel: true, ...WEEK },
    ['submitted', 'submitted'],
  ],
];

describe('job list query plans', () => {
  for (const [name, filter, [activeIndex, doneIndex]] of shapes) {
    it(`${name}: an index range for the first and a deep page, never a scan or a sort`, () => {
      const byDate = filter.submittedAfter !== undefined;
      const deep = encodeCursor({
        order: 'desc',
        id: 500_000,
        ...(byDate && { submitted: WEEK.submittedAfter + 1 }),
      });
      for (const table of ['jobs', 'jobs_done'] as const) {
        const index = table === 'jobs' ? activeIndex : doneIndex;
        const states: JobState[] =
          filter.state !== undefined
            ? [filter.state as JobState]
            : table === 'jobs'
              ? ['pending', 'held', 'scheduled', 'running', 'suspended']
              : ['over', 'archived'];
        for (const page of [{ order: 'desc' as const }, { order: 'desc' as const, cursor: deep }]) {
          const lines = plan(table, states, filter, { ...page, limit: 100 });
          const label = `${table} ${JSON.stringify(page)}: ${lines.join(' | ')}`;
          expect(lines.length, label).toBeGreaterThan(0);
          for (const line of lines) {
            expect(line, label).toMatch(
              new RegExp(`^SEARCH ${table} USING INDEX ${table}_${index} `),
            );
            expect(line, label).not.toMatch(/TEMP B-TREE/);
          }
        }
      }
    });
  }
});

describe('upgrading a database written before the submission-date column', () => {
  it('fills the column from each job’s document, so date listings find old jobs', async () => {
    const path = join(dir, 'old.db');
    const store = createSqliteStore({ path });
    const [a, b] = await store.insertJobs([
      makeJob({ submitted: 1_000 }),
      makeJob({ submitted: 5_000 }),
    ]);
    await store.transition(b!.id, 'pending', 'over', { outcome: 'killed' });
    await store.close();
    // Back to the schema before: no listing indexes, no column, version one less.
    const raw = new Database(path);
    for (const table of ['jobs', 'jobs_done']) {
      for (const index of [
        'user_state',
        'submitted',
        'user_submitted',
        'state_submitted',
        'user_state_submitted',
      ])
        raw.exec(`DROP INDEX IF EXISTS ${table}_${index}`);
      raw.exec(`ALTER TABLE ${table} DROP COLUMN submitted`);
    }
    raw.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
    raw.close();
    const upgraded = createSqliteStore({ path });
    try {
      const ids = async (filter: JobFilter) =>
        (await upgraded.listJobs(filter, { order: 'desc' })).jobs.map((j) => j.id);
      expect(await ids({ submittedAfter: 0 })).toEqual([b!.id, a!.id]);
      expect(await ids({ submittedAfter: 2_000 })).toEqual([b!.id]);
      expect(await ids({ submittedBefore: 2_000 })).toEqual([a!.id]);
    } finally {
      await upgraded.close();
    }
  });
});
