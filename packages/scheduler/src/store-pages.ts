/** Reading the store a page at a time, as a leader rebuild and an array kill do. */
import type { Job } from '@god/core';
import type { Store } from '@god/store';

const PAGE = 5_000;

/** Every job in the given states (or of an array), a page at a time. */
export async function* pages(
  store: Store,
  state: Job['state'][] | undefined,
  parent?: number,
): AsyncGenerator<Job> {
  let cursor: string | null = null;
  do {
    const page = await store.listJobs(
      { ...(state && { state }), ...(parent !== undefined && { parent }) },
      { limit: PAGE, cursor },
    );
    yield* page.jobs;
    cursor = page.nextCursor;
    // The store may answer without I/O (SQLite): let timers run between pages, or a long scan
    // would starve the lease renewals and the leader would step down mid-rebuild.
    if (cursor !== null) await new Promise<void>((resolve) => setImmediate(resolve));
  } while (cursor !== null);
}
