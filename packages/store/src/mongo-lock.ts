/**
 * Short locks on MongoDB documents, taken by inserting `{_id: key}`: a unique insert is the one
 * write every MongoDB-compatible server performs atomically. FerretDB v1 runs findAndModify and
 * update as read-then-write without a transaction, so a compare-and-set there can succeed twice;
 * under the lock, only one caller at a time reads and writes a given job.
 */
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { backoff, isDuplicateKey, retryBusy, sleep } from './mongo-util.js';

/** A held lock; `at` lets others break it when its holder died (lease expired). */
export interface LockDoc {
  _id: string;
  token: string;
  at: number;
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
    work: () => Promise<T>,
    whileBusy: () => Promise<T | undefined>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = randomUUID();
      if (await this.acquire(key, token)) {
        try {
          return await work();
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

  private async acquire(key: string, token: string): Promise<boolean> {
    try {
      await retryBusy(() => this.locks.insertOne({ _id: key, token, at: Date.now() }));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  private async release(key: string, token: string): Promise<void> {
    try {
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
