import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTimerQueue } from './timer-queue.js';

describe('timer queue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const fail = (err: unknown): never => {
    throw err;
  };

  it('runs callbacks by due time, ties in insertion order, on one host timer', () => {
    const q = createTimerQueue(() => Date.now(), fail);
    const seen: string[] = [];
    for (const [due, tag] of [
      [30, 'c'],
      [10, 'a1'],
      [20, 'b'],
      [10, 'a2'],
    ] as const)
      q.at(due, () => seen.push(tag));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10);
    expect(seen).toEqual(['a1', 'a2']);
    vi.advanceTimersByTime(20);
    expect(seen).toEqual(['a1', 'a2', 'b', 'c']);
    expect(q.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps one host timer for 10,000 entries and re-arms for an earlier one', () => {
    const q = createTimerQueue(() => Date.now(), fail);
    let ran = 0;
    for (let i = 0; i < 10_000; i++) q.at(1000 + (i % 100), () => ran++);
    q.at(5, () => ran++);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(5);
    expect(ran).toBe(1);
    vi.advanceTimersByTime(1100);
    expect(ran).toBe(10_001);
  });

  it('never runs a cancelled callback, and clear cancels everything', () => {
    const q = createTimerQueue(() => Date.now(), fail);
    const seen: number[] = [];
    const h = q.at(10, () => seen.push(1));
    q.at(20, () => seen.push(2));
    h.cancel();
    h.cancel();
    vi.advanceTimersByTime(30);
    expect(seen).toEqual([2]);
    q.at(40, () => seen.push(3));
    q.clear();
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([2]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('progresses on a clock that does not move with the host timers', () => {
    const q = createTimerQueue(() => 0, fail);
    const seen: number[] = [];
    q.at(50, () => seen.push(50));
    q.at(70, () => seen.push(70));
    vi.advanceTimersByTime(50);
    expect(seen).toEqual([50]);
    vi.advanceTimersByTime(20);
    expect(seen).toEqual([50, 70]);
  });

  it('defers entries added while draining to the next tick, and reports thrown errors', () => {
    const errors: unknown[] = [];
    const q = createTimerQueue(
      () => Date.now(),
      (err) => errors.push(err),
    );
    let chained = 0;
    const again = (): void => {
      chained++;
      q.at(Date.now(), again);
    };
    q.at(0, again);
    q.at(0, () => {
      throw new Error('boom');
    });
    vi.advanceTimersByTime(0);
    expect(chained).toBe(1);
    expect(errors).toHaveLength(1);
    // Fake timers give a 0 ms timer set during a tick 1 ms, as Node gives every 0 ms timer.
    vi.advanceTimersByTime(1);
    expect(chained).toBe(2);
    q.clear();
  });
});
