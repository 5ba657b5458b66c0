/** One job action as an API call, and a bulk of them with each result reported. */
import { ApiError, type GodClient } from '@god/client';
import type { JobAction } from '../lib/actions.js';

/** Calls the route of `action` on job `id`. */
export async function runAction(client: GodClient, id: number, action: JobAction): Promise<void> {
  switch (action) {
    case 'kill':
    case 'suspend':
    case 'resume':
    case 'reschedule':
      await client.control(id, action);
      return;
    case 'hold':
      await client.hold(id);
      return;
    case 'release':
      await client.release(id);
      return;
    case 'archive':
      await client.archive(id);
      return;
  }
}

/** What a bulk action did: the jobs it was done to, and why it failed for the others. */
export interface BulkResult {
  action: JobAction;
  done: number[];
  failed: Array<{ id: number; message: string }>;
}

/** `action` on every job of `ids`, one call each, all of them tried whatever fails. */
export async function runBulk(
  client: GodClient,
  ids: readonly number[],
  action: JobAction,
): Promise<BulkResult> {
  const results = await Promise.allSettled(ids.map((id) => runAction(client, id, action)));
  const out: BulkResult = { action, done: [], failed: [] };
  results.forEach((r, i) => {
    const id = ids[i]!;
    if (r.status === 'fulfilled') out.done.push(id);
    else
      out.failed.push({
        id,
        message:
          r.reason instanceof ApiError || r.reason instanceof Error
            ? r.reason.message
            : String(r.reason),
      });
  });
  return out;
}
