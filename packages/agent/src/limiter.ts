/**
 * A concurrency limit shared by every message of one shard queue: a batch of a hundred starts
 * runs at most `max` of them at once, and so do many batches together.
 */

/** Runs tasks with at most `max` in flight; the others wait their turn in order. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Creates a limiter allowing `max` (at least 1) tasks at once. */
export function createLimiter(max: number): Limiter {
  const waiting: Array<() => void> = [];
  let active = 0;
  const release = (): void => {
    // The slot passes straight to the next waiter, so no newcomer can slip in between.
    const next = waiting.shift();
    if (next === undefined) active -= 1;
    else next();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < Math.max(1, max)) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
