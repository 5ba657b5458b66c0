/** Runs `fn` on every item, at most `limit` at once (file system calls go through a thread pool). */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Entries handled at once within one directory (directories themselves go one at a time). */
export const PARALLEL = 16;
