/**
 * Per-job serialization inside one agent: a dispatch, a control request and an exit report for
 * the same job run one after the other, never interleaved. A kill that arrives while the job is
 * starting then simply waits for the start and finds the run to stop.
 */

/** Runs tasks one at a time per key; tasks of different keys run concurrently. */
export interface KeyedSerial {
  /** Runs `task` after every task queued before it for `key`; resolves or rejects as it does. */
  run<T>(key: number, task: () => Promise<T>): Promise<T>;
  /** Resolves once every queued task (of every key) has settled. */
  idle(): Promise<void>;
}

/** Creates an empty serializer. */
export function createKeyedSerial(): KeyedSerial {
  const tails = new Map<number, Promise<unknown>>();
  return {
    run<T>(key: number, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      // A failed task must not block the next one: chain on its settling, not its success.
      const next = previous.then(task, task);
      const tail = next.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
    async idle() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}
