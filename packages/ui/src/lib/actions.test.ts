import { describe, expect, it } from 'vitest';
import { canTransition, JOB_STATES, type JobState } from '@god/core/browser';
import { allowedActions, type ActionableJob } from './actions.js';

const me = { user: 'alice', admin: false };
const placement = { host: 'h1', shard: '0', cpus: '0-1', mems: '0', gpus: [], ports: [] };

function job(state: JobState, opts: { array?: boolean; placed?: boolean } = {}): ActionableJob {
  const isPlaced = opts.placed ?? ['scheduled', 'running', 'suspended'].includes(state);
  return {
    state,
    placement: isPlaced ? placement : null,
    user: { id: 'alice', uid: 1000, gid: 1000, sgids: [], project: 'default' },
    requirements: {
      array:
        opts.array === true
          ? { spec: '1:3', first: 1, last: 3, step: 1, count: 3, limit: 0 }
          : null,
    },
  };
}

describe('allowedActions', () => {
  it.each<[JobState, string[]]>([
    ['pending', ['kill', 'hold']],
    ['held', ['kill', 'release']],
    ['scheduled', ['kill', 'reschedule']],
    ['running', ['kill', 'suspend', 'reschedule']],
    ['suspended', ['kill', 'resume', 'reschedule']],
    ['over', ['archive']],
    ['archived', []],
  ])('a %s job offers %j', (state, actions) => {
    expect(allowedActions(job(state), me)).toEqual(actions);
  });

  it('an array job is killed or held, never suspended or rescheduled', () => {
    expect(allowedActions(job('running', { array: true, placed: false }), me)).toEqual(['kill']);
    expect(allowedActions(job('pending', { array: true }), me)).toEqual(['kill', 'hold']);
  });

  it('offers nothing without a session', () => {
    expect(allowedActions(job('running'), null)).toEqual([]);
  });

  it('never offers an action whose edge the state machine lacks', () => {
    const edge: Record<string, [JobState, string]> = {
      kill: ['over', 'killed'],
      suspend: ['suspended', ''],
      resume: ['running', ''],
      reschedule: ['pending', ''],
      hold: ['held', ''],
      release: ['pending', ''],
      archive: ['archived', ''],
    };
    for (const state of JOB_STATES)
      for (const a of allowedActions(job(state), me)) {
        const [to, outcome] = edge[a]!;
        expect(canTransition(state, to, outcome === '' ? null : 'killed'), `${state} ${a}`).toBe(
          true,
        );
      }
  });
});
