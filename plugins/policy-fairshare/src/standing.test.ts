import { describe, expect, it } from 'vitest';
import { FairShareConfigSchema } from './config.js';
import { fairShareStanding, type StandingInput } from './standing.js';
import { DAY, HOUR, T0, makeJob, makePolicy, makeUsage } from './test-fixtures.js';

const settings = { half_life: '2d', weights: { user_priority: 0.5 } };
const config = FairShareConfigSchema.parse(settings);

/** alice used a lot and runs a job; bob used a little and waits; carol only has old usage. */
const input: StandingInput = {
  priorities: { users: new Map([['bob', 80]]), projects: new Map([['lab', 30]]) },
  usage: [
    { user: 'alice', project: 'lab', at: T0 - 2 * DAY, usage: makeUsage(50_000) },
    { user: 'bob', project: 'lab', at: T0 - DAY, usage: makeUsage(2_000) },
    { user: 'carol', project: 'other', at: T0 - 10 * DAY, usage: makeUsage(90_000) },
  ],
  running: [{ job: makeJob(1, 'alice', T0 - 3 * HOUR, { cpu: 4 }), since: T0 - 2 * HOUR }],
  queued: [
    { user: 'bob', project: 'lab' },
    { user: 'alice', project: 'lab' },
  ],
};

describe('fairShareStanding', () => {
  it('gives exactly the factors, shares and targets the FairShare queue scores jobs with', () => {
    const now = T0;
    const standing = fairShareStanding(config, input, now);
    // The scheduler's queue, fed the same facts in a leader's order.
    const policy = makePolicy(settings);
    policy.setPriorities(input.priorities);
    for (const u of input.usage) policy.charge(u.user, u.project, u.usage, u.at);
    for (const r of input.running) policy.started(r.job, r.since);
    policy.add(makeJob(10, 'bob', T0 - HOUR));
    policy.add(makeJob(11, 'alice', T0 - HOUR));
    for (const [id, name] of [
      [10, 'bob'],
      [11, 'alice'],
    ] as const) {
      const score = policy.inspect(id, now)!;
      const user = standing.users.find((u) => u.name === name)!;
      const lab = standing.projects.find((p) => p.name === 'lab')!;
      expect(user.factor).toBe(score.userFactor);
      expect(user.usageShare).toBe(score.userShare);
      expect(user.targetShare).toBe(score.userTarget);
      expect(lab.factor).toBe(score.projectFactor);
      expect(lab.targetShare).toBe(score.projectTarget);
      // The non-age part of the job's score is the user's plus the project's.
      const age = config.weights.waiting_time * score.ageFactor;
      expect(user.score + lab.score).toBeCloseTo(score.score - age, 12);
    }
  });

  it('lists every party with usage or work, active or not, by name', () => {
    const s = fairShareStanding(config, input, T0);
    expect(s.users.map((u) => [u.name, u.active, u.priority])).toEqual([
      ['alice', true, 50],
      ['bob', true, 80],
      ['carol', false, 50],
    ]);
    expect(s.projects.map((p) => [p.name, p.active])).toEqual([
      ['lab', true],
      ['other', false],
    ]);
    const [alice, bob, carol] = s.users;
    // Heavier recent use: a lower factor; older use has decayed more.
    expect(alice!.factor).toBeLessThan(bob!.factor);
    expect(carol!.usage).toBeLessThan(90_000 / 16);
    expect(bob!.targetShare).toBeCloseTo(80 / 130, 12);
  });
});
