/**
 * GET /usage/history over HTTP on a real web process: usage per hour or UTC day and project
 * from the ledger; a user gets their own only, an administrator anyone's or everyone's; bad
 * ranges are a 400 naming the field.
 */
import type { UsageHistory } from '@god/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** 2024-03-10T00:00:00Z. */
const D0 = Date.UTC(2024, 2, 10);

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
  bob = await h.user('bob');
  admin = await h.user('boss', { admin: true });
  const usage = (jobId: number, user: string, project: string, at: number, cpuSeconds: number) =>
    h.store.recordUsage({
      jobId,
      user,
      project,
      at,
      cpuSeconds,
      ramGBSeconds: cpuSeconds / 2,
      gpuSeconds: 0,
      wallSeconds: cpuSeconds,
    });
  await usage(1, 'alice', 'default', D0 + 10 * 60_000, 100);
  await usage(2, 'alice', 'default', D0 + 50 * 60_000, 20);
  await usage(3, 'alice', 'lab', D0 + 2 * HOUR, 7);
  await usage(4, 'bob', 'default', D0 + 30 * 60_000, 1000);
  await usage(5, 'alice', 'default', D0 + DAY + 5, 3);
});
afterAll(async () => {
  await h?.stop();
});

const sums = (v: UsageHistory) =>
  v.buckets.map((b) => [new Date(b.start).toISOString(), b.project, b.cpuSeconds, b.jobs]);

describe('GET /usage/history', () => {
  it('gives a user their own usage per hour and project, never another user’s', async () => {
    const v = await alice.client.usageHistory({ from: D0, to: D0 + DAY, bucket: 'hour' });
    expect({ bucket: v.bucket, from: v.from, to: v.to }).toEqual({
      bucket: 'hour',
      from: D0,
      to: D0 + DAY,
    });
    expect(sums(v)).toEqual([
      ['2024-03-10T00:00:00.000Z', 'default', 120, 2],
      ['2024-03-10T02:00:00.000Z', 'lab', 7, 1],
    ]);
    expect(v.buckets[0]).toMatchObject({ ramGBSeconds: 60, gpuSeconds: 0, wallSeconds: 120 });
    // Bob's 1000 cpu·s in the same hour are his alone.
    const b = await bob.client.usageHistory({ from: D0, to: D0 + DAY, bucket: 'hour' });
    expect(sums(b)).toEqual([['2024-03-10T00:00:00.000Z', 'default', 1000, 1]]);
    const asked = await failure(alice.client.usageHistory({ from: D0, to: D0 + DAY, user: 'bob' }));
    expect(asked.status).toBe(403);
  });

  it('sums per UTC day, filtered by project, from a rounded-down start', async () => {
    const v = await alice.client.usageHistory({
      from: D0 + 5 * HOUR,
      to: D0 + 3 * DAY,
      project: 'default',
    });
    expect(v.from).toBe(D0);
    expect(sums(v)).toEqual([
      ['2024-03-10T00:00:00.000Z', 'default', 120, 2],
      ['2024-03-11T00:00:00.000Z', 'default', 3, 1],
    ]);
  });

  it('gives an administrator everyone’s usage, or one user’s', async () => {
    const all = await admin.client.usageHistory({ from: '2024-03-10', to: '2024-03-11' });
    expect(sums(all)).toEqual([
      ['2024-03-10T00:00:00.000Z', 'default', 1120, 3],
      ['2024-03-10T00:00:00.000Z', 'lab', 7, 1],
    ]);
    const bobs = await admin.client.usageHistory({ from: D0, to: D0 + DAY, user: 'bob' });
    expect(sums(bobs)).toEqual([['2024-03-10T00:00:00.000Z', 'default', 1000, 1]]);
    // Without `from`, the last 30 days up to now: none of this 2024 usage.
    expect((await admin.client.usageHistory()).buckets).toEqual([]);
  });

  it('refuses more than 1000 buckets, a reversed range and unknown fields with a 400 naming the field', async () => {
    const tooMany = await failure(
      alice.client.usageHistory({ from: D0, to: D0 + 1001 * HOUR, bucket: 'hour' }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.message).toMatch(/^from: 1001 hours .* at most 1000/);
    const ok = await alice.client.usageHistory({ from: D0, to: D0 + 1000 * HOUR, bucket: 'hour' });
    expect(ok.buckets.length).toBe(3);
    const reversed = await failure(alice.client.usageHistory({ from: D0 + DAY, to: D0 }));
    expect(reversed.status).toBe(400);
    expect(reversed.message).toMatch(/^from: must be before to/);
    const bucket = await failure(alice.client.usageHistory({ bucket: 'week' as 'day', from: D0 }));
    expect(bucket.status).toBe(400);
    expect(bucket.message).toMatch(/bucket/);
    const extra = await failure(
      alice.client.call('GET', '/usage/history', { query: { since: D0 } }),
    );
    expect(extra.status).toBe(400);
  });
});
