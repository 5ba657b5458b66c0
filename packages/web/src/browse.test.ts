/**
 * What the web UI's job pages read, over HTTP on a real web process: the job list newest first
 * by submission date and name, and an array job's task summary; as two users and an admin.
 */
import type { Job, JobState } from '@god/core';
import type { GodClient, JobQuery } from '@god/client';
import { makeNewJob } from '@god/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobPageView, TaskSummaryView } from './api/schemas.js';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
const BASE = 1_800_000_000_000;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
  bob = await h.user('bob');
  admin = await h.user('boss', { admin: true });
});
afterAll(async () => {
  await h?.stop();
});

/** Stores a job of `owner` submitted at BASE + `second` s. */
async function stored(owner: TestUser, name: string, second: number, more = {}): Promise<Job> {
  const user = { id: owner.id, uid: owner.uid, gid: owner.uid, sgids: [], project: 'default' };
  const [job] = await h.store.insertJobs([
    makeNewJob({ user, meta: { name }, submitted: BASE + second * 1000, ...more }),
  ]);
  return job!;
}

/** Every id a listing gives, page by page. */
async function ids(client: GodClient, q: JobQuery): Promise<number[]> {
  const out: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listJobs({ ...q, ...(cursor !== undefined && { cursor }) });
    expect(JobPageView.parse(page)).toEqual(page);
    out.push(...page.jobs.map((j) => j.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

describe('GET /jobs for the UI', () => {
  let mine: Job[];
  let bobs: Job[];
  beforeAll(async () => {
    const names = ['align-1', 'Align_2', 'other', 'align 50%', 'ALIGNER', 'x.y'];
    // Submission dates out of id order, as array tasks carry their parent's date.
    mine = [];
    for (const [i, name] of names.entries()) mine.push(await stored(alice, name, (i * 5) % 6));
    bobs = [await stored(bob, 'align-bob', 2), await stored(bob, 'secret', 3)];
  });
  const idsOf = (jobs: Job[]) => jobs.map((j) => j.id);

  it('lists the caller’s jobs newest first, page by page, and oldest first by default', async () => {
    expect(await ids(alice.client, { order: 'desc', limit: 2 })).toEqual(idsOf(mine).reverse());
    expect(await ids(alice.client, { limit: 4 })).toEqual(idsOf(mine));
    expect(await ids(bob.client, { order: 'desc', limit: 1 })).toEqual(idsOf(bobs).reverse());
  });

  it('searches names literally, ignoring case, and never shows another user’s job', async () => {
    const q = async (c: GodClient, text: string) => ids(c, { q: text, order: 'desc', limit: 2 });
    const named = (re: RegExp) => idsOf(mine.filter((j) => re.test(j.meta.name))).reverse();
    expect(await q(alice.client, 'ALIGN')).toEqual(named(/align/i));
    expect(await q(alice.client, '_')).toEqual(named(/_/));
    expect(await q(alice.client, '%')).toEqual(named(/%/));
    expect(await q(alice.client, '.')).toEqual(named(/\./));
    expect(await q(alice.client, 'secret')).toEqual([]);
    expect(await q(bob.client, 'align')).toEqual([bobs[0]!.id]);
    const all = await q(admin.client, 'align');
    expect(all).toEqual([bobs[0]!.id, ...named(/align/i)].sort((a, b) => b - a));
  });

  it('filters by submission date (at or after, before), ordered by it, with states and paging', async () => {
    const at = (j: Job) => j.status.dates.submitted;
    const after = BASE + 2_000;
    const before = BASE + 5_000;
    // Filtered by date: ordered by submission date, then id.
    const inRange = mine
      .filter((j) => at(j) >= after && at(j) < before)
      .sort((a, b) => at(a) - at(b) || a.id - b.id);
    expect(inRange.length).toBeGreaterThan(1);
    const q = { submittedAfter: after, submittedBefore: before, limit: 1 };
    expect(await ids(alice.client, { ...q, order: 'desc' })).toEqual(idsOf(inRange).reverse());
    expect(await ids(alice.client, q)).toEqual(idsOf(inRange));
    const state: JobState[] = ['pending'];
    expect(await ids(alice.client, { ...q, state, q: 'align' })).toEqual(
      idsOf(inRange.filter((j) => /align/i.test(j.meta.name))),
    );
    expect(await ids(alice.client, { ...q, state: ['over'] })).toEqual([]);
  });

  it('lists only top-level jobs with top_level=true: an array as one job, never its tasks', async () => {
    const array = await stored(alice, 'top-arr', 7, {
      requirements: { array: { spec: '1:3', first: 1, last: 3, step: 1, count: 3, limit: 0 } },
    });
    const user = array.user;
    const tasks = await h.store.insertJobs(
      [1, 2, 3].map((taskId) => makeNewJob({ user, parent: array.id, taskId })),
    );
    const plain = await stored(alice, 'top-plain', 8);
    const top = [...idsOf(mine), array.id, plain.id];
    const all = [...top.slice(0, -1), ...idsOf(tasks), plain.id];
    expect(await ids(alice.client, { topLevel: true, order: 'desc', limit: 2 })).toEqual(
      [...top].reverse(),
    );
    expect(await ids(alice.client, { topLevel: true, limit: 3 })).toEqual(top);
    // Default (and false): tasks listed as before; a task's array still lists them.
    expect(await ids(alice.client, { limit: 3 })).toEqual(all);
    expect(await ids(alice.client, { topLevel: false, order: 'desc', limit: 4 })).toEqual(
      [...all].reverse(),
    );
    expect(await ids(alice.client, { parent: array.id })).toEqual(idsOf(tasks));
    // With a state: the array is pending like its tasks, which stay out.
    const pending = await ids(alice.client, { topLevel: true, state: ['pending'], q: 'top-' });
    expect(pending).toEqual([array.id, plain.id]);
    const admins = await ids(admin.client, { topLevel: true, q: 'top-', order: 'desc', limit: 1 });
    expect(admins).toEqual([plain.id, array.id]);
    expect(await ids(bob.client, { topLevel: true, q: 'top-' })).toEqual([]);
  });

  it('answers 400 naming each bad parameter', async () => {
    const issues = async (query: Record<string, string>) => {
      const err = await failure(alice.client.call('GET', '/jobs', { query }));
      expect(err.status).toBe(400);
      return err.issues.map((i) => i.path);
    };
    expect(await issues({ q: 'x'.repeat(201) })).toEqual(['query.q']);
    expect(await issues({ submitted_after: 'yesterday' })).toEqual(['query.submitted_after']);
    expect(await issues({ submitted_before: '-5' })).toEqual(['query.submitted_before']);
    expect(await issues({ submitted_after: '' })).toEqual(['query.submitted_after']);
    expect(await issues({ order: 'sideways' })).toEqual(['query.order']);
    expect(await issues({ top_level: 'yes' })).toEqual(['query.top_level']);
    expect(await issues({ top_level: '' })).toEqual(['query.top_level']);
    const asc = (await alice.client.listJobs({ limit: 1 })).nextCursor!;
    expect(await issues({ order: 'desc', cursor: asc })).toEqual(['cursor']);
    expect((await alice.client.listJobs({ q: 'x'.repeat(200) })).jobs).toEqual([]);
  });
});

describe('GET /jobs/{id}/tasks/summary', () => {
  it('counts an array’s tasks by state and outcome, unmade ones as pending', async () => {
    const array = await stored(alice, 'arr', 1, {
      requirements: { array: { spec: '1:6', first: 1, last: 6, step: 1, count: 6, limit: 0 } },
    });
    const user = array.user;
    const tasks = await h.store.insertJobs(
      [1, 2, 3, 4].map((taskId) => makeNewJob({ user, parent: array.id, taskId })),
    );
    await h.runToEnd(tasks[0]!, 0);
    await h.runToEnd(tasks[1]!, 3);
    const placement = { host: 'h1', shard: 'numa0', cpus: '0', mems: '0', gpus: [], ports: [] };
    await h.store.transition(tasks[2]!.id, 'pending', 'scheduled', { placement, epoch: 1 });
    const summary = await alice.client.taskSummary(array.id);
    expect(TaskSummaryView.parse(summary)).toEqual(summary);
    expect(summary).toEqual({
      total: 6,
      pending: 3,
      held: 0,
      scheduled: 1,
      running: 0,
      suspended: 0,
      success: 1,
      failed: 1,
      killed: 0,
      other: 0,
    });
    expect(await admin.client.taskSummary(array.id)).toEqual(summary);
    // Bob may not see alice's array: answered as if it did not exist.
    const hidden = await failure(bob.client.taskSummary(array.id));
    expect([hidden.status, hidden.code]).toEqual([404, 'NOT_FOUND']);
    expect(hidden.message).not.toContain('arr');
    // A job that is not an array, a task, or no job at all: 404 too.
    for (const id of [tasks[3]!.id, (await stored(alice, 'plain', 1)).id, 99_999_999]) {
      expect((await failure(alice.client.taskSummary(id))).status).toBe(404);
    }
    const bad = await failure(alice.client.call('GET', '/jobs/abc/tasks/summary'));
    expect([bad.status, bad.issues.map((i) => i.path)]).toEqual([400, ['id']]);
  });
});
