/**
 * GET /fairshare under the FairShare policy, over HTTP on a real web process: a user sees their
 * own row and their projects', an administrator everyone's with the fairness error.
 */
import type { Fairshare, Standing } from '@god/client';
import { DEFAULT_PROJECT } from '@god/store';
import { makeNewJob } from '@god/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FairshareView } from './api/schemas.js';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

beforeAll(async () => {
  h = await WebHarness.start(['scheduler.policy=FairShare', 'plugins.FairShare.half_life=1d']);
  alice = await h.user('alice');
  bob = await h.user('bob');
  admin = await h.user('boss', { admin: true });
  const project = (id: string, members: string[]) =>
    h.store.putProject({
      id,
      description: '',
      members,
      priority: 50,
      quota: null,
      limits: null,
      createdAt: 0,
    });
  await project('lab', ['alice', 'bob']);
  await project('secret', ['bob']);
  const now = Date.now();
  const usage = (jobId: number, user: string, project: string, cpuSeconds: number) =>
    h.store.recordUsage({
      jobId,
      user,
      project,
      at: now - 3_600_000,
      cpuSeconds,
      ramGBSeconds: 0,
      gpuSeconds: 0,
      wallSeconds: cpuSeconds,
    });
  await usage(1, 'alice', 'lab', 2_000);
  await usage(2, 'bob', 'secret', 500);
  // Both wait for more: active, so both have a share.
  const pending = (u: TestUser, project: string) =>
    h.store.insertJobs([makeNewJob({ user: { id: u.id, uid: u.uid, gid: u.uid, project } })]);
  await pending(alice, 'lab');
  await pending(bob, 'secret');
});
afterAll(async () => {
  await h?.stop();
});

const row = (v: Fairshare, user: string) => v.users.find((u) => u.user === user)!;
const without = ({ fairnessError, ...rest }: Standing & { user: string }) => {
  expect(typeof fairnessError).toBe('number');
  return rest;
};

describe('GET /fairshare under FairShare', () => {
  it('shows a user their own row and their projects only', async () => {
    const a = await alice.client.fairshare();
    expect(FairshareView.parse(a)).toEqual(a);
    expect(a.policy).toBe('fairshare');
    expect(a.users.map((u) => u.user)).toEqual(['alice']);
    expect(a.projects.map((p) => p.project)).toEqual([DEFAULT_PROJECT, 'lab']);
    expect(JSON.stringify(a)).not.toMatch(/bob|secret|fairnessError/);
    const b = await bob.client.fairshare();
    expect(b.users.map((u) => u.user)).toEqual(['bob']);
    expect(b.projects.map((p) => p.project)).toEqual([DEFAULT_PROJECT, 'lab', 'secret']);
  });

  it('computes factors from usage and shares, and favours who used less', async () => {
    const a = row(await alice.client.fairshare(), 'alice');
    const f = a.factors!;
    expect(f.active).toBe(true);
    expect(f.configuredPriority).toBe(50);
    expect(a.share).toBeGreaterThan(0);
    expect(f.fairshare).toBeCloseTo(2 ** (-f.usageShare / a.share!), 12);
    const all = await admin.client.fairshare();
    // The numbers an admin sees are the user's own, plus the fairness error.
    // Usage decays between the two calls: the measured numbers are close, the rest equal.
    const adminsView = without(row(all, 'alice'));
    expect([adminsView.rank, adminsView.share]).toEqual([a.rank, a.share]);
    expect(adminsView.factors!.active).toBe(f.active);
    expect(adminsView.usage).toBeCloseTo(a.usage, 2);
    expect(adminsView.priority!).toBeCloseTo(a.priority!, 6);
    expect(adminsView.factors!.usageShare).toBeCloseTo(f.usageShare, 6);
    const [ra, rb] = [row(all, 'alice'), row(all, 'bob')];
    expect(ra.usage).toBeGreaterThan(rb.usage);
    expect(rb.priority!).toBeGreaterThan(ra.priority!);
    expect(rb.rank!).toBeLessThan(ra.rank!);
    expect(all.users.map((u) => u.rank).sort()).toEqual([1, 2, 3]);
    for (const u of all.users)
      expect(u.fairnessError).toBeCloseTo(u.factors!.usageShare - u.share!, 12);
    expect(all.projects.map((p) => p.project)).toEqual([DEFAULT_PROJECT, 'lab', 'secret']);
  });
});
