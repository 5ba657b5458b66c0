/** Error predicates and retries for MongoDB servers, FerretDB v1 included. */
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoServerError } from 'mongodb';
import { GodError } from '@god/core';

export { sleep };

/** True for a duplicate-key error (E11000): an insert or upsert lost to another writer. */
export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/**
 * True for a write refused because the server's own storage was busy and nothing was written.
 * FerretDB v1 on SQLite answers concurrent writes with `SQLITE_BUSY` as an InternalError.
 */
export function isBusy(err: unknown): boolean {
  return err instanceof MongoServerError && /SQLITE_BUSY|database is locked/.test(err.message);
}

/** Milliseconds to wait before retry `attempt` (0-based): exponential to 50 ms, with jitter. */
export function backoff(attempt: number): number {
  return Math.min(50, 2 ** attempt) * (0.5 + Math.random());
}

/** How long an operation keeps retrying a busy server before giving up. */
const BUSY_DEADLINE_MS = 30_000;

/**
 * Runs `op`, retrying while the server reports it busy (nothing was written then). A server
 * still busy at the deadline is overloaded: that is a retryable UNAVAILABLE for the caller.
 */
export async function retryBusy<T>(op: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!isBusy(err)) throw err;
      if (Date.now() > deadline) {
        throw new GodError('UNAVAILABLE', `the database stayed busy for ${BUSY_DEADLINE_MS} ms`, {
          retryable: true,
          cause: err,
        });
      }
    }
    await sleep(backoff(attempt));
  }
}

/** Inserts with `insert`; a duplicate key means the document is there already, which is fine. */
export async function insertIfAbsent(insert: () => Promise<unknown>): Promise<void> {
  try {
    await retryBusy(insert);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** Runs an upsert, again when it lost an insert race (FerretDB v1 upserts are not atomic). */
export async function upsert(op: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await retryBusy(op);
      return;
    } catch (err) {
      // The second try finds the document the winner inserted and updates it.
      if (!isDuplicateKey(err) || attempt >= 3) throw err;
    }
  }
}
