import { describe, expect, it } from 'vitest';
import { lostDecision } from './lost-hosts.js';

describe('lostDecision', () => {
  const retryOnce = { retries: 1, on_lost: 'retry' } as const;
  it.each([
    ['first loss with one retry: queued again', 1, retryOnce, 'retry'],
    ['second loss with one retry: lost', 2, retryOnce, 'end'],
    ['no retries: lost at once', 1, { retries: 0, on_lost: 'retry' }, 'end'],
    ['third loss with two retries: lost', 3, { retries: 2, on_lost: 'retry' }, 'end'],
    ['second loss with two retries: queued again', 2, { retries: 2, on_lost: 'retry' }, 'retry'],
    ['on_lost end ignores retries', 1, { retries: 5, on_lost: 'end' }, 'end'],
  ] as const)('%s', (_name, attempts, policy, expected) => {
    expect(lostDecision({ attempts }, policy)).toBe(expected);
  });
});
