/**
 * Store contract, part 7: what the web UI's job list needs (newest first, submission dates, a
 * name search), paging in both orders (by id; by submission date then id when a date filter is
 * set); counting an array's tasks and who has work queued.
 */
import { describe, expect, it } from 'vitest';
import { JOB_STATES, ValidationError, type Job, type JobState } from '@god/core';
import { makeJob, makeJobIn, type FixtureRef } from './contract-fixtures.js';
import type { JobFilter, Page, Store } from './store.js';

const BASE = 1_800_000_000_000;
/** Names with LIKE wildcards and regex metacharacters: a search must take them literally. */
const NAMES = ['Align_%.x', 'alignax', 'ALIGNER', 'align 50%', 'other', 'a(b)*c'];

/** 28 jobs over states, users, names, tags and submission dates out of id order. */
async function seed(store: Store): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let i = 0; i < 28; i++) {
    const user = i % 3 === 0 ? { id: 'bob', uid: 2002, gid: 2002, sgids: [], project: 'p1' } : null;
    jobs.push(
      await makeJobIn(store, JOB_STATES[i % JOB_STATES.length]!, {
        ...(user !== null && { user }),
        // Dates out of id order (array tasks carry their parent's), two jobs per date.
        submitted: BASE + ((i * 11) % 14) * 1000,
        meta: { name: NAMES[i % NAMES.length]!, description: '', tags: i % 4 === 0 ? ['t'] : [] },
        parent: i % 5 === 0 ? 3 : null,
      }),
    );
  }
  return jobs;
}

function matches(job: Job, f: JobFilter): boolean {
  const states: readonly JobState[] | undefined = typeof f.state === 'string' ? [f.state] : f.state;
  const submitted = job.status.dates.submitted;
  return (
    (states === undefined || states.includes(job.state)) &&
    (f.user === undefined || job.user.id === f.user) &&
    (f.tag === undefined || job.meta.tags.includes(f.tag)) &&
    (f.parent === undefined || job.parent === f.parent) &&
    (f.topLevel !== true || job.parent === null) &&
    (f.afterId === undefined || job.id > f.afterId) &&
    (f.submittedAfter === undefined || submitted >= f.submittedAfter) &&
    (f.submittedBefore === undefined || submitted < f.submittedBefore) &&
    (f.nameContains === undefined ||
      job.meta.name.toLowerCase().includes(f.nameContains.toLowerCase()))
  );
}

async function listAll(store: Store, filter: JobFilter, page: Page): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  do {
    const p = await store.listJobs(filter, { ...page, cursor });
    ids.push(...p.jobs.map((j) => j.id));
    cursor = p.nextCursor;
  } while (cursor !== null);
  return ids;
}

async function invalidPath(p: Promise<unknown>): Promise<string[]> {
  const err: unknown = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  return (err as ValidationError).issues.map((i) => i.path);
}

