import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from './errors.js';
import {
  JOB_OUTCOMES,
  JOB_STATES,
  allowedEdges,
  canTransition,
  checkTransition,
  goDockerStatus,
  type JobOutcome,
  type JobState,
} from './job-state.js';

/**
 * The expected edges, written out independently of the table in job-state.ts: if someone adds
 * or removes an edge there, this list has to change too, on purpose.
 */
const EXPECTED: Record<string, readonly JobOutcome[]> = {
  'pending>held': [],
  'pending>scheduled': [],
  'pending>running': [],
  'pending>over': ['killed', 'quota', 'rejected'],
  'held>pending': [],
  'held>over': ['killed', 'rejected'],
  'scheduled>running': [],
  'scheduled>pending': [],
  'scheduled>over': ['killed', 'failed', 'lost'],
  'running>suspended': [],
  'running>pending': [],
  'running>over': ['success', 'failed', 'killed', 'quota', 'lost'],
  'suspended>running': [],
  'suspended>pending': [],
  'suspended>over': ['killed', 'quota', 'lost'],
  'over>archived': [],
};

const OUTCOME_CHOICES: ReadonlyArray<JobOutcome | undefined> = [undefined, ...JOB_OUTCOMES];

describe('job state machine', () => {
  it('lists exactly the expected edges', () => {
    const actual = Object.fromEntries(allowedEdges().map((e) => [`${e.from}>${e.to}`, e.outcomes]));
    expect(actual).toEqual(EXPECTED);
  });

  // Every (from, to, outcome) triple: 7 x 7 x 7 = 343 cases, each either allowed or refused.
  for (const from of JOB_STATES) {
    for (const to of JOB_STATES) {
      for (const outcome of OUTCOME_CHOICES) {
        const outcomes = EXPECTED[`${from}>${to}`];
        const allowed =
          outcomes !== undefined &&
          (outcomes.length === 0
            ? outcome === undefined
            : outcome !== undefined && outcomes.includes(outcome));
        it(`${allowed ? 'allows' : 'refuses'} ${from} -> ${to}${outcome ? ` (${outcome})` : ''}`, () => {
          expect(canTransition(from, to, outcome)).toBe(allowed);
          if (allowed) expect(() => checkTransition(from, to, outcome)).not.toThrow();
          else expect(() => checkTransition(from, to, outcome)).toThrow(IllegalTransitionError);
        });
      }
    }
  }

  it('never allows a self edge', () => {
    for (const s of JOB_STATES)
      for (const o of OUTCOME_CHOICES) expect(canTransition(s, s, o)).toBe(false);
  });

  it('makes archived final and reachable only from over', () => {
    for (const to of JOB_STATES) expect(canTransition('archived', to)).toBe(false);
    const into = allowedEdges().filter((e) => e.to === 'archived');
    expect(into.map((e) => e.from)).toEqual(['over']);
  });

  it('explains a refusal with the states and the outcomes it needs', () => {
    expect(() => checkTransition('over', 'running')).toThrow(
      'a job cannot go from over to running',
    );
    expect(() => checkTransition('running', 'over')).toThrow(
      /needs an outcome among success, failed/,
    );
    expect(() => checkTransition('pending', 'held', 'killed')).toThrow(/carries no outcome/);
  });
});

describe('GO-Docker status mapping', () => {
  const cases: Array<[JobState, JobOutcome | null, string, string]> = [
    ['pending', null, 'pending', ''],
    ['held', null, 'pending', 'hold'],
    ['scheduled', null, 'running', 'scheduled'],
    ['running', null, 'running', ''],
    ['suspended', null, 'running', 'suspended'],
    ['over', 'success', 'over', ''],
    ['over', 'failed', 'over', 'failed'],
    ['over', 'killed', 'over', 'killed'],
    ['over', 'quota', 'over', 'quota reached'],
    ['over', 'rejected', 'over', 'rejected'],
    ['over', 'lost', 'over', 'lost'],
    ['archived', 'killed', 'archived', 'killed'],
  ];
  for (const [state, outcome, primary, secondary] of cases) {
    it(`${state}${outcome ? `/${outcome}` : ''} reads ${primary}/${secondary || '-'}`, () => {
      expect(goDockerStatus(state, outcome)).toEqual({ primary, secondary });
    });
  }
});
