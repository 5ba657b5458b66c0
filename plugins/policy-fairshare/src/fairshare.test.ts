import { tracksUsage, usesPriorities, type QueuedJob } from '@god/core';
import { describe, expect, it } from 'vitest';
import fairSharePolicy from './index.js';
import { DAY, first, HOUR, makeJob, makePolicy, makeUsage, order, T0 } from './test-fixtures.js';

describe('FairShare ordering', () => {
  it('prefers the user with less recent usage, even over an older job', () => {
    const p = makePolicy();
    p.charge('alice', 'lab', makeUsage(36_000), T0 - HOUR);
    p.charge('bob', 'lab', makeUsage(3_600), T0 - HOUR);
    p.add(makeJob(1, 'alice', T0));
    p.add(makeJob(2, 'bob', T0 + 60_000));
    expect(order(p, T0 + 120_000)).toEqual([2, 1]);
    const alice = p.inspect(1, T0 + 120_000);
    const bob = p.inspect(2, T0 + 120_000);
    expect(alice!.userFactor).toBeLessThan(bob!.userFactor);
    expect(alice!.userShare).toBeCloseTo(10 / 11);
  });

  it('orders by submission, then id, when usage and priorities are equal', () => {
    const p = makePolicy();
    p.add(makeJob(3, 'alice', T0 + 10));
    p.add(makeJob(2, 'bob', T0 + 10));
    p.add(makeJob(1, 'carol', T0 + 20));
    expect(order(p, T0 + 1000)).toEqual([2, 3, 1]);
  });

  it('keeps each user FIFO', () => {
    const p = makePolicy();
    p.charge('bob', 'lab', makeUsage(1e6), T0);
    for (let i = 1; i <= 3; i++) p.add(makeJob(i, 'alice', T0 + i));
    for (let i = 4; i <= 6; i++) p.add(makeJob(i, 'bob', T0 + i));
    expect(order(p, T0 + 1000)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives a higher-priority user a larger target share', () => {
    const p = makePolicy();
    // Alice used 60% and Bob 40%, but Alice's target is 80%: she is further below it.
    p.charge('alice', 'lab', makeUsage(6_000), T0);
    p.charge('bob', 'lab', makeUsage(4_000), T0);
    p.add(makeJob(1, 'alice', T0 + 1));
    p.add(makeJob(2, 'bob', T0));
    expect(order(p, T0 + 1000)).toEqual([2, 1]);
    p.setPriorities({
      users: new Map([
        ['alice', 80],
        ['bob', 20],
      ]),
      projects: new Map(),
    });
    expect(order(p, T0 + 1000)).toEqual([1, 2]);
    expect(p.inspect(1, T0 + 1000)!.userTarget).toBeCloseTo(0.8);
  });

  it('normalizes targets over users with queued or running work only', () => {
    const p = makePolicy();
    p.setPriorities({ users: new Map([['idle', 100]]), projects: new Map() });
    p.add(makeJob(1, 'alice', T0));
    p.add(makeJob(2, 'bob', T0));
    expect(p.inspect(1, T0)!.userTarget).toBeCloseTo(0.5);
    p.started(makeJob(9, 'idle', T0), T0);
    expect(p.inspect(1, T0)!.userTarget).toBeCloseTo(0.25);
  });

  it('adds the user and project priority factors when they are weighted', () => {
    const p = makePolicy({ weights: { user_priority: 1, project_priority: 1 } });
    p.setPriorities({ users: new Map([['bob', 100]]), projects: new Map([['big', 100]]) });
    p.add(makeJob(1, 'alice', T0, { project: 'small' }));
    p.add(makeJob(2, 'bob', T0 + 1, { project: 'small' }));
    p.add(makeJob(3, 'carol', T0 + 2, { project: 'big' }));
    const s1 = p.inspect(1, T0 + 10)!.score;
    const s2 = p.inspect(2, T0 + 10)!.score;
    const s3 = p.inspect(3, T0 + 10)!.score;
    expect(s2).toBeGreaterThan(s1);
    expect(s3).toBeGreaterThan(s1);
  });

  it('halves past usage after one half-life', () => {
    const p = makePolicy({ half_life: '6h' });
    p.charge('alice', 'lab', makeUsage(1000), T0);
    p.charge('bob', 'lab', makeUsage(500), T0 + 6 * HOUR);
    p.add(makeJob(1, 'alice', T0 + 6 * HOUR));
    p.add(makeJob(2, 'bob', T0 + 6 * HOUR));
    const a = p.inspect(1, T0 + 6 * HOUR)!;
    const b = p.inspect(2, T0 + 6 * HOUR)!;
    expect(a.userShare).toBeCloseTo(0.5, 9);
    expect(b.userShare).toBeCloseTo(0.5, 9);
    // A day later both decayed alike: the shares do not move.
    expect(p.inspect(1, T0 + 30 * HOUR)!.userShare).toBeCloseTo(0.5, 9);
  });

  it('counts running jobs, so one user does not take all the free slots of a pass', () => {
    const p = makePolicy();
    for (let i = 0; i < 4; i++) p.add(makeJob(1 + i, 'alice', T0 + i));
    for (let i = 0; i < 4; i++) p.add(makeJob(11 + i, 'bob', T0 + 10 + i));
    const it = p.ordered(T0 + HOUR);
    const placed: string[] = [];
    for (let r = it.next(); r.done !== true && placed.length < 4; r = it.next()) {
      placed.push(r.value.user);
      p.remove(r.value.id);
      p.started(r.value, T0 + HOUR);
    }
    expect(placed).toEqual(['alice', 'bob', 'alice', 'bob']);
  });

  it('prefers the user with fewer running jobs at equal past usage', () => {
    const p = makePolicy({ running_charge: 0 });
    p.started(makeJob(100, 'alice', T0), T0);
    p.started(makeJob(101, 'alice', T0), T0);
    p.add(makeJob(1, 'alice', T0));
    p.add(makeJob(2, 'bob', T0 + 1));
    // With no up-front charge the running jobs count as they accrue.
    expect(order(p, T0)).toEqual([1, 2]);
    expect(order(p, T0 + 10 * 60_000)).toEqual([2, 1]);
  });

  it('replaces the accrual of an ended job by its measured usage', () => {
    const p = makePolicy({ half_life: '1h', running_charge: 0 });
    const job = makeJob(100, 'alice', T0, { cpu: 8 });
    p.started(job, T0);
    p.ended(job, makeUsage(500), T0 + 2 * HOUR);
    p.charge('bob', 'lab', makeUsage(500), T0 + 2 * HOUR);
    p.add(makeJob(1, 'alice', T0 + 3 * HOUR));
    p.add(makeJob(2, 'bob', T0 + 3 * HOUR));
    expect(p.inspect(1, T0 + 3 * HOUR)!.userShare).toBeCloseTo(0.5, 9);
  });

  it('lets a long-waiting job of a heavy user overtake a fresh job of a light user', () => {
    const p = makePolicy();
    p.charge('heavy', 'lab', makeUsage(1e9), T0);
    p.add(makeJob(1, 'heavy', T0));
    const fresh = (now: number): QueuedJob => makeJob(2, 'light', now);
    p.add(fresh(T0));
    expect(first(p, T0)!.id).toBe(2);
    // Two active users: F_heavy = 2^(-1/0.5) = 0.25, F_light = 1. The age factor must beat
    // 1.4 · 0.75 / 0.1 = 10.5, i.e. x + (x-1)² > 10.5 with x in days (max_age 1d): x > 3.62.
    p.add(fresh(T0 + 3.55 * DAY));
    expect(first(p, T0 + 3.55 * DAY)!.id).toBe(2);
    p.add(fresh(T0 + 3.7 * DAY));
    expect(first(p, T0 + 3.7 * DAY)!.id).toBe(1);
  });
});

describe('FairShare queue', () => {
  it('removes jobs, replaces a job added twice, and places an out-of-order job', () => {
    const p = makePolicy();
    p.add(makeJob(1, 'alice', T0 + 10));
    p.add(makeJob(2, 'alice', T0 + 30));
    p.add(makeJob(3, 'alice', T0 + 20));
    p.add(makeJob(4, 'alice', T0 + 40));
    expect(p.remove(4)).toBe(true);
    expect(p.remove(4)).toBe(false);
    p.add(makeJob(1, 'alice', T0 + 50));
    expect(order(p, T0 + 100)).toEqual([3, 2, 1]);
    expect(p.size()).toBe(3);
    expect(p.has(4)).toBe(false);
  });

  it('tolerates removals between two steps and never yields a removed job', () => {
    const p = makePolicy();
    for (let i = 1; i <= 6; i++) p.add(makeJob(i, i % 2 === 0 ? 'bob' : 'alice', T0 + i));
    const it = p.ordered(T0 + 100);
    const seen: number[] = [];
    const a = it.next();
    if (a.done === true) throw new Error('empty');
    seen.push(a.value.id);
    p.remove(a.value.id);
    p.remove(2);
    p.remove(3);
    for (let r = it.next(); r.done !== true; r = it.next()) seen.push(r.value.id);
    expect(seen).toEqual([1, 4, 5, 6]);
  });

  it('drops empty lanes and brings a user back with a new one', () => {
    const p = makePolicy();
    p.add(makeJob(1, 'alice', T0));
    p.add(makeJob(2, 'bob', T0 + 1));
    p.remove(1);
    p.add(makeJob(3, 'carol', T0 + 2));
    p.remove(2);
    p.add(makeJob(4, 'alice', T0 + 3));
    expect(order(p, T0 + 10)).toEqual([3, 4]);
  });

  it('tracks usage and takes priorities, as its type guards report', () => {
    const p = makePolicy();
    expect(tracksUsage(p)).toBe(true);
    expect(usesPriorities(p)).toBe(true);
  });
});

describe('FairShare config', () => {
  it('fills defaults and reads durations', () => {
    const c = fairSharePolicy.configSchema.parse({
      half_life: '12h',
      weights: { waiting_time: 1 },
    });
    expect(c.half_life).toBe(12 * 3600);
    expect(c.max_age).toBe(86_400);
    expect(c.weights).toEqual({
      waiting_time: 1,
      user_fairshare: 1.4,
      project_fairshare: 0.12,
      user_priority: 0,
      project_priority: 0,
    });
    expect(fairSharePolicy.configSchema.parse(undefined).billing).toEqual({
      cpu: 1,
      ram: 0.25,
      gpu: 2,
    });
  });

  it('refuses unknown keys, a zero half-life and a zero waiting-time weight', () => {
    const bad = [
      { halflife: '1d' },
      { half_life: 0 },
      { weights: { waiting_time: 0 } },
      { max_age: '1.5d' },
    ];
    for (const input of bad)
      expect(fairSharePolicy.configSchema.safeParse(input).success).toBe(false);
  });
});
