import { ValidationError } from '@god/core';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Keys } from './keys.js';
import {
  createLeaderElector,
  type LeaderElector,
  type LeaseTiming,
  type StopReason,
} from './lease.js';
import { currentEpoch, isEpochCurrent, leaseHolder } from './lease-scripts.js';
import { waitFor } from '@god/testkit';
import { Clients, makeTestKeys, startPartitionProxy, type PartitionProxy } from './test-helpers.js';

/** Small timings keep the suite fast; margins of 200 ms absorb event-loop jitter under load. */
const FAST: LeaseTiming = { ttlMs: 500, renewDeadlineMs: 300, retryMs: 50 };
const LEASE = 'scheduler';
const now = (): number => performance.now();

/** One term of leadership as seen by the callbacks. */
interface TermRecord {
  holder: string;
  epoch: number;
  start: number;
  end: number | null;
  reason: StopReason | null;
  /** The epoch Redis had when the term started (must be the term's own). */
  redisEpoch: Promise<number>;
}

const clients = new Clients();
const proxies: PartitionProxy[] = [];
const electors: LeaderElector[] = [];
/** One per background read (see inBackground), settled when the read is. */
const background: Promise<void>[] = [];

/**
 * Remembers a read that runs in the background so cleanup can let it finish: closing its
 * connection while it is in flight rejects it ("Connection is closed.") and, with no one
 * listening, that unhandled rejection fails the run although every test passed. A test that
 * awaits the read still sees its failure; only the copy kept here ignores it.
 */
function inBackground<T>(read: Promise<T>): Promise<T> {
  background.push(
    read.then(
      () => undefined,
      () => undefined,
    ),
  );
  return read;
}

afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop({ release: false })));
  // Stopped electors start no new terms, so no new reads: wait for those under way.
  await Promise.all(background.splice(0));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  clients.closeAll();
});

/** A contender whose terms are appended to `terms`. */
function contender(
  holder: string,
  redis: Redis,
  keys: Keys,
  terms: TermRecord[],
  timing: LeaseTiming = FAST,
  extra: { epochFloor?: () => Promise<number>; onStopped?: (r: StopReason) => void } = {},
): LeaderElector {
  const observer = clients.connect();
  let mine: TermRecord | null = null;
  const elector = createLeaderElector({
    redis,
    keys,
    name: LEASE,
    holderId: holder,
    ...timing,
    ...(extra.epochFloor ? { epochFloor: extra.epochFloor } : {}),
    onStartedLeading: (epoch) => {
      mine = {
        holder,
        epoch,
        start: now(),
        end: null,
        reason: null,
        redisEpoch: inBackground(currentEpoch(observer, keys, LEASE)),
      };
      terms.push(mine);
    },
    onStoppedLeading: (reason) => {
      if (mine) Object.assign(mine, { end: now(), reason });
      extra.onStopped?.(reason);
    },
  });
  electors.push(elector);
  return elector;
}

/** Asserts terms never overlap in time and epochs grow strictly, in start order. */
async function expectSequentialTerms(terms: TermRecord[]): Promise<void> {
  const sorted = [...terms].sort((a, b) => a.start - b.start);
  for (const [i, t] of sorted.entries()) {
    expect(await t.redisEpoch).toBe(t.epoch);
    const next = sorted[i + 1];
    if (next === undefined) continue;
    expect(t.end, `term ${t.epoch} of ${t.holder} ended before the next began`).not.toBeNull();
    expect(t.end!).toBeLessThanOrEqual(next.start);
    expect(next.epoch).toBeGreaterThan(t.epoch);
  }
}

