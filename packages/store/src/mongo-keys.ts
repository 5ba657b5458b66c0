/**
 * How job ids are spelled as MongoDB `_id`s: a string of `KEY_WIDTH` digits, zero-padded, so
 * that string order (how `_id`s sort and compare) is numeric order. The Store speaks numbers;
 * only the adapter sees keys.
 *
 * Why strings: FerretDB v1's SQLite backend hands a filter to SQLite only when it is exactly
 * `{_id: <string or ObjectId>}` (internal/backends/sqlite/collection.go, Query). Any other
 * filter (a numeric `_id`, or `_id` with a second key) makes FerretDB decode every document of
 * the collection in Go to test it, about ten times the cost per document of SQLite testing the
 * `_id` itself. So every per-job read and write of this adapter filters with `byKey` and
 * nothing else. (Even then FerretDB v1.24 does not use the `_id` index: its WHERE spells the
 * path `->'$._id'`, its index `->"_id"`, so SQLite still scans the table; a find with a limit
 * stops at the match, but every update and delete scans the whole table. See mongo-jobs.ts.)
 */
import { ValidationError } from '@god/core';

/** Digits of a key: 15 covers every id up to 10^15 - 1, all exact as JavaScript numbers. */
export const KEY_WIDTH = 15;

/** The largest job id a key can spell. */
export const MAX_JOB_ID = 10 ** KEY_WIDTH - 1;

/** True when `id` is a job id a key can spell (a whole number from 0 to MAX_JOB_ID). */
export function isKeyable(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 0 && id <= MAX_JOB_ID;
}

/** The `_id` of job `id`; throws on anything that is not a keyable id. */
export function jobKey(id: number): string {
  if (!isKeyable(id)) {
    throw new ValidationError('invalid job id', [
      { path: 'id', message: `must be a whole number from 0 to ${MAX_JOB_ID}` },
    ]);
  }
  return String(id).padStart(KEY_WIDTH, '0');
}

/** The `_id` of job `id`, or null when no job can have that id (so none exists). */
export function jobKeyOrNull(id: number): string | null {
  return isKeyable(id) ? jobKey(id) : null;
}

/** The job id a key spells. */
export function jobIdOf(key: string): number {
  return Number(key);
}

/**
 * The key every id above `afterId` is greater than, for `_id: {$gt: …}`. An `afterId` beyond
 * the largest id is clamped to it: nothing is greater, as nothing is greater than `afterId`.
 */
export function afterKey(afterId: number): string {
  return jobKey(Math.min(Math.max(0, Math.trunc(afterId)), MAX_JOB_ID));
}

/**
 * The one filter a per-job command may carry: exactly `{_id: key}`, nothing else, so FerretDB
 * lets SQLite find the document instead of decoding the whole collection.
 */
export function byKey(key: string): { _id: string } {
  return { _id: key };
}
