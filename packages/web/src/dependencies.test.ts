/**
 * A dependency is a way to ask about a job: it may only name a job the submitter may see, and
 * any other id gets byte for byte the answer a job that does not exist gets (real web process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;
let boss: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  [alice, bob, boss] = await Promise.all([
    h.user('alice'),
    h.user('bob'),
    h.user('boss', { admin: true }),
  ]);
});
afterAll(async () => {
  await h?.stop();
});

type Dep = number | { id: number; kind?: 'afterok' | 'afterany' | 'afternotok' };

const job = (tasks: Dep[], over: object = {}) => ({
  container: { image: 'god-test/busybox:latest' },
  command: { cmd: 'echo hello' },
  requirements: { tasks },
  ...over,
});

/** Status and exact body of a submission by `user` over raw HTTP. */
async function submitRaw(
  harness: WebHarness,
  user: TestUser,
  body: unknown,
  path = '/api/v1/jobs',
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${harness.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}

const MISSING = 99_999;

/** `body` with `job <id> ` written as the missing job's id, to compare answers byte for byte. */
const sameId = (body: string, id: number): string =>
  body.replaceAll(`job ${id} `, `job ${MISSING} `);

describe('dependencies on other users’ jobs', () => {
  it('answers a dependency on another user’s job exactly as one on a job that does not exist', async () => {
    const pending = await h.jobOf(alice);
    const failed = await h.runToEnd(await h.jobOf(alice), 3);
    const succeeded = await h.runToEnd(await h.jobOf(alice), 0);
    const before = (await h.store.listJobs({}, { limit: 10_000 })).jobs.length;
    for (const kind of ['afterok', 'afterany', 'afternotok'] as const)
      for (const target of [pending, failed, succeeded]) {
        const missing = await submitRaw(h, bob, job([{ id: MISSING, kind }]));
        const other = await submitRaw(h, bob, job([{ id: target.id, kind }]));
        expect(missing.status).toBe(400);
        expect(other.status).toBe(missing.status);
        expect(sameId(other.body, target.id)).toBe(missing.body);
      }
    const plain = await submitRaw(h, bob, job([pending.id]));
    expect(JSON.parse(plain.body)).toMatchObject({
      error: {
        code: 'INVALID_INPUT',
        issues: [{ path: 'requirements.tasks[0]', message: `job ${pending.id} does not exist` }],
      },
    });
    const bulk = await submitRaw(
      h,
      bob,
      { jobs: [job([]), job([MISSING, pending.id])] },
      '/api/v1/jobs/bulk',
    );
    expect(bulk.status).toBe(400);
    expect(JSON.parse(bulk.body)).toMatchObject({
      error: {
        issues: [
          { path: 'jobs[1].requirements.tasks[0]', message: `job ${MISSING} does not exist` },
          { path: 'jobs[1].requirements.tasks[1]', message: `job ${pending.id} does not exist` },
        ],
      },
    });
    expect((await h.store.listJobs({}, { limit: 10_000 })).jobs.length).toBe(before);
  });

  it('lets owners and administrators depend on jobs they see', async () => {
    const mine = await h.jobOf(alice);
    const own = await alice.client.submit(job([mine.id]));
    expect(own.requirements.tasks).toEqual([{ id: mine.id, kind: 'afterok' }]);
    const admins = await boss.client.submit(job([{ id: mine.id, kind: 'afterany' }]));
    expect(admins.requirements.tasks).toEqual([{ id: mine.id, kind: 'afterany' }]);
  });

  it('lets project members depend on each other’s jobs only when project tasks are shared', async () => {
    for (const share of [true, false]) {
      const shared = await WebHarness.start([`auth.share_project_tasks=${share}`]);
      try {
        const [carol, dave, eve] = await Promise.all(
          ['carol', 'dave', 'eve'].map((u) => shared.user(u)),
        );
        await shared.store.putProject({
          id: 'genomics',
          description: '',
          members: ['carol', 'dave', 'eve'],
          priority: 50,
          quota: null,
          limits: null,
          createdAt: Date.now(),
        });
        const inProject = await carol!.client.submit(job([], { project: 'genomics' }));
        const outside = await carol!.client.submit(job([]));
        const byDave = await submitRaw(shared, dave!, job([inProject.id]));
        expect(byDave.status).toBe(share ? 201 : 400);
        const missing = await submitRaw(shared, eve!, job([MISSING]));
        const notShared = await submitRaw(shared, eve!, job([outside.id]));
        expect(sameId(notShared.body, outside.id)).toBe(missing.body);
      } finally {
        await shared.stop();
      }
    }
  });
});
