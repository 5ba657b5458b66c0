/**
 * GET /jobs/{id}/usage/live over HTTP on a real web process: the samples the agent published
 * (written here through the same coord module), oldest first; another user gets a 404.
 */
import { publishLiveUsage } from '@god/coord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
  bob = await h.user('bob');
});
afterAll(async () => {
  await h?.stop();
});

describe('GET /jobs/{id}/usage/live', () => {
  it('gives the owner the samples published while the job runs, oldest first', async () => {
    const job = await h.jobOf(alice);
    expect(await alice.client.liveUsage(job.id)).toEqual({ samples: [] });
    const { redis, keys } = h.web.ctx;
    await publishLiveUsage(
      redis,
      keys,
      new Map([[job.id, { t: 1000, cpuSeconds: 0.5, memBytes: 7 }]]),
      5,
    );
    await publishLiveUsage(
      redis,
      keys,
      new Map([[job.id, { t: 6000, cpuSeconds: 4, memBytes: 9 }]]),
      5,
    );
    expect(await alice.client.liveUsage(job.id)).toEqual({
      samples: [
        { t: 1000, cpuSeconds: 0.5, memBytes: 7 },
        { t: 6000, cpuSeconds: 4, memBytes: 9 },
      ],
    });
  });

  it('answers 404 for another user’s job and for a job that does not exist', async () => {
    const job = await h.jobOf(alice);
    const { redis, keys } = h.web.ctx;
    await publishLiveUsage(
      redis,
      keys,
      new Map([[job.id, { t: 1, cpuSeconds: 1, memBytes: 1 }]]),
      5,
    );
    expect((await failure(bob.client.liveUsage(job.id))).status).toBe(404);
    expect((await failure(alice.client.liveUsage(999_999))).status).toBe(404);
    const bad = await fetch(`${h.url}/api/v1/jobs/nope/usage/live`, {
      headers: { authorization: `Bearer ${alice.key}` },
    });
    expect(bad.status).toBe(400);
  });
});
