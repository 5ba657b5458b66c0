/**
 * The bookkeeping every queue policy repeats: its own copy of each queued job by id, stamped with
 * an add counter so that a pass's iterator only yields jobs added before it started.
 */
import type { QueuedJob } from '@god/core';
import { makeEntry, type Entry } from './job-queue.js';

/** Queued jobs by id; removal flags the entry, so the lines holding it drop it lazily. */
export class JobIndex {
  private readonly byId = new Map<number, Entry>();
  private seq = 0;

  /** Stores a copy of `job` (the caller removed any previous one first) and returns it. */
  insert(job: QueuedJob): Entry {
    const e = makeEntry(job, this.seq++);
    this.byId.set(e.id, e);
    return e;
  }

  /** Flags job `id` removed and forgets it; undefined if it was not queued. */
  take(id: number): Entry | undefined {
    const e = this.byId.get(id);
    if (e === undefined) return undefined;
    e.removed = true;
    this.byId.delete(id);
    return e;
  }

  /** The queued entry of job `id`. */
  get(id: number): Entry | undefined {
    return this.byId.get(id);
  }

  /** Whether job `id` is queued. */
  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** Queued jobs. */
  size(): number {
    return this.byId.size;
  }

  /** The add counter now: an iterator created now yields entries with `seq` below it. */
  limit(): number {
    return this.seq;
  }
}
