/**
 * Short locks on MongoDB documents, taken by inserting `{_id: key}`: a unique insert is the one
 * write every MongoDB-compatible server performs atomically. FerretDB v1 runs findAndModify and
 * update as read-then-write without a transaction, so a compare-and-set there can succeed twice;
 * under the lock, only one caller at a time reads and writes a given job.
 *
 * The `locks` collection only ever holds the locks held right now (a few per writer), so the
 * commands on it whose filter FerretDB v1 cannot push down to SQL (release's `{_id, token}`,
 * breakExpired's `{at}`; see mongo-keys.ts) decode a handful of documents: that is fine.
 */
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { GodError } from '@god/core';
import { backoff, isDuplicateKey, retryBusy, sleep } from './mongo-util.js';

/** A held lock; `at` lets others break it when its holder died (lease expired). */
export interface LockDoc {
  _id: string;
  token: string;
  at: number;
}

/**
 * Share of the lease after which a holder renews its lock before writing. Others break a lock
 * once its lease ran out; a write started within this share has the rest of the lease to land.
 */
const RENEW_AFTER = 0.25;

/** The lock `work` runs under. */
export interface HeldLock {
  /**
   * Call right before each write that relies on the lock. When a good part of the lease is gone
   * it renews the lock (its `at` is set to now), so the write has a whole lease to land before
   * anyone may break it; throws a retryable UNAVAILABLE, nothing written, when the lock was
   * already broken (its holder took longer than the lease).
   */
  beforeWrite(): Promise<void>;
}

/** Locks by key in one collection. */
export class MongoLocks {
  constructor(
    private readonly locks: Collection<LockDoc>,
    /** How long a holder may keep a lock before others presume it dead and break it. */
    private readonly leaseMs: number,
  ) {}

  /**
   * Runs `work` holding the lock `key`. While someone else holds it, `whileBusy` is asked after
   * each failed attempt; an answer other than undefined ends the wait with that answer (a
   * transition whose `from` is already stale need not wait for the lock at all).
   */
  async run<T>(
    key: string,
    work: (lock: HeldLock) => Promise<T>,
    whileBusy: () => Promise<T | undefined>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = randomUUID();
      const at = Date.now();
      if (await this.acquire(key, token, at)) {
        try {
          return await work(this.held(key, token, at));
        } finally {
          await this.release(key, token);
        }
      }
      const answer = await whileBusy();
      if (answer !== undefined) return answer;
      await this.breakIfExpired(key);
      await sleep(backoff(attempt));
    }
  }

  /** Removes every lock whose lease ran out (their holders are gone). */
  async breakExpired(): Promise<void> {
    await retryBusy(() => this.locks.deleteMany({ at: { $lt: Date.now() - this.leaseMs } }));
  }

  private held(key: string, token: string, acquiredAt: number): HeldLock {
    let at = acquiredAt;
    return {
      beforeWrite: async () => {
        const now = Date.now();
        if (now - at <= this.leaseMs * RENEW_AFTER) return;
        // Two keys on the small `locks` collection (see the top).
        const r = await retryBusy(() =>
          this.locks.updateOne({ _id: key, token }, { $set: { at: now } }),
        );
        if (r.matchedCount !== 1) {
          throw new GodError(
            'UNAVAILABLE',
            `lock ${key} was broken after its ${this.leaseMs} ms lease ran out: gave up before writing`,
            { retryable: true },
          );
        }
        at = now;
      },
    };
  }

  private async acquire(key: string, token: string, at: number): Promise<boolean> {
    try {
      await retryBusy(() => this.locks.insertOne({ _id: key, token, at }));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  private async release(key: string, token: string): Promise<void> {
    try {
      // Two keys, so FerretDB v1 scans `locks` for it: a few documents (see the top).
      await retryBusy(() => this.locks.deleteOne({ _id: key, token }));
    } catch {
      // The work is done and its result must reach the caller; a lock that could not be
      // removed expires after its lease.
    }
  }

  private async breakIfExpired(key: string): Promise<void> {
    const lock = await retryBusy(() => this.locks.findOne({ _id: key }));
    if (lock !== null && lock.at < Date.now() - this.leaseMs) {
      await retryBusy(() => this.locks.deleteOne({ _id: key, token: lock.token }));
    }
  }
}
