/**
 * Web UI benchmark: how long until a person sees their jobs. One `god web` process (a child
 * process, serving the built UI from packages/ui/dist and the API) on loopback over a SQLite
 * store holding N finished jobs of one user (default 10,000, written straight into the finished
 * table as bench:list does) and a real redis-server. Debian's chromium (playwright-core), logged
 * in with the user's API key, opens /jobs: the time from navigation start until the first row of
 * the list is painted, median of R runs with a cold cache (a new browser context each run) and
 * with a warm one (the same context, assets cached). Baseline in the same run: the API call the
 * page makes for it (GET /api/v1/jobs?order=desc&limit=50) from Node. Also the bundle sizes of
 * the build (scripts/ui-budget.ts). Prints the figures and replaces the `## Web UI` section of
 * docs/benchmarks.md. Build first (`npm run build`).
 *
 *   npm run bench:ui -- [--jobs 10000] [--runs 5]
 */
import { fork } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { createSqliteStore } from '@god/store';
import { makeApiKey } from '@god/web';
import { kb, measureBundle, UI_DIST, type BundleSizes } from '../ui-budget.js';
import { tempDir } from '../services/common.js';
import { startRedis } from '../services/redis.js';
import { machine, writeBenchSection } from './report.js';

const CHROMIUM = process.env['GOD_CHROMIUM'] ?? '/usr/bin/chromium';
const USER = { id: 'alice', uid: 4242, gid: 4242 };
/** The page's own request for the list (jobs-page.tsx: newest first, 50 a page). */
const API_PATH = '/api/v1/jobs?order=desc&limit=50';

/**
 * Run in the page before its scripts: resolves `window.__firstRow` with the time (ms since
 * navigation start) the first job row was inserted, and the next animation frame after it
 * (the row painted).
 */
const FIRST_ROW = `window.__firstRow = new Promise((resolve) => {
  const check = () => {
    if (document.querySelector('tr[data-job-id]') === null) return;
    obs.disconnect();
    const inserted = performance.now();
    requestAnimationFrame(() => resolve({ inserted, painted: performance.now() }));
  };
  const obs = new MutationObserver(check);
  obs.observe(document, { childList: true, subtree: true });
});`;

/** Writes `n` finished jobs of USER into the finished table, in one transaction. */
function fill(path: string, n: number): void {
  const db = new Database(path);
  const base = Date.now() - n * 60_000;
  const insert = db.prepare(
    `INSERT INTO jobs_done (id, state, user_id, project, name, parent, submitted, doc)
     VALUES (?, 'over', ?, 'default', ?, NULL, ?, ?)`,
  );
  db.transaction(() => {
    for (let id = 1; id <= n; id++) {
      const submitted = base + id * 60_000;
      const name = `job-${id}`;
      const doc = {
        user: { ...USER, sgids: [], project: 'default' },
        meta: { name, description: '', tags: [] },
        requirements: {
          ...{ cpu: 1, ram: 2 ** 30, gpus: 0, array: null, label: [], tasks: [], ports: [] },
          ...{ tmpstorage: null, maxlifespan: 0, executor: null, group: null },
        },
        container: { image: 'busybox', volumes: [], root: false },
        command: { cmd: 'true', interactive: false },
        env: {},
        parent: null,
        taskId: null,
        why: null,
        outcome: 'success',
        status: {
          ...{ primary: 'over', secondary: '', reason: '', exitcode: 0 },
          dates: {
            ...{ submitted, scheduled: submitted + 1000, started: submitted + 1500 },
            ...{ ended: submitted + 30_000, archived: null },
          },
        },
        placement: null,
        epoch: 1,
        attempts: 1,
        usage: null,
      };
      insert.run(id, USER.id, name, submitted, JSON.stringify(doc));
    }
    db.prepare("UPDATE counters SET value = ? WHERE name = 'job_id'").run(n);
  })();
  db.close();
}

/**
 * One page load, in ms since navigation start: scripts run (DOMContentLoaded), the list request
 * sent and answered, the first row painted; and how many rows the list showed.
 */
interface Load {
  domReadyMs: number;
  apiSentMs: number;
  apiDoneMs: number;
  firstRowMs: number;
  rows: number;
}

/** Reads the navigation and list-request timings of the page (ms since navigation start). */
const TIMINGS = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const api = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/jobs?'));
  return { domReadyMs: nav.domContentLoadedEventEnd, apiSentMs: api.startTime, apiDoneMs: api.responseEnd };
})()`;

/** Opens /jobs in `context` and waits for the first row. */
async function load(context: BrowserContext, url: string): Promise<Load> {
  const page = await context.newPage();
  try {
    await page.goto(`${url}/jobs`);
    const mark = await page.evaluate<{ painted: number }>('window.__firstRow');
    const t = await page.evaluate<Omit<Load, 'firstRowMs' | 'rows'>>(TIMINGS);
    const rows = await page.locator('tr[data-job-id]').count();
    return { ...t, firstRowMs: mark.painted, rows };
  } finally {
    await page.close();
  }
}

/** A browser context logged in as the benchmark user, with the first-row probe installed. */
async function loggedIn(browser: Browser, url: string, apiKey: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: FIRST_ROW });
  const res = await context.request.post(`${url}/api/v1/auth/session`, { data: { apiKey } });
  if (res.status() !== 200) throw new Error(`session: ${res.status()} ${await res.text()}`);
  return context;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Times the API call of the first page from Node: `runs` after 3 to warm up. */
async function apiBaseline(url: string, apiKey: string, runs: number): Promise<number[]> {
  const get = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(`${url}${API_PATH}`, {
      headers: { Authorization: `Bearer ${apiKey}` },
    });
    const body = (await res.json()) as { jobs: unknown[] };
    if (res.status !== 200 || body.jobs.length !== 50) throw new Error(`API: ${res.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) await get();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await get());
  return ms;
}

