/**
 * FIFO: first submitted, first in line; ties by job id. Jobs are kept in per-user queues (a user's
 * jobs arrive almost always in order, so adding is an append) and a pass merges the queue heads
 * with a binary heap: O(1) add in order, O(log n) out of order, O(1) amortized remove, O(log users)
 * per candidate. FIFO ignores usage and priorities, so it has none of the optional abilities.
 */
import type { QueuedJob, SchedulingPolicy } from '@god/core';
import { MinHeap } from './heap.js';
import { compareJobs, Cursor, JobIndex, JobQueue } from '@god/policy-kit';

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
  private readonly index = new JobIndex();
  private readonly queues = new Map<string, JobQueue>();

  add(job: QueuedJob): void {
    this.remove(job.id);
    const e = this.index.insert(job);
    let q = this.queues.get(e.user);
    if (q === undefined) {
      q = new JobQueue();
      this.queues.set(e.user, q);
    }
    q.add(e);
  }

  remove(id: number): boolean {
    const e = this.index.take(id);
    if (e === undefined) return false;
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
    return this.index.size();
  }

  /** Jobs added after the iterator was created wait for the next pass (never yielded twice). */
  *ordered(_now: number): Generator<QueuedJob, void, undefined> {
    const limit = this.index.limit();
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
}
