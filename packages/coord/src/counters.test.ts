import { ValidationError } from '@god/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCounters, type Counters } from './counters.js';
import { counterNames } from './keys.js';
import { Clients, makeTestKeys } from './test-helpers.js';

const clients = new Clients();
afterEach(() => clients.closeAll());

const ALICE = counterNames.pendingOfUser('alice');
const BOB = counterNames.pendingOfUser('bob');
const ALL = counterNames.pending();

function freshCounters(): Counters {
  return createCounters({ redis: clients.connect(), keys: makeTestKeys() });
}

describe('counters', () => {
  it('lets exactly max of many concurrent increments from many clients through', async () => {
    const keys = makeTestKeys();
    const many = Array.from({ length: 10 }, () =>
      createCounters({ redis: clients.connect(), keys }),
    );
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => many[i % many.length]!.incrWithin(ALL, 1, 100)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(100);
    expect(await many[0]!.get(ALL)).toBe(100);
    const refused = results.find((r) => !r.ok);
    expect(refused).toEqual({ ok: false, blockedBy: ALL, value: 100, max: 100 });
  });

  it('treats max 0 as unlimited and refuses a step that would overshoot', async () => {
    const c = freshCounters();
    expect(await c.incrWithin(ALL, 1_000, 0)).toEqual({ ok: true, values: [1_000] });
    expect(await c.incrWithin(ALICE, 3, 4)).toEqual({ ok: true, values: [3] });
    expect(await c.incrWithin(ALICE, 2, 4)).toEqual({
      ok: false,
      blockedBy: ALICE,
      value: 3,
      max: 4,
    });
    expect(await c.incrWithin(ALICE, 1, 4)).toEqual({ ok: true, values: [4] });
  });

  it('increments several counters all or nothing', async () => {
    const c = freshCounters();
    const limits = (user: string) => [
      { name: user, max: 2 },
      { name: ALL, max: 3 },
    ];
    expect(await c.incrAllWithin(limits(ALICE), 1)).toEqual({ ok: true, values: [1, 1] });
    expect(await c.incrAllWithin(limits(ALICE), 1)).toEqual({ ok: true, values: [2, 2] });
    // alice is at her own limit: nothing changes, not even the overall counter.
    expect(await c.incrAllWithin(limits(ALICE), 1)).toMatchObject({ ok: false, blockedBy: ALICE });
    expect(await c.get(ALL)).toBe(2);
    expect(await c.incrAllWithin(limits(BOB), 1)).toEqual({ ok: true, values: [1, 3] });
    // The overall limit blocks bob, and his own counter is left alone.
    expect(await c.incrAllWithin(limits(BOB), 1)).toMatchObject({
      ok: false,
      blockedBy: ALL,
      value: 3,
    });
    expect(await c.get(BOB)).toBe(1);
    await expect(
      c.incrAllWithin(
        [
          { name: ALL, max: 5 },
          { name: ALL, max: 5 },
        ],
        1,
      ),
    ).rejects.toThrow(/twice/);
  });

  it('never decrements below zero', async () => {
    const c = freshCounters();
    await c.incrWithin(ALICE, 2, 0);
    expect(await c.decr(ALICE)).toBe(1);
    expect(await c.decr(ALICE, 5)).toBe(0);
    expect(await c.decr(ALICE)).toBe(0);
    expect(await c.decr(BOB)).toBe(0);
    expect(await c.get(ALICE)).toBe(0);
    expect(await c.incrWithin(ALICE, 1, 1)).toEqual({ ok: true, values: [1] });
  });

  it('rebuilds all counters at once, dropping those not given', async () => {
    const c = freshCounters();
    await c.incrWithin(ALICE, 7, 0);
    await c.incrWithin(BOB, 2, 0);
    await c.incrWithin(ALL, 9, 0);
    await c.rebuild({ [ALICE]: 3, [ALL]: 3, [BOB]: 0 });
    expect(await c.getAll()).toEqual(
      new Map([
        [ALICE, 3],
        [ALL, 3],
      ]),
    );
    await c.rebuild(new Map());
    expect(await c.getAll()).toEqual(new Map());
    await c.set(BOB, 4);
    expect(await c.get(BOB)).toBe(4);
    await c.set(BOB, 0);
    expect(await c.getAll()).toEqual(new Map());
  });

  it('refuses nonsense amounts', async () => {
    const c = freshCounters();
    await expect(c.incrWithin(ALL, 0, 10)).rejects.toThrow(ValidationError);
    await expect(c.incrWithin(ALL, 1, -1)).rejects.toThrow(ValidationError);
    await expect(c.decr(ALL, 1.5)).rejects.toThrow(ValidationError);
    await expect(c.rebuild({ [ALL]: -2 })).rejects.toThrow(ValidationError);
  });
});