interface Result {
  jobs: number;
  runs: number;
  cold: Load[];
  warm: Load[];
  api: number[];
  bundle: BundleSizes;
}

async function measure(url: string, apiKey: string, jobs: number, runs: number): Promise<Result> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    // Warm up the server (JIT, statements, the session path) before anything is timed.
    await load(await loggedIn(browser, url, apiKey), url);
    const cold: Load[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await loggedIn(browser, url, apiKey);
      cold.push(await load(context, url));
      await context.close();
    }
    const context = await loggedIn(browser, url, apiKey);
    await load(context, url); // fills the cache
    const warm: Load[] = [];
    for (let i = 0; i < runs; i++) warm.push(await load(context, url));
    await context.close();
    const api = await apiBaseline(url, apiKey, Math.max(20, runs));
    for (const l of [...cold, ...warm])
      if (l.rows !== 50) throw new Error(`the list showed ${l.rows} rows, not 50`);
    return { jobs, runs, cold, warm, api, bundle: measureBundle() };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { jobs: { type: 'string', default: '10000' }, runs: { type: 'string', default: '5' } },
  });
  const jobs = Number(values.jobs);
  const runs = Number(values.runs);
  const dir = await tempDir('bench-ui');
  const redis = await startRedis();
  const redisUrl = new URL(redis.url);
  const dbPath = join(dir, 'web.db');
  const sets = [
    `redis.host=${redisUrl.hostname}`,
    `redis.port=${redisUrl.port}`,
    'redis.prefix=bench-ui',
    `store.sqlite.path=${dbPath}`,
    `shared_dir=${join(dir, 'tasks')}`,
    `auth.token_secret_file=${join(dir, 'token-secret')}`,
    'web.host=127.0.0.1',
    'web.port=0',
    `web.ui_dir=${UI_DIST}`,
  ];
  let server: ReturnType<typeof fork> | null = null;
  try {
    const store = createSqliteStore({ path: dbPath });
    await store.putUser({
      ...USER,
      ...{ sgids: [], home: '', email: '', admin: false, priority: 50, quota: null },
      ...{ passwordHash: null, createdAt: Date.now() },
    });
    const made = makeApiKey(USER.id, 'bench', Date.now());
    await store.putApiKey(made.record);
    await store.close();
    fill(dbPath, jobs);
    const child = fork(join(import.meta.dirname, 'api-server.ts'), [JSON.stringify(sets)], {
      execArgv: ['--conditions=source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    server = child;
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { url: string }).url));
      child.once('exit', (code) => reject(new Error(`the web process exited (${code})`)));
    });
    report(await measure(url, made.key, jobs, runs));
  } finally {
    server?.kill('SIGTERM');
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const ms = (v: number): string => `${v.toFixed(1)} ms`;

/** A table row of medians of `loads`. */
function row(name: string, loads: Load[]): string {
  const m = (f: (l: Load) => number): string => ms(median(loads.map(f)));
  return `| ${name} | ${m((l) => l.domReadyMs)} | ${m((l) => l.apiSentMs)} | ${m((l) => l.apiDoneMs)} | **${m((l) => l.firstRowMs)}** |`;
}

function report(r: Result): void {
  const spread = (xs: number[]): string =>
    `${ms(median(xs))} (min ${ms(Math.min(...xs))}, max ${ms(Math.max(...xs))})`;
  const cold = r.cold.map((l) => l.firstRowMs);
  const warm = r.warm.map((l) => l.firstRowMs);
  const api = median(r.api);
  const b = r.bundle;
  const text = [
    '<!-- bench:ui:begin -->',
    '## Web UI',
    '',
    `Run ${new Date().toISOString()} on ${machine()}, by \`npm run bench:ui\`.`,
    '',
    `${r.jobs.toLocaleString('en-US')} finished jobs of one user in the SQLite store; one \`god web\` process on loopback serving the built UI and the API; ` +
      'Debian’s chromium (headless, playwright-core) logged in by a browser session opens `/jobs`. **First row**: from navigation start until the ' +
      'first row of the list is painted (the frame after it is inserted); median of ' +
      `${r.runs} runs. **cold**: a new browser context each run (nothing cached); **warm**: the same context (assets cached, \`immutable\`). ` +
      `**API**: \`GET ${API_PATH}\` (the page's own request) from Node with an API key, median of ${r.api.length}.`,
    '',
    'Medians, in ms since navigation start: scripts run (DOMContentLoaded), the list request sent and answered, the first row painted.',
    '',
    '| cache | scripts run | list request sent | list answered | **first row** |',
    '|---|---|---|---|---|',
    row('cold', r.cold),
    row('warm', r.warm),
    '',
    `API alone (Node): ${spread(r.api)}. First row, cold: ${spread(cold)}; warm: ${spread(warm)}.`,
    '',
    `UI / API: ${(median(cold) / api).toFixed(0)}× cold, ${(median(warm) / api).toFixed(0)}× warm. ` +
      `Bundle: initial JS **${kb(b.initialJsGzip)} gzip** (budget 250 kB), all JS ${kb(b.allJsGzip)} gzip (${kb(b.allJsBytes)} raw), ` +
      `all assets ${kb(b.allGzip)} gzip; the script editor and the usage chart load only on the pages that use them.`,
    '<!-- bench:ui:end -->',
  ].join('\n');
  writeBenchSection('ui', text);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
