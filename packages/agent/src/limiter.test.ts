import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter.js';

describe('createLimiter', () => {
  it('never runs more than max tasks at once, and runs them all in order of arrival', async () => {
    const limit = createLimiter(3);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 1 + (i % 4)));
      active -= 1;
      return i;
    };
    const first = Array.from({ length: 10 }, (_, i) => limit(task(i)));
    // Newcomers arriving while slots are handed over must queue behind the waiters.
    await new Promise((r) => setTimeout(r, 2));
    const later = Array.from({ length: 10 }, (_, i) => limit(task(10 + i)));
    expect(await Promise.all([...first, ...later])).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('frees the slot of a task that fails', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await limit(() => Promise.resolve(7))).toBe(7);
  });
});
