/** The Store contract on SQLite (a temp file per test), plus what only SQLite can show. */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeJob, makeJobIn } from './contract-fixtures.js';
import { runStoreContract } from './store.contract.js';
import { createSqliteStore } from './sqlite.js';
import { SCHEMA_VERSION } from './sqlite-schema.js';
import type { Store } from './store.js';

const WORKER = fileURLToPath(new URL('./test-race-worker.ts', import.meta.url));

function makeSqliteFixture(): {
  path: string;
  dir: string;
  open(): Store;
  destroy(): Promise<void>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'god-store-'));
  const path = join(dir, 'nested', 'god.db');
  const opened: Store[] = [];
  return {
    path,
    dir,
    open() {
      const s = createSqliteStore({ path });
      opened.push(s);
      return s;
    },
    async destroy() {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

runStoreContract('sqlite', () => {
  const fx = makeSqliteFixture();
  return Promise.resolve({
    store: fx.open(),
    open: () => Promise.resolve(fx.open()),
    destroy: () => fx.destroy(),
  });
});

/** Starts one race worker process per epoch, releases them together, returns each one's wins. */
async function race(
  path: string,
  ids: number[],
  repeat: number,
  epochs: number[],
): Promise<number[][]> {
  const workers = epochs.map((epoch) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        WORKER,
        path,
        ids.join(','),
        String(repeat),
        String(epoch),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    const output: string[] = [];
    const ready = new Promise<void>((resolve) =>
      lines.on('line', (line) => (line === 'ready' ? resolve() : output.push(line))),
    );
    const exited = new Promise<number[]>((resolve, reject) =>
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`race worker exited with ${String(code)}: ${stderr}`));
        else resolve((JSON.parse(output.join('')) as { won: number[] }).won);
      }),
    );
    return { child, ready, exited };
  });
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin.end('go\n');
  return Promise.all(workers.map((w) => w.exited));
}

describe('SQLite adapter', () => {
  let fx: ReturnType<typeof makeSqliteFixture>;
  let store: Store;
  beforeEach(() => {
    fx = makeSqliteFixture();
    store = fx.open();
  });
  afterEach(async () => {
    await fx.destroy();
  });

  it('lets exactly one of 1000 transitions from 4 processes win', async () => {
    const job = await makeJobIn(store, 'pending');
    const won = await race(fx.path, [job.id], 250, [1, 2, 3, 4]);
    expect(won.flat()).toEqual([job.id]);
    const winner = won.findIndex((w) => w.length === 1);
    expect(await store.getJob(job.id)).toMatchObject({
      state: 'scheduled',
      attempts: 1,
      epoch: winner + 1,
    });
  });

  it('hands each of 2000 jobs to exactly one of 4 competing processes', async () => {
    const jobs = await store.insertJobs(Array.from({ length: 2000 }, () => makeJob()));
    const won = await race(
      fx.path,
      jobs.map((j) => j.id),
      1,
      [1, 2, 3, 4],
    );
    expect(won.flat().sort((a, b) => a - b)).toEqual(jobs.map((j) => j.id));
    const owner = new Map(won.flatMap((ids, k) => ids.map((id) => [id, k + 1] as const)));
    for (const job of jobs) {
      expect(await store.getJob(job.id)).toMatchObject({ attempts: 1, epoch: owner.get(job.id) });
    }
  });

  it('moves finished jobs to jobs_done in the transition that finishes them', async () => {
    const running = await makeJobIn(store, 'running');
    const over = await makeJobIn(store, 'over');
    const db = new Database(fx.path, { readonly: true });
    try {
      const ids = (table: string) =>
        (db.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as Array<{ id: number }>).map(
          (r) => r.id,
        );
      expect(ids('jobs')).toEqual([running.id]);
      expect(ids('jobs_done')).toEqual([over.id]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('reads the RAM of jobs stored as a number of GB as bytes, and stores bytes on the next write', async () => {
    const gb = await makeJobIn(store, 'pending');
    const small = await makeJobIn(store, 'pending');
    const done = await makeJobIn(store, 'over');
    const db = new Database(fx.path);
    const setRam = (table: string, id: number, ram: number): void => {
      db.prepare(
        `UPDATE ${table} SET doc = json_set(doc, '$.requirements.ram', ?) WHERE id = ?`,
      ).run(ram, id);
    };
    try {
      setRam('jobs', gb.id, 2);
      setRam('jobs', small.id, 1e-300);
      setRam('jobs_done', done.id, 0.5);
    } finally {
      db.close();
    }
    expect((await store.getJob(gb.id))?.requirements.ram).toBe(2 * 2 ** 30);
    expect((await store.getJob(done.id))?.requirements.ram).toBe(2 ** 29);
    // Too small to be a real limit in any unit: stays too small, and the executor refuses it.
    expect((await store.getJob(small.id))?.requirements.ram).toBeLessThan(6 * 2 ** 20);
    const listed = (await store.listJobs({ state: 'pending' })).jobs.find((j) => j.id === gb.id);
    expect(listed?.requirements.ram).toBe(2 * 2 ** 30);
    await store.transition(gb.id, 'pending', 'held', {});
    const raw = new Database(fx.path, { readonly: true });
    try {
      const row = raw
        .prepare(`SELECT json_extract(doc, '$.requirements.ram') AS ram FROM jobs WHERE id = ?`)
        .get(gb.id) as { ram: number };
      expect(row.ram).toBe(2 * 2 ** 30);
    } finally {
      raw.close();
    }
  });

  it('refuses a database written by a newer god', async () => {
    await store.close();
    const db = new Database(fx.path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => createSqliteStore({ path: fx.path })).toThrow(/newer than this god/);
  });

  it('keeps its directory 0700 and the database, -wal and -shm files 0600', async () => {
    await makeJobIn(store, 'pending');
    const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
    expect(mode(join(fx.dir, 'nested'))).toBe('700');
    for (const suffix of ['', '-wal', '-shm']) expect(mode(`${fx.path}${suffix}`)).toBe('600');
  });

  it('tightens the files of a database an older god left readable', async () => {
    await makeJobIn(store, 'pending');
    await store.close();
    for (const suffix of ['', '-wal', '-shm'])
      if (existsSync(`${fx.path}${suffix}`)) chmodSync(`${fx.path}${suffix}`, 0o644);
    const again = fx.open();
    await makeJobIn(again, 'pending');
    for (const suffix of ['', '-wal', '-shm'])
      expect((statSync(`${fx.path}${suffix}`).mode & 0o777).toString(8)).toBe('600');
  });
});
