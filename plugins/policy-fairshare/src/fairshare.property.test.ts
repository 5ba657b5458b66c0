import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedSpan, type Weights } from './factors.js';
import type { FairSharePolicy } from './fairshare.js';
import { HOUR, makeJob, makePolicy, makeUsage, order, T0 } from './test-fixtures.js';

/** Any usage and priority state: past usage, running jobs, priorities, weights. */
const stateArb = fc.record({
  users: fc.array(
    fc.record({
      usage: fc.double({ min: 0, max: 1e7, noNaN: true }),
      usageAgoH: fc.double({ min: 0, max: 500, noNaN: true }),
      priority: fc.integer({ min: 0, max: 100 }),
      project: fc.integer({ min: 0, max: 2 }),
      running: fc.array(fc.integer({ min: 1, max: 16 }), { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  projectPriorities: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 3, maxLength: 3 }),
  weights: fc.record({
    waiting_time: fc.double({ min: 0.01, max: 10, noNaN: true }),
    user_fairshare: fc.double({ min: 0, max: 10, noNaN: true }),
    project_fairshare: fc.double({ min: 0, max: 10, noNaN: true }),
    user_priority: fc.double({ min: 0, max: 10, noNaN: true }),
    project_priority: fc.double({ min: 0, max: 10, noNaN: true }),
  }),
  maxAgeH: fc.integer({ min: 1, max: 24 * 30 }),
  halfLifeH: fc.integer({ min: 1, max: 24 * 30 }),
  runningChargeS: fc.integer({ min: 0, max: 7200 }),
});
type State = typeof stateArb extends fc.Arbitrary<infer T> ? T : never;

const userName = (i: number): string => `u${i}`;

/** A policy in `state`, with nothing queued yet. */
function build(state: State): FairSharePolicy {
  const p = makePolicy({
    half_life: state.halfLifeH * 3600,
    max_age: state.maxAgeH * 3600,
    running_charge: state.runningChargeS,
    weights: state.weights,
  });
  p.setPriorities({
    users: new Map(state.users.map((u, i) => [userName(i), u.priority])),
    projects: new Map(state.projectPriorities.map((v, i) => [`p${i}`, v])),
  });
  let runId = 1_000_000;
  state.users.forEach((u, i) => {
    const project = `p${u.project}`;
    p.charge(userName(i), project, makeUsage(u.usage), T0 - u.usageAgoH * HOUR);
    for (const cpu of u.running) {
      p.started(makeJob(runId++, userName(i), T0 - 2 * HOUR, { project, cpu }), T0 - HOUR);
    }
  });
  return p;
}

/**
 * When job J, submitted at T0, outranks a job submitted `delta` ms later, per the README's
 * bound: both beyond max_age, the age-factor gap is d·(2y - 1 + d) with d = delta/M and y the
 * younger job's age in units of M; it exceeds B/w once y > (B/(w·d) + 1 - d)/2.
 */
function outranksAfter(deltaMs: number, maxAgeMs: number, w: Weights): number {
  const d = deltaMs / maxAgeMs;
  const y = Math.max(1, (boundedSpan(w) / (w.waiting_time * d) + 1 - d) / 2);
  // A 0.1% margin keeps the check above double rounding at these magnitudes.
  return T0 + deltaMs + y * maxAgeMs * 1.001;
}

describe('FairShare properties', () => {
  it('never starves: a waiting job ends up first against any fixed set of newer jobs', () => {
    fc.assert(
      fc.property(
        stateArb,
        fc.nat(),
        fc.array(
          fc.record({ user: fc.nat(), delay: fc.double({ min: 0.01, max: 10, noNaN: true }) }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (state, who, competitors, later) => {
          const p = build(state);
          const n = state.users.length;
          const projectOf = (i: number) => `p${state.users[i % n]!.project}`;
          p.add(makeJob(1, userName(who % n), T0, { project: projectOf(who) }));
          const M = state.maxAgeH * HOUR;
          let deadline = T0;
          competitors.forEach((c, k) => {
            const delta = Math.round(c.delay * M);
            const job = makeJob(2 + k, userName(c.user % n), T0 + delta, {
              project: projectOf(c.user),
            });
            p.add(job);
            deadline = Math.max(deadline, outranksAfter(delta, M, state.weights));
          });
          const noRunning = state.users.every((u) => u.running.length === 0);
          let rank = Number.POSITIVE_INFINITY;
          for (let k = 0; k <= 8; k++) {
            const now = Math.round(T0 + ((deadline - T0) * k) / 8);
            const r = order(p, now).indexOf(1);
            // Without running jobs the shares are frozen, so only the waiting time moves scores.
            if (noRunning) expect(r).toBeLessThanOrEqual(rank);
            rank = r;
          }
          expect(rank).toBe(0);
          expect(order(p, Math.round(deadline + later * M))[0]).toBe(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is monotonic: more past usage never raises a user’s priority', () => {
    fc.assert(
      fc.property(
        stateArb,
        fc.array(
          fc.record({ user: fc.nat(), ageH: fc.double({ min: 0, max: 200, noNaN: true }) }),
          {
            minLength: 1,
            maxLength: 15,
          },
        ),
        fc.nat(),
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (state, jobs, who, extra, agoH) => {
          const p = build(state);
          const n = state.users.length;
          jobs.forEach((j, k) => {
            const u = j.user % n;
            p.add(
              makeJob(1 + k, userName(u), T0 - j.ageH * HOUR, {
                project: `p${state.users[u]!.project}`,
              }),
            );
          });
          const target = who % n;
          const mine = jobs.flatMap((j, k) => (j.user % n === target ? [1 + k] : []));
          const before = new Map(mine.map((id) => [id, p.inspect(id, T0)!.score]));
          const rankBefore = order(p, T0).findIndex((id) => mine.includes(id));
          p.charge(
            userName(target),
            `p${state.users[target]!.project}`,
            makeUsage(extra),
            T0 - agoH * HOUR,
          );
          for (const id of mine) {
            const b = before.get(id)!;
            expect(p.inspect(id, T0)!.score).toBeLessThanOrEqual(
              b + 1e-9 * Math.max(1, Math.abs(b)),
            );
          }
          const rankAfter = order(p, T0).findIndex((id) => mine.includes(id));
          expect(rankAfter).toBeGreaterThanOrEqual(rankBefore);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('yields each queued job once, FIFO within a lane, whatever happens during the pass', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ id: fc.integer({ min: 1, max: 40 }), user: fc.nat(3), at: fc.nat(50) }),
          {
            maxLength: 80,
          },
        ),
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })), { maxLength: 40 }),
        (adds, actions) => {
          const p = makePolicy();
          for (const a of adds) p.add(makeJob(a.id, userName(a.user), T0 + a.at));
          const queued = new Set(order(p, T0 + 100));
          const seen: number[] = [];
          const removed = new Set<number>();
          const it = p.ordered(T0 + 100);
          let k = 0;
          for (let r = it.next(); r.done !== true; r = it.next()) {
            const job = r.value;
            expect(removed.has(job.id) || seen.includes(job.id)).toBe(false);
            seen.push(job.id);
            const act = actions[k++];
            if (act === 0) {
              p.remove(job.id); // placed
              p.started(job, T0 + 100);
            } else if (act !== undefined && p.remove(act)) removed.add(act);
          }
          for (const id of queued) expect(seen.includes(id) || removed.has(id)).toBe(true);
          for (const user of [0, 1, 2, 3]) {
            const mine = seen
              .map((id) => adds.findLast((a) => a.id === id)!)
              .filter((a) => a.user === user);
            const sorted = [...mine].sort((a, b) => a.at - b.at || a.id - b.id);
            expect(mine).toEqual(sorted);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
