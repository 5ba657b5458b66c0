import { describe, expect, it } from 'vitest';
import { waitFor } from './wait.js';

describe('waitFor', () => {
  it('returns the first truthy value of the check', async () => {
    let calls = 0;
    const value = await waitFor('the third call', () => (++calls >= 3 ? { calls } : null), {
      everyMs: 1,
    });
    expect(value).toEqual({ calls: 3 });
  });

  it('waits for async checks and treats 0, "" and false as not yet', async () => {
    const seen = [0, '', false, 'done'];
    let i = 0;
    expect(await waitFor('done', () => Promise.resolve(seen[i++]), { everyMs: 1 })).toBe('done');
  });

  it('throws naming what it waited for once the deadline passes', async () => {
    await expect(waitFor('never', () => false, { timeoutMs: 20, everyMs: 5 })).rejects.toThrow(
      'timed out after 20 ms: never',
    );
  });
});