/** listJobs newest first, by date and name; countTasks; countActiveByParty. */
export function describeBrowse(f: FixtureRef): void {
  describe('listJobs for browsing', () => {
    it('filters by date and name and pages in both orders, alone and with other filters', async () => {
      const jobs = await seed(f.store);
      const filters: JobFilter[] = [
        {},
        { submittedAfter: BASE + 10_000 },
        { submittedBefore: BASE + 10_000 },
        { submittedAfter: BASE + 5_000, submittedBefore: BASE + 20_000 },
        { nameContains: 'align' },
        { nameContains: '_' },
        { nameContains: '%' },
        { nameContains: '.x' },
        { nameContains: '(b)*' },
        { nameContains: 'nothing like it' },
        { nameContains: 'ALIGN', state: ['over', 'archived'] },
        { user: 'bob', submittedAfter: BASE + 3_000, state: 'pending' },
        { user: 'bob', state: ['pending', 'over'], nameContains: 'a' },
        { tag: 't', submittedBefore: BASE + 25_000 },
        { parent: 3, nameContains: 'al', afterId: jobs[4]!.id },
        { topLevel: true },
        { topLevel: true, state: ['running', 'over'] },
        { topLevel: true, user: 'bob', submittedAfter: BASE + 3_000 },
        { topLevel: true, nameContains: 'align', submittedBefore: BASE + 10_000 },
        { topLevel: true, parent: 3 },
        { topLevel: false, parent: 3 },
      ];
      for (const filter of filters) {
        // Filtered by date: ordered by submission date, then id; else by id.
        const byDate = filter.submittedAfter !== undefined || filter.submittedBefore !== undefined;
        const key = (j: Job) => (byDate ? j.status.dates.submitted * 1e6 + j.id : j.id);
        const expected = jobs
          .filter((j) => matches(j, filter))
          .sort((a, b) => key(a) - key(b))
          .map((j) => j.id);
        const label = JSON.stringify(filter);
        expect(await listAll(f.store, filter, { limit: 3 }), label).toEqual(expected);
        expect(await listAll(f.store, filter, { limit: 3, order: 'desc' }), label).toEqual(
          [...expected].reverse(),
        );
      }
    });

    it('keeps newest-first pages consistent while jobs arrive and finish', async () => {
      const first = await f.store.insertJobs(Array.from({ length: 6 }, () => makeJob()));
      const p1 = await f.store.listJobs({}, { limit: 3, order: 'desc' });
      expect(p1.jobs.map((j) => j.id)).toEqual(
        first
          .slice(3)
          .reverse()
          .map((j) => j.id),
      );
      // A newer job does not shift the pages; a job of page 2 moving tables is still listed.
      await f.store.insertJobs([makeJob()]);
      await f.store.transition(first[1]!.id, 'pending', 'over', { outcome: 'killed' });
      const p2 = await f.store.listJobs({}, { limit: 3, order: 'desc', cursor: p1.nextCursor });
      expect(p2.jobs.map((j) => j.id)).toEqual(
        first
          .slice(0, 3)
          .reverse()
          .map((j) => j.id),
      );
      expect(p2.nextCursor).toBeNull();
    });

    it('refuses a cursor of the other order, a bad order, date or name query, naming the field', async () => {
      await f.store.insertJobs([makeJob(), makeJob()]);
      const asc = (await f.store.listJobs({}, { limit: 1 })).nextCursor;
      const desc = (await f.store.listJobs({}, { limit: 1, order: 'desc' })).nextCursor;
      expect(await invalidPath(f.store.listJobs({}, { cursor: asc, order: 'desc' }))).toEqual([
        'cursor',
      ]);
      expect(await invalidPath(f.store.listJobs({}, { cursor: desc }))).toEqual(['cursor']);
      const dated = { submittedAfter: 0 };
      const byDate = (await f.store.listJobs(dated, { limit: 1 })).nextCursor;
      expect(byDate).not.toBeNull();
      expect(await invalidPath(f.store.listJobs({}, { cursor: byDate }))).toEqual(['cursor']);
      expect(await invalidPath(f.store.listJobs(dated, { cursor: asc }))).toEqual(['cursor']);
      const order = 'sideways' as Page['order'];
      expect(await invalidPath(f.store.listJobs({}, { order }))).toEqual(['order']);
      expect(await invalidPath(f.store.listJobs({ submittedAfter: Number.NaN }))).toEqual([
        'submittedAfter',
      ]);
      expect(await invalidPath(f.store.listJobs({ submittedBefore: 1.5 }))).toEqual([
        'submittedBefore',
      ]);
      expect(await invalidPath(f.store.listJobs({ nameContains: 'x'.repeat(201) }))).toEqual([
        'nameContains',
      ]);
      expect((await f.store.listJobs({ nameContains: 'x'.repeat(200) })).jobs).toEqual([]);
    });
  });

  describe('countTasks and countActiveByParty', () => {
    it('counts an array’s tasks by state and outcome, across both tables, and only its own', async () => {
      const states: JobState[] = ['pending', 'pending', 'running', 'over', 'archived', 'held'];
      for (const state of states) await makeJobIn(f.store, state, { parent: 50, taskId: 1 });
      const done = await makeJobIn(f.store, 'running', { parent: 50, taskId: 2 });
      await f.store.transition(done.id, 'running', 'over', { outcome: 'success', exitcode: 0 });
      await makeJobIn(f.store, 'running', { parent: 51, taskId: 1 });
      const counts = await f.store.countTasks(50);
      const key = (c: { state: string; outcome: string | null }) => `${c.state}/${c.outcome}`;
      const byKey = Object.fromEntries(counts.map((c) => [key(c), c.count]));
      expect(byKey).toEqual({
        'pending/null': 2,
        'held/null': 1,
        'running/null': 1,
        'over/killed': 1,
        'over/success': 1,
        'archived/killed': 1,
      });
      expect(await f.store.countTasks(999)).toEqual([]);
    });

    it('counts active jobs by user, project and state, leaving finished ones out', async () => {
      const bob = { id: 'bob', uid: 2002, gid: 2002, sgids: [], project: 'p1' };
      await makeJobIn(f.store, 'pending', { user: bob });
      await makeJobIn(f.store, 'pending', { user: bob });
      await makeJobIn(f.store, 'running', { user: { ...bob, project: 'p2' } });
      await makeJobIn(f.store, 'over', { user: bob });
      const rows = await f.store.countActiveByParty();
      const sorted = [...rows].sort((a, b) => a.project.localeCompare(b.project));
      expect(sorted).toEqual([
        { user: 'bob', project: 'p1', state: 'pending', count: 2 },
        { user: 'bob', project: 'p2', state: 'running', count: 1 },
      ]);
    });
  });
}
