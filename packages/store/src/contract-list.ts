/** Store contract, part 2: listing with filters and cursor pagination. */
import { describe, expect, it } from 'vitest';
import { JOB_STATES, ValidationError, type Job, type JobState } from '@god/core';
import { listAll, makeJob, makeJobIn, type FixtureRef } from './contract-fixtures.js';
import type { JobFilter, Store } from './store.js';

const BOB = { id: 'bob', uid: 2002, gid: 2002, sgids: [], project: 'default' };

/** 35 jobs spread over users, projects, names, tags, parents and all seven states. */
async function seed(store: Store): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let i = 0; i < 35; i++) {
    const user = i % 3 === 0 ? BOB : makeJob().user;
    jobs.push(
      await makeJobIn(store, JOB_STATES[i % JOB_STATES.length]!, {
        user: { ...user, project: i % 4 === 0 ? 'genomics' : 'default' },
        meta: {
          name: i % 2 === 0 ? 'even' : 'odd',
          description: '',
          tags: i % 5 === 0 ? ['x', 'y'] : i % 5 === 1 ? ['y'] : [],
        },
        parent: i % 6 === 0 ? 7 : null,
      }),
    );
  }
  return jobs;
}

function matches(job: Job, filter: JobFilter): boolean {
  const states: readonly JobState[] | undefined =
    typeof filter.state === 'string' ? [filter.state] : filter.state;
  return (
    (states === undefined || states.includes(job.state)) &&
    (filter.user === undefined || job.user.id === filter.user) &&
    (filter.project === undefined || job.user.project === filter.project) &&
    (filter.name === undefined || job.meta.name === filter.name) &&
    (filter.tag === undefined || job.meta.tags.includes(filter.tag)) &&
    (filter.parent === undefined || job.parent === filter.parent) &&
    (filter.afterId === undefined || job.id > filter.afterId)
  );
}

async function expectInvalid(p: Promise<unknown>, path: string): Promise<void> {
  const err: unknown = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).issues.map((i) => i.path)).toContain(path);
}

/** listJobs. */
export function describeList(f: FixtureRef): void {
  describe('listJobs', () => {
    it('applies every filter, alone and together, across both tables and pages', async () => {
      const jobs = await seed(f.store);
      const filters: JobFilter[] = [
        {},
        ...JOB_STATES.map((state) => ({ state })),
        { state: ['running', 'over'] },
        { state: ['over', 'archived'] },
        { state: ['pending', 'held', 'scheduled', 'running', 'suspended'] },
        { state: [] },
        { user: 'bob' },
        { project: 'genomics' },
        { tag: 'y' },
        { tag: 'x', state: ['archived', 'pending', 'over'] },
        { name: 'odd' },
        { parent: 7 },
        { user: 'alice', state: ['pending', 'over', 'archived'], tag: 'y' },
        { project: 'default', name: 'even', afterId: jobs[12]!.id },
        { user: 'nobody' },
      ];
      for (const filter of filters) {
        const expected = jobs.filter((j) => matches(j, filter));
        // Pages of 4 force page boundaries inside and across both tables.
        expect(await listAll(f.store, filter, 4), JSON.stringify(filter)).toEqual(expected);
      }
    });

    it('pages without repeats or gaps, and ends with a null cursor on a full last page', async () => {
      const inserted = await f.store.insertJobs(Array.from({ length: 8 }, () => makeJob()));
      const p1 = await f.store.listJobs({}, { limit: 4 });
      expect(p1.jobs.map((j) => j.id)).toEqual(inserted.slice(0, 4).map((j) => j.id));
      expect(p1.nextCursor).not.toBeNull();
      const p2 = await f.store.listJobs({}, { limit: 4, cursor: p1.nextCursor });
      expect(p2.jobs.map((j) => j.id)).toEqual(inserted.slice(4).map((j) => j.id));
      expect(p2.nextCursor).toBeNull();
    });

    it('keeps pages consistent while jobs are inserted and finished between them', async () => {
      const first = await f.store.insertJobs(Array.from({ length: 6 }, () => makeJob()));
      const p1 = await f.store.listJobs({}, { limit: 3 });
      // The last job of page 1 moves to the finished table, a new job arrives.
      await f.store.transition(first[2]!.id, 'pending', 'over', { outcome: 'killed' });
      const [late] = await f.store.insertJobs([makeJob()]);
      const rest = await f.store.listJobs({}, { limit: 100, cursor: p1.nextCursor });
      const ids = [...p1.jobs, ...rest.jobs].map((j) => j.id);
      expect(ids).toEqual([...first.map((j) => j.id), late!.id]);
    });

    it('pages 100 jobs by default', async () => {
      await f.store.insertJobs(Array.from({ length: 150 }, () => makeJob()));
      const page = await f.store.listJobs();
      expect(page.jobs).toHaveLength(100);
      expect((await f.store.listJobs({}, { cursor: page.nextCursor })).jobs).toHaveLength(50);
    });

    it('lists finished jobs by end date with endedBefore, across pages and both tables', async () => {
      const ended: Job[] = [];
      for (const at of [1_000, 2_000, 3_000, 4_000, 5_000]) {
        const [j] = await f.store.insertJobs([makeJob()]);
        const r = await f.store.transition(j!.id, 'pending', 'over', { outcome: 'killed', at });
        if (!r.ok) throw new Error('could not end the job');
        ended.push(r.job);
      }
      // An archived job keeps its end date; active jobs have none and never match.
      await f.store.transition(ended[0]!.id, 'over', 'archived', { at: 9_000 });
      await makeJobIn(f.store, 'running');
      await makeJobIn(f.store, 'pending');
      const ids = async (filter: JobFilter) => (await listAll(f.store, filter, 2)).map((j) => j.id);
      expect(await ids({ endedBefore: 3_500 })).toEqual(ended.slice(0, 3).map((j) => j.id));
      expect(await ids({ endedBefore: 3_500, state: 'over' })).toEqual(
        ended.slice(1, 3).map((j) => j.id),
      );
      expect(await ids({ endedBefore: 1_000 })).toEqual([]);
      expect(await ids({ endedBefore: 10_000, state: ['pending', 'running'] })).toEqual([]);
    });

    it('refuses a bad cursor, limit or state, naming the field', async () => {
      await f.store.insertJobs([makeJob()]);
      await expectInvalid(f.store.listJobs({}, { cursor: 'not a cursor!' }), 'cursor');
      const forged = Buffer.from('12abc').toString('base64url');
      await expectInvalid(f.store.listJobs({}, { cursor: forged }), 'cursor');
      for (const limit of [0, -1, 2.5, 10_001, Number.NaN]) {
        await expectInvalid(f.store.listJobs({}, { limit }), 'limit');
      }
      await expectInvalid(f.store.listJobs({ state: 'done' as JobState }), 'state');
      expect((await f.store.listJobs({}, { limit: 10_000 })).jobs).toHaveLength(1);
    });
  });
}
