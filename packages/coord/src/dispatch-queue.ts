/**
 * The scheduler's hand-offs to agents: placements to each shard's queue, batched, and control
 * requests (kill, suspend, resume) to each host's control queue. A pass's placements for one
 * shard go as DispatchBatch messages of up to `maxBatch` placements each, all of a shard in one
 * `addBulk` (one round trip); the agent checks and starts each placement on its own, so a
 * redelivered batch starts nothing twice (its jobs are no longer `scheduled`).
 */
import {
  dispatchId,
  MAX_DISPATCH_BATCH,
  type ControlMessage,
  type DispatchBatch,
  type DispatchMessage,
} from '@god/core';
import type { Queue } from 'bullmq';
import { queueNames } from './keys.js';
import type { Queues } from './queues.js';

/** Sends placements and control requests to the agents' queues. */
export interface DispatchQueue {
  /** Sends placements: per shard, one `addBulk` of messages of up to `maxBatch` placements. */
  dispatch(messages: readonly DispatchMessage[]): Promise<void>;
  /** Sends a control request to the agent of `host`. */
  control(host: string, msg: ControlMessage): Promise<void>;
  /** Closes the queues this object opened. */
  close(): Promise<void>;
}

/** A dispatch queue on `queues`; `maxBatch` (default MAX_DISPATCH_BATCH) placements a message. */
export function createDispatchQueue(
  queues: Pick<Queues, 'createQueue'>,
  opts: { maxBatch?: number } = {},
): DispatchQueue {
  const maxBatch = opts.maxBatch ?? MAX_DISPATCH_BATCH;
  const open = new Map<string, Queue>();
  const queueFor = (name: string): Queue => {
    let q = open.get(name);
    if (q === undefined) open.set(name, (q = queues.createQueue(name)));
    return q;
  };
  return {
    async dispatch(messages) {
      const byQueue = new Map<string, DispatchMessage[]>();
      for (const m of messages) {
        const name = queueNames.shard(m.host, m.shard);
        const list = byQueue.get(name) ?? [];
        list.push(m);
        byQueue.set(name, list);
      }
      await Promise.all(
        [...byQueue].map(([name, list]) => queueFor(name).addBulk(bulkOf(list, maxBatch))),
      );
    },
    async control(host, msg) {
      await queueFor(queueNames.hostControl(host)).add(msg.action, msg);
    },
    async close() {
      await Promise.all([...open.values()].map((q) => q.close()));
      open.clear();
    },
  };
}

/** The queue messages of one shard's placements, `maxBatch` a message. */
function bulkOf(list: readonly DispatchMessage[], maxBatch: number) {
  const bulk = [];
  for (let at = 0; at < list.length; at += maxBatch) {
    const batch = list.slice(at, at + maxBatch);
    const first = batch[0]!;
    bulk.push({
      name: 'start',
      data: { batch } satisfies DispatchBatch,
      opts: {
        jobId: `${dispatchId(first)}-n${batch.length}`,
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    });
  }
  return bulk;
}
