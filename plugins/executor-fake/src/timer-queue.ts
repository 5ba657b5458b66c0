/**
 * Many timers on one `setTimeout`: a binary min-heap of due times (ties in insertion order) and
 * a single armed host timer for the earliest. Tens of thousands of job ends cost one heap entry
 * each, and all entries due together run in one timer callback.
 *
 * Due times are in the caller's clock (`now`). When the host timer fires, every entry due by
 * `max(now(), the time it was armed for)` runs, and later delays count from there: a clock that
 * lags the host's timers (a frozen simulation clock, or Date.now a millisecond behind Node's
 * monotonic timers) neither stalls the queue nor makes it spin.
 */

/** A scheduled callback; `cancel()` is idempotent and cheap (the heap entry is dropped lazily). */
export interface TimerHandle {
  readonly due: number;
  cancel(): void;
}

/** Callbacks at due times on a shared host timer. */
export interface TimerQueue {
  /** Runs `fn` once `due` (in the queue's clock) is reached; never synchronously. */
  at(due: number, fn: () => void): TimerHandle;
  /** Entries still in the heap, cancelled ones included until they surface. */
  readonly size: number;
  /** Cancels everything and disarms the host timer. */
  clear(): void;
}

interface Entry extends TimerHandle {
  seq: number;
  fn: (() => void) | null;
}

/** setTimeout's longest delay; longer waits re-arm. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** A timer queue on the given clock; errors thrown by callbacks go to `onError`. */
export function createTimerQueue(now: () => number, onError: (err: unknown) => void): TimerQueue {
  const heap: Entry[] = [];
  let seq = 0;
  let timer: NodeJS.Timeout | null = null;
  let armedFor = Infinity;
  /** The latest time the queue has run up to: `now()` may not have caught up with it. */
  let reached = -Infinity;

  function arm(): void {
    const top = heap[0];
    if (top === undefined || top.due >= armedFor) return;
    if (timer !== null) clearTimeout(timer);
    const t = Math.max(now(), reached);
    const delay = Math.min(Math.max(0, top.due - t), MAX_DELAY_MS);
    armedFor = delay === MAX_DELAY_MS ? t + delay : top.due;
    timer = setTimeout(fire, delay);
  }

  function fire(): void {
    const limit = Math.max(now(), armedFor, reached);
    reached = limit;
    timer = null;
    armedFor = Infinity;
    // Entries added while draining wait for the next arm: a callback that schedules another
    // immediate one cannot keep this loop going forever.
    const lastSeq = seq;
    for (let top = heap[0]; top !== undefined; top = heap[0]) {
      if (top.due > limit || top.seq >= lastSeq) break;
      pop(heap);
      const fn = top.fn;
      if (fn === null) continue;
      top.fn = null;
      try {
        fn();
      } catch (err) {
        onError(err);
      }
    }
    dropCancelledTop();
    arm();
  }

  function dropCancelledTop(): void {
    while (heap[0] !== undefined && heap[0].fn === null) pop(heap);
  }

  return {
    at(due, fn) {
      const entry: Entry = {
        due,
        seq: seq++,
        fn,
        cancel() {
          entry.fn = null;
        },
      };
      push(heap, entry);
      arm();
      return entry;
    },
    get size() {
      return heap.length;
    },
    clear() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      armedFor = Infinity;
      for (const e of heap) e.fn = null;
      heap.length = 0;
    },
  };
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function push(heap: Entry[], entry: Entry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent];
    if (p === undefined || !before(entry, p)) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = entry;
}

function pop(heap: Entry[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const left = heap[l];
    const right = heap[l + 1];
    if (left === undefined) break;
    const child = right !== undefined && before(right, left) ? right : left;
    if (!before(child, last)) break;
    heap[i] = child;
    i = child === left ? l : l + 1;
  }
  heap[i] = last;
}
