/** Job arrays against the submission limits over HTTP, on a real web process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let carol: TestUser;

beforeAll(async () => {
  h = await WebHarness.start(['limits.max_pending_per_user=20', 'limits.max_array_tasks=50']);
  carol = await h.user('carol');
});
afterAll(async () => {
  await h?.stop();
});

const job = (requirements: object = {}) => ({
  container: { image: 'god-test/busybox:latest' },
  command: { cmd: 'true' },
  requirements,
});

describe('arrays and the pending limits', () => {
  it('counts the tasks of an array: 21 refused with 429, 20 taken, then no more', async () => {
    const over = await failure(carol.client.submit(job({ array: '21' })));
    expect(over.status).toBe(429);
    expect(over.code).toBe('LIMIT_EXCEEDED');
    expect(over.message).toContain('limits.max_pending_per_user is 20 tasks');
    const array = await carol.client.submit(job({ array: '1:20' }));
    expect(array.requirements.array?.count).toBe(20);
    expect((await failure(carol.client.submit(job()))).status).toBe(429);
    expect((await h.store.listJobs({ user: 'carol' })).jobs.map((j) => j.id)).toEqual([array.id]);
  });

  it('refuses an array over limits.max_array_tasks with 400 naming requirements.array', async () => {
    const err = await failure(carol.client.submit(job({ array: '51' })));
    expect(err.status).toBe(400);
    expect(err.issues.map((i) => i.path)).toEqual(['requirements.array']);
    expect(err.issues[0]?.message).toContain('limits.max_array_tasks');
  });
});