describe('leader lease timing', () => {
  const base = {
    redis: null as unknown as Redis,
    keys: makeTestKeys(),
    name: LEASE,
    holderId: 'x',
  };
  const callbacks = { onStartedLeading: () => undefined, onStoppedLeading: () => undefined };

  it.each([
    [
      'ttl equal to renew deadline',
      { ttlMs: 300, renewDeadlineMs: 300, retryMs: 50 },
      'renewDeadlineMs',
    ],
    [
      'ttl below renew deadline',
      { ttlMs: 200, renewDeadlineMs: 300, retryMs: 50 },
      'renewDeadlineMs',
    ],
    [
      'retry equal to renew deadline',
      { ttlMs: 500, renewDeadlineMs: 300, retryMs: 300 },
      'retryMs',
    ],
    ['retry above renew deadline', { ttlMs: 500, renewDeadlineMs: 300, retryMs: 400 }, 'retryMs'],
    ['zero retry', { ttlMs: 500, renewDeadlineMs: 300, retryMs: 0 }, 'retryMs'],
    ['fractional ttl', { ttlMs: 500.5, renewDeadlineMs: 300, retryMs: 50 }, 'ttlMs'],
  ])('refuses %s at construction', (_, timing, path) => {
    let error: unknown;
    try {
      createLeaderElector({ ...base, ...callbacks, ...timing });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('INVALID_CONFIG');
    expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
  });
});

describe('leader lease', () => {
  it('never lets two contenders lead at once, across releases, crashes and partitions', async () => {
    const keys = makeTestKeys();
    const terms: TermRecord[] = [];
    const proxy = { a: await startPartitionProxy(), b: await startPartitionProxy() };
    proxies.push(proxy.a, proxy.b);
    const live = new Map<'a' | 'b', LeaderElector>();
    const spawn = async (holder: 'a' | 'b'): Promise<void> => {
      const e = contender(holder, clients.connect({}, proxy[holder].url), keys, terms);
      live.set(holder, e);
      await e.start();
    };
    let samples = 0;
    let overlaps = 0;
    const sampler = setInterval(() => {
      samples++;
      if ([...live.values()].filter((e) => e.isLeader()).length > 1) overlaps++;
    }, 1);
    try {
      await Promise.all([spawn('a'), spawn('b')]);
      for (let round = 0; round < 9; round++) {
        const [holder, leader] = await waitFor('a leader', () =>
          [...live].find(([, e]) => e.isLeader()),
        );
        const other = holder === 'a' ? 'b' : 'a';
        if (round % 3 === 0) {
          await leader.stop();
          await spawn(holder);
        } else if (round % 3 === 1) {
          await leader.stop({ release: false }); // a crash: the lease stays until it expires
          await spawn(holder);
        } else {
          proxy[holder].partition(); // the leader hears nothing, and Redis hears nothing from it
          await waitFor('the other to lead', () => live.get(other)?.isLeader(), {
            timeoutMs: 3_000,
          });
          proxy[holder].heal();
        }
        await waitFor('a new term', () => terms.length > round + 1, { timeoutMs: 3_000 });
      }
    } finally {
      clearInterval(sampler);
    }
    expect(overlaps).toBe(0);
    expect(samples).toBeGreaterThan(500);
    expect(terms.length).toBeGreaterThanOrEqual(10);
    await expectSequentialTerms(terms);
  });

  it('keeps the lease by renewing it well beyond its ttl', async () => {
    const keys = makeTestKeys();
    const terms: TermRecord[] = [];
    const a = contender('a', clients.connect(), keys, terms);
    await a.start();
    expect(a.isLeader()).toBe(true);
    const b = contender('b', clients.connect(), keys, terms);
    await b.start();
    const until = now() + 5 * FAST.ttlMs;
    await waitFor('five ttls to pass', () => {
      expect(a.isLeader()).toBe(true);
      expect(b.isLeader()).toBe(false);
      return now() > until;
    });
    expect(terms.map((t) => [t.holder, t.end])).toEqual([['a', null]]);
    expect(a.epoch()).toBe(terms[0]!.epoch);
    expect(await leaseHolder(clients.connect(), keys, LEASE)).toMatchObject({ holderId: 'a' });
  });

  it('replaces a crashed holder once its lease has expired, and not before', async () => {
    const keys = makeTestKeys();
    const terms: TermRecord[] = [];
    const direct = clients.connect();
    const a = contender('a', clients.connect(), keys, terms);
    await a.start();
    await contender('b', clients.connect(), keys, terms).start();
    await a.stop({ release: false });
    const sentAt = now();
    const ttlLeft = await direct.pttl(keys.lease(LEASE));
    expect(ttlLeft).toBeGreaterThan(0);
    const expiresNoEarlierThan = sentAt + ttlLeft;
    const b = await waitFor('b to lead', () => terms.find((t) => t.holder === 'b'), {
      timeoutMs: FAST.ttlMs + 2_000,
    });
    expect(b.start).toBeGreaterThanOrEqual(expiresNoEarlierThan - 1); // PTTL is whole ms
    expect(b.epoch).toBe(terms[0]!.epoch + 1);
  });

  it('frees the lease on stop so a standby takes over without waiting for expiry', async () => {
    const keys = makeTestKeys();
    const terms: TermRecord[] = [];
    const a = contender('a', clients.connect(), keys, terms);
    await a.start();
    await contender('b', clients.connect(), keys, terms).start();
    const stoppedAt = now();
    await a.stop();
    expect(a.isLeader()).toBe(false);
    const b = await waitFor('b to lead', () => terms.find((t) => t.holder === 'b'));
    expect(b.start - stoppedAt).toBeLessThan(FAST.ttlMs - FAST.renewDeadlineMs);
    await expectSequentialTerms(terms);
  });

  it.each(['partition', 'disconnect'] as const)(
    'stops a holder whose renewals fail (%s) before its lease can expire',
    async (failure) => {
      const keys = makeTestKeys();
      const terms: TermRecord[] = [];
      const direct = clients.connect();
      const proxy = await startPartitionProxy();
      proxies.push(proxy);
      const redisA = clients.connect({}, proxy.url);
      let leaseAtStop: Promise<[string | null, number]> | null = null;
      const a = contender('a', redisA, keys, terms, FAST, {
        onStopped: () => {
          // Runs after the stop: if the lease is still there now, it was there when a stopped.
          leaseAtStop = inBackground(
            Promise.all([direct.get(keys.lease(LEASE)), direct.pttl(keys.lease(LEASE))]),
          );
        },
      });
      await a.start();
      await contender('b', clients.connect(), keys, terms).start();
      expect(a.isLeader()).toBe(true);

      const cutAt = now();
      if (failure === 'partition') proxy.partition();
      else redisA.disconnect();

      await waitFor('a to stop leading', () => terms[0]!.end !== null, { timeoutMs: 2_000 });
      const [value, ttlLeft] = await leaseAtStop!;
      expect(terms[0]!.reason).toBe('renew-deadline');
      expect(value).toMatch(/:a$/);
      expect(ttlLeft).toBeGreaterThan(0);
      // Gave up within the renew deadline of the last renewal, which was at most retryMs before the cut.
      expect(terms[0]!.end! - cutAt).toBeLessThanOrEqual(FAST.renewDeadlineMs + 50);
      const b = await waitFor('b to lead', () => terms.find((t) => t.holder === 'b'), {
        timeoutMs: 3_000,
      });
      expect(b.start).toBeGreaterThan(terms[0]!.end!);
      await expectSequentialTerms(terms);
    },
  );

  it('fences out a holder that still believes it leads after its lease was taken', async () => {
    const keys = makeTestKeys();
    const terms: TermRecord[] = [];
    const direct = clients.connect();
    // a renews rarely, so it keeps believing it leads for a while after the lease is gone.
    const slow: LeaseTiming = { ttlMs: 6_000, renewDeadlineMs: 4_000, retryMs: 1_500 };
    const a = contender('a', clients.connect(), keys, terms, slow);
    await a.start();
    const epochA = a.epoch()!;
    expect(await a.checkEpoch()).toBe(true);
    expect(await isEpochCurrent(direct, keys, LEASE, epochA)).toBe(true);

    await direct.del(keys.lease(LEASE)); // as if it had expired
    await contender('b', clients.connect(), keys, terms).start();
    const b = await waitFor('b to lead', () => terms.find((t) => t.holder === 'b'));
    expect(b.epoch).toBeGreaterThan(epochA);
    expect(await a.checkEpoch()).toBe(false);
    expect(await isEpochCurrent(direct, keys, LEASE, epochA)).toBe(false);

    // At its next renewal a finds the lease taken and stops at once.
    await waitFor('a to stop', () => terms[0]!.end !== null, {
      timeoutMs: slow.retryMs + 1_000,
    });
    expect(terms[0]!.reason).toBe('lost');
    expect(terms[0]!.end!).toBeGreaterThan(b.start); // overlap in belief only: fenced by epoch
  });

  it('gives every new term a larger epoch, above the floor when one is given', async () => {
    const keys = makeTestKeys();
    const terms: TermRecord[] = [];
    for (const holder of ['a', 'b', 'a', 'b']) {
      const e = contender(holder, clients.connect(), keys, terms);
      await e.start();
      expect(e.isLeader()).toBe(true);
      await e.stop();
    }
    expect(terms.map((t) => t.epoch)).toEqual([1, 2, 3, 4]);

    // Redis lost its data but the Store remembers epoch 41: the next term must be above it.
    const fresh = makeTestKeys();
    const floored = contender('c', clients.connect(), fresh, terms, FAST, {
      epochFloor: () => Promise.resolve(41),
    });
    await floored.start();
    expect(floored.epoch()).toBe(42);
    await floored.stop();
    const again = contender('d', clients.connect(), fresh, terms, FAST, {
      epochFloor: () => Promise.resolve(10),
    });
    await again.start();
    expect(again.epoch()).toBe(43);
    await expectSequentialTerms(terms);
  });

  it('can be started only once', async () => {
    const e = contender('a', clients.connect(), makeTestKeys(), []);
    await e.start();
    expect(() => e.start()).toThrow(/already started/);
  });
});
