/**
 * Control requests (web / CLI -> watcher) on the `control` queue: kill, suspend, resume and
 * reschedule of one job. The schema checks what arrives from Redis; `requestControl` is how
 * other processes ask. BullMQ hands each message to one watcher, and every change a handler
 * makes is a compare-and-set, so a message delivered twice (or two copies of one request) is
 * applied once.
 */
import { parseOrThrow } from '@god/core';
import { queueNames, type Queues } from '@god/coord';
import type { Queue } from 'bullmq';
import { z } from 'zod';

/** Actions a control request may ask for. */
export const CONTROL_ACTIONS = ['kill', 'suspend', 'resume', 'reschedule'] as const;

/** A control request as carried on the `control` queue. */
export const ControlRequestSchema = z.strictObject({
  action: z.enum(CONTROL_ACTIONS),
  jobId: z.number().int().positive(),
  /** Why, in the requester's words (shown in the job's status). */
  reason: z.string().max(500).default(''),
  /** Who asks (login name), for the job's status and logs. */
  by: z.string().min(1).max(200),
});
export type ControlRequest = z.output<typeof ControlRequestSchema>;
export type ControlRequestInput = z.input<typeof ControlRequestSchema>;

/** The request in `data`, or throws a ValidationError naming the bad field. */
export function parseControlRequest(data: unknown): ControlRequest {
  return parseOrThrow(ControlRequestSchema, data, 'invalid control request', 'INVALID_INPUT');
}

/** One `control` queue per queue factory (closed with it), not one per request. */
const controlQueues = new WeakMap<Queues, Queue<ControlRequest, string>>();

/**
 * Queues a control request for the watchers; resolves to the queue message id (its result is
 * the handler's answer, e.g. `killed`, `sent`, `rescheduled`).
 */
export async function requestControl(queues: Queues, msg: ControlRequestInput): Promise<string> {
  const request = parseControlRequest(msg);
  let queue = controlQueues.get(queues);
  if (queue === undefined) {
    queue = queues.createQueue<ControlRequest, string>(queueNames.control);
    controlQueues.set(queues, queue);
  }
  const added = await queue.add(request.action, request, {
    // Kept a while so the requester can read the answer, then dropped.
    removeOnComplete: { age: 3_600, count: 10_000 },
    removeOnFail: { age: 24 * 3_600 },
  });
  if (added.id === undefined) throw new Error('BullMQ returned no id');
  return added.id;
}
