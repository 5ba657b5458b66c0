/**
 * A cluster of fixed capacity shared by users who always have work queued: the policy alone
 * decides who runs next. The shares of the capacity they get must converge to their targets.
 */
import type { QueuedJob } from '@god/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY, makeJob, makePolicy, makeUsage, T0, type ConfigInput } from './test-fixtures.js';

const SLOTS = 16;
const QUEUED_PER_USER = 3;
const WARM_UP = T0 + DAY;
const END = T0 + 4 * DAY;

/** A small seeded PRNG (mulberry32), so a failing case replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  job: QueuedJob;
  start: number;
  end: number;
}

/** Runs the cluster from T0 to END; returns each user's share of the slot time after warm-up. */
function simulate(priorities: number[], seed: number, config: ConfigInput = {}): number[] {
  const rand = prng(seed);
  const p = makePolicy({ half_life: '6h', ...config });
  const users = priorities.map((_, i) => `u${i}`);
  p.setPriorities({
    users: new Map(users.map((u, i) => [u, priorities[i]!])),
    projects: new Map(),
  });
  let now = T0;
  let nextId = 1;
  const submit = (user: string) => p.add(makeJob(nextId++, user, now));
  for (const u of users) for (let k = 0; k < QUEUED_PER_USER; k++) submit(u);
  const running: Run[] = [];
  const served = users.map(() => 0);
  while (now < END) {
    const it = p.ordered(now);
    while (running.length < SLOTS) {
      const r = it.next();
      if (r.done === true) break;
      p.remove(r.value.id);
      p.started(r.value, now);
      // Equal work for everyone: 5 to 15 minutes on one CPU, and a new job to keep the queue full.
      running.push({ job: r.value, start: now, end: now + (5 + 10 * rand()) * 60_000 });
      submit(r.value.user);
    }
    running.sort((a, b) => a.end - b.end);
    const done = running.shift();
    if (done === undefined) break;
    now = done.end;
    const seconds = (done.end - done.start) / 1000;
    p.ended(done.job, { ...makeUsage(seconds), ramGBSeconds: seconds }, now);
    const counted = Math.max(0, Math.min(done.end, END) - Math.max(done.start, WARM_UP));
    served[users.indexOf(done.job.user)]! += counted;
  }
  const total = served.reduce((a, b) => a + b, 0);
  return served.map((s) => s / total);
}

describe('FairShare simulation', () => {
  it('converges to the configured shares', () => {
    let worst = 0;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 10, max: 100 }), { minLength: 4, maxLength: 8 }),
        fc.nat(),
        (priorities, seed) => {
          const achieved = simulate(priorities, seed);
          const sum = priorities.reduce((a, b) => a + b, 0);
          const error = Math.max(...achieved.map((a, i) => Math.abs(a - priorities[i]! / sum)));
          worst = Math.max(worst, error);
          expect(error).toBeLessThan(0.02);
        },
      ),
      { numRuns: 12 },
    );
    // eslint-disable-next-line no-console
    console.log(
      `FairShare simulation: worst fairness error max|achieved - target| = ${(100 * worst).toFixed(2)}%`,
    );
  });

  it('drifts from the targets when a direct priority bonus is weighted (why its default is 0)', () => {
    const fair = simulate([80, 20, 50, 50], 7);
    const boosted = simulate([80, 20, 50, 50], 7, { weights: { user_priority: 1 } });
    // eslint-disable-next-line no-console
    console.log(
      `FairShare simulation: user at priority 20 of 200 gets ${fair[1]!.toFixed(3)} (weight 0), ${boosted[1]!.toFixed(3)} (weight 1)`,
    );
    expect(fair[1]).toBeCloseTo(0.1, 1);
    expect(boosted[1]).toBeLessThan(0.05);
  });
});
