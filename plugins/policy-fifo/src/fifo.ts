/**
 * FIFO: first submitted, first in line; ties by job id. Jobs are kept in per-user queues (a user's
 * jobs arrive almost always in order, so adding is an append) and a pass merges the queue heads
 * with a binary heap: O(1) add in order, O(log n) out of order, O(1) amortized remove, O(log users)
 * per candidate.
 */
import type { QueuedJob, SchedulingPolicy } from '@god/core';
import { MinHeap } from './heap.js';
import { compareJobs, Cursor, JobQueue, makeEntry, type Entry } from '@god/core';

/** Builds an empty FIFO queue. */
export function createFifoPolicy(): SchedulingPolicy {
  return new FifoPolicy();
}

/** A cursor is ordered by the entry it offers (always set while it is in the heap). */
function cursorLess(a: Cursor, b: Cursor): boolean {
  return (
    a.current !== undefined && b.current !== undefined && compareJobs(a.current, b.current) < 0
  );
}

class FifoPolicy implements SchedulingPolicy {
  readonly name = 'FIFO';
  private readonly index = new Map<number, Entry>();
  private readonly queues = new Map<string, JobQueue>();
  private seq = 0;

  add(job: QueuedJob): void {
    this.remove(job.id);
    const e = makeEntry(job, this.seq++);
    this.index.set(e.id, e);
    let q = this.queues.get(e.user);
    if (q === undefined) {
      q = new JobQueue();
      this.queues.set(e.user, q);
    }
    q.add(e);
  }

  remove(id: number): boolean {
    const e = this.index.get(id);
    if (e === undefined) return false;
    e.removed = true;
    this.index.delete(id);
    const q = this.queues.get(e.user);
    if (q !== undefined) {
      q.drop();
      if (q.size() === 0) this.queues.delete(e.user);
    }
    return true;
  }

  has(id: number): boolean {
    return this.index.has(id);
  }

  size(): number {
    return this.index.size;
  }

  /** Jobs added after the iterator was created wait for the next pass (never yielded twice). */
  *ordered(_now: number): Generator<QueuedJob, void, undefined> {
    const limit = this.seq;
    const heap = new MinHeap<Cursor>(cursorLess);
    for (const q of this.queues.values()) {
      const c = new Cursor(q, limit);
      if (c.peek() !== undefined) heap.push(c);
    }
    for (;;) {
      const c = heap.pop();
      if (c === undefined) return;
      const keyed = c.current;
      const e = c.peek();
      if (e === undefined) continue;
      if (e !== keyed) {
        // Its entry was removed (or one was inserted before it) since it was keyed: re-sort it.
        heap.push(c);
        continue;
      }
      c.advance(e);
      if (c.peek() !== undefined) heap.push(c);
      yield e;
    }
  }

  started(): void {
    // FIFO ignores usage.
  }

  ended(): void {
    // FIFO ignores usage.
  }

  charge(): void {
    // FIFO ignores usage.
  }

  setPriorities(): void {
    // FIFO ignores priorities.
  }

  explain(id: number): string | null {
    const e = this.index.get(id);
    if (e === undefined) return null;
    let ahead = 0;
    for (const q of this.queues.values()) ahead += q.countBefore(e);
    if (ahead === 0) return 'first in line (FIFO)';
    return `behind ${ahead} job${ahead === 1 ? '' : 's'} submitted earlier (FIFO)`;
  }
}
