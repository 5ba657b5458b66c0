/**
 * Job-list benchmark: the web UI's listing of one user's jobs, newest first, on a SQLite store
 * holding N finished jobs (default 1,000,000). The jobs are written straight into the finished
 * table (as `insertJobs` then `transition` to `over` would leave them, minus the hours that
 * takes); then each listing shape is timed through `Store.listJobs`: the first page, and pages
 * deep into the listing reached by their cursors. Prints ms per page and replaces the `## Job
 * list` section of docs/benchmarks.md. Build first (`npx tsc -b`): it loads @god/store's dist.
 *
 *   npm run bench:list -- [--jobs N] [--pages N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { JobFilter, Store } from '@god/store';
import { createSqliteStore } from '@god/store';
import { machine, writeBenchSection } from './report.js';

const BASE = Date.UTC(2026, 0, 1);
const STEP_MS = 2_000;
const USERS = 50;
/** The user whose listing is timed owns this part of all jobs. */
const ALICE_SHARE = 0.2;

/** Writes `n` finished jobs into the finished table directly, in one transaction. */
function fill(path: string, n: number): void {
  const db = new Database(path);
  const template = {
    user: { id: 'alice', uid: 1001, gid: 1001, sgids: [], project: 'default' },
    meta: { name: '', description: '', tags: [] },
    requirements: {
      cpu: 1,
      ram: 2 ** 30,
      gpus: 0,
      array: null,
      label: [],
      tasks: [],
      ports: [],
      tmpstorage: null,
      maxlifespan: 0,
      executor: null,
      group: null,
    },
    container: { image: 'busybox', volumes: [], root: false },
    command: { cmd: 'true', interactive: false },
    env: {},
    parent: null,
    taskId: null,
    why: null,
  };
  const insert = db.prepare(
    `INSERT INTO jobs_done (id, state, user_id, project, name, parent, submitted, doc)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let id = 1; id <= n; id++) {
      const user = id % Math.round(1 / ALICE_SHARE) === 0 ? 'alice' : `user${id % USERS}`;
      // One job in 20 is an array task, submitted with its parent up to 5 days earlier.
      const lag = id % 20 === 0 ? (id % 5) * 86_400_000 : 0;
      const submitted = BASE + id * STEP_MS - lag;
      const state = id % 7 === 0 ? 'archived' : 'over';
      const name = id % 10 === 0 ? `align-${id}` : `job-${id}`;
      const doc = {
        ...template,
        user: { ...template.user, id: user },
        meta: { ...template.meta, name },
        outcome: 'success',
        status: {
          primary: state === 'over' ? 'over' : 'archived',
          secondary: '',
          reason: '',
          exitcode: 0,
          dates: {
            submitted,
            scheduled: submitted + 1000,
            started: submitted + 1500,
            ended: submitted + 60_000,
            archived: state === 'archived' ? submitted + 120_000 : null,
          },
        },
        placement: null,
        epoch: 1,
        attempts: 1,
        usage: null,
      };
      insert.run(id, state, user, 'default', name, null, submitted, JSON.stringify(doc));
    }
    db.prepare("UPDATE counters SET value = ? WHERE name = 'job_id'").run(n);
  })();
  db.close();
}

interface Timing {
  shape: string;
  first: number;
  deep: number;
  depth: number;
}

/** Times the first page and the `pages`-th page (reached by cursors) of a listing. */
async function time(
  store: Store,
  shape: string,
  filter: JobFilter,
  pages: number,
): Promise<Timing> {
  const page = { limit: 100, order: 'desc' as const };
  let t0 = performance.now();
  let p = await store.listJobs(filter, page);
  const first = performance.now() - t0;
  if (p.jobs.length === 0) throw new Error(`${shape}: the listing is empty`);
  let depth = 1;
  let deep = first;
  while (depth < pages && p.nextCursor !== null) {
    t0 = performance.now();
    p = await store.listJobs(filter, { ...page, cursor: p.nextCursor });
    deep = performance.now() - t0;
    depth++;
  }
  return { shape, first, deep, depth };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '1000000' },
      pages: { type: 'string', default: '500' },
    },
  });
  const n = Number(values.jobs);
  const pages = Number(values.pages);
  const dir = mkdtempSync(join(tmpdir(), 'god-bench-list-'));
  const path = join(dir, 'god.db');
  try {
    await createSqliteStore({ path }).close(); // the schema, with every index
    let t0 = performance.now();
    fill(path, n);
    console.log(`wrote ${n} finished jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const store = createSqliteStore({ path });
    const end = BASE + n * STEP_MS;
    const week = { submittedAfter: end - 7 * 86_400_000, submittedBefore: end };
    const old = {
      submittedAfter: BASE + n * 0.2 * STEP_MS,
      submittedBefore: BASE + n * 0.3 * STEP_MS,
    };
    const shapes: Array<[string, JobFilter]> = [
      ['all of alice’s jobs', { user: 'alice' }],
      ['state over', { user: 'alice', state: 'over' }],
      ['state archived', { user: 'alice', state: 'archived' }],
      ['last 7 days', { user: 'alice', ...week }],
      ['a 10% date range long ago', { user: 'alice', ...old }],
      ['state over + last 7 days', { user: 'alice', state: 'over', ...week }],
      ['state over + range long ago', { user: 'alice', state: 'over', ...old }],
      ['name contains "align"', { user: 'alice', nameContains: 'align' }],
      ['admin: everyone, state over', { state: 'over' }],
      ['admin: everyone, last 7 days', week],
    ];
    const rows: Timing[] = [];
    for (const [shape, filter] of shapes) {
      t0 = performance.now();
      rows.push(await time(store, shape, filter, pages));
      console.log(
        `${shape}: ${(performance.now() - t0).toFixed(0)} ms for ${rows.at(-1)?.depth} pages`,
      );
    }
    await store.close();
    report(n, pages, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(n: number, pages: number, rows: Timing[]): void {
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const table = rows.map(
    (r) => `| ${r.shape} | ${ms(r.first)} | ${ms(r.deep)} (page ${r.depth}) |`,
  );
  writeBenchSection(
    'list',
    `<!-- bench:list:begin -->
## Job list

Run ${new Date().toISOString()} on ${machine()}, by \`npm run bench:list\`.

${n.toLocaleString('en-US')} finished jobs in one SQLite store (${USERS} users; alice owns ${ALICE_SHARE * 100}%; one job in 20 an array task submitted up to 5 days before its id's neighbours; 1 in 7 archived; 1 in 10 named \`align-…\`). Each listing is alice's (as the web answers a user: \`user\` set), newest first, 100 jobs a page, through \`Store.listJobs\`; "deep" is page ${pages} reached by following the cursors (${(pages * 100).toLocaleString('en-US')} jobs in), or the last page when fewer.

| listing | first page | deep page |
|---|---|---|
${table.join('\n')}
<!-- bench:list:end -->`,
  );
}

await main();
