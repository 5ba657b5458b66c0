/**
 * One line of jobs in (submitted, id) order, cheap at a million entries: jobs almost always
 * arrive in order, so adding is an append; removal is lazy (the entry stays in the array until
 * the head passes it or a compaction drops it), so it never shifts the array. Shared by the
 * queue policies (plugins depend on core and this kit only, never on each other).
 */
import type { QueuedJob } from '@god/core';

/** A queued job as a policy stores it: its own copy, stamped with when it was added. */
export interface Entry extends QueuedJob {
  /** Add counter at insertion: an iterator only yields entries added before it was created. */
  readonly seq: number;
  /** Set on removal: liveness is read on the entry itself, never by a lookup in a big map. */
  removed: boolean;
}

/** The place in line: submission time, then id. */
export function compareJobs(a: QueuedJob, b: QueuedJob): number {
  return a.submitted - b.submitted || a.id - b.id;
}

/**
 * The policy's own copy of a job: a caller that re-adds or mutates its object cannot corrupt the
 * order, and the queue keeps no reference to a larger object the caller may have passed.
 */
export function makeEntry(job: QueuedJob, seq: number): Entry {
  const { id, user, project, submitted, cpu, ram, gpus } = job;
  return { id, user, project, submitted, cpu, ram, gpus, seq, removed: false };
}

/** Dead slots tolerated before a compaction is worth its copy. */
const COMPACT_MIN = 64;

/** A sorted queue with a head index and lazy deletion (entries are flagged `removed`). */
export class JobQueue {
  /** Entries in order; all before `head` are dead, some after it may be. */
  jobs: Entry[] = [];
  head = 0;
  /** Bumped when entries move (insertion before the end, compaction): cursors re-find their place. */
  version = 0;
  /** Dead entries at or after `head`. */
  private dead = 0;

  /** Whether `e` is still queued (not removed, not replaced). */
  isLive(e: Entry): boolean {
    return !e.removed;
  }

  /** Live entries. */
  size(): number {
    return this.jobs.length - this.head - this.dead;
  }

  /** The first live entry, if any. */
  first(): Entry | undefined {
    return this.jobs[this.head];
  }

  /** Adds a new entry at its place in line. */
  add(e: Entry): void {
    const last = this.jobs[this.jobs.length - 1];
    if (last === undefined || compareJobs(last, e) < 0) {
      this.jobs.push(e);
      return;
    }
    // Rare (a re-queued job, skewed clocks): binary insertion, O(n) memmove but no re-sort.
    this.jobs.splice(this.upperBound(e), 0, e);
    this.version++;
  }

  /** Notes that one entry of this queue was flagged `removed`. */
  drop(): void {
    this.dead++;
    this.skipDead();
    const garbage = this.head + this.dead;
    if (this.size() === 0) {
      this.jobs = [];
      this.head = 0;
      this.dead = 0;
      this.version++;
    } else if (garbage > COMPACT_MIN && garbage * 2 > this.jobs.length) {
      // Amortized O(1): at least half of the copied length was garbage.
      this.jobs = this.jobs.filter((e, i) => i >= this.head && this.isLive(e));
      this.head = 0;
      this.dead = 0;
      this.version++;
    }
  }

  /** Index of the first entry at or after `head` that comes after `key` in line. */
  upperBound(key: QueuedJob): number {
    let lo = this.head;
    let hi = this.jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.jobs[mid];
      if (e !== undefined && compareJobs(e, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private skipDead(): void {
    for (;;) {
      const e = this.jobs[this.head];
      if (e === undefined || this.isLive(e)) return;
      this.head++;
      this.dead--;
    }
  }
}

/**
 * An iterator's place in one queue. It yields live entries added before the iterator, each once,
 * in order, and survives removals, insertions and compactions between two calls.
 */
export class Cursor {
  /** The entry the last `peek` returned. */
  current: Entry | undefined;
  private pos: number;
  private version: number;
  private last: Entry | null = null;

  constructor(
    readonly queue: JobQueue,
    private readonly limit: number,
  ) {
    this.pos = queue.head;
    this.version = queue.version;
  }

  /** The next entry to offer, or undefined when this queue has nothing more for the iterator. */
  peek(): Entry | undefined {
    const q = this.queue;
    if (this.version !== q.version) {
      // Entries moved: find the place again after the last entry yielded.
      this.pos = this.last === null ? q.head : q.upperBound(this.last);
      this.version = q.version;
    }
    if (this.pos < q.head) this.pos = q.head;
    for (;;) {
      const e = q.jobs[this.pos];
      if (e === undefined || (e.seq < this.limit && q.isLive(e))) {
        this.current = e;
        return e;
      }
      this.pos++;
    }
  }

  /** Marks `e`, just returned by `peek`, as yielded. */
  advance(e: Entry): void {
    this.last = e;
    this.pos++;
  }
}
