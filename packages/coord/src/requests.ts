/**
 * Requests other processes queue for the role that acts on them: control requests (kill,
 * suspend, resume, reschedule of one job; web / CLI -> watcher) on the `control` queue and
 * archive requests (web -> archiver) on the `archive` queue. Producers live here, next to the
 * queues, so that asking does not mean depending on the process that answers. The schemas check
 * what is queued and what a worker reads back from Redis. BullMQ hands each message to one
 * worker, and every change a handler makes is a compare-and-set, so a message delivered twice
 * (or two copies of one request) is applied once.
 */
import { GodError, parseOrThrow } from '@god/core';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { queueNames } from './keys.js';
import type { Queues } from './queues.js';

/** Actions a control request may ask for. */
export const CONTROL_ACTIONS = ['kill', 'suspend', 'resume', 'reschedule'] as const;
/** One of CONTROL_ACTIONS. */
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** Who asks (login name), for the job's status and logs. */
const By = z.string().min(1).max(200);

/** A control request as carried on the `control` queue. */
export const ControlRequestSchema = z.strictObject({
  action: z.enum(CONTROL_ACTIONS),
  jobId: z.number().int().positive(),
  /** Why, in the requester's words (shown in the job's status). */
  reason: z.string().max(500).default(''),
  by: By,
});
/** A control request as a watcher reads it. */
export type ControlRequest = z.output<typeof ControlRequestSchema>;
/** A control request as a producer writes it (`reason` optional). */
export type ControlRequestInput = z.input<typeof ControlRequestSchema>;

/** An archive request as carried on the `archive` queue. */
export const ArchiveRequestSchema = z.strictObject({
  jobId: z.number().int().positive(),
  by: By,
});
/** An archive request as the archiver reads it. */
export type ArchiveRequest = z.output<typeof ArchiveRequestSchema>;

/** The control request in `data`, or throws a ValidationError naming the bad field. */
export function parseControlRequest(data: unknown): ControlRequest {
  return parseOrThrow(ControlRequestSchema, data, 'invalid control request');
}

/** The archive request in `data`, or throws a ValidationError naming the bad field. */
export function parseArchiveRequest(data: unknown): ArchiveRequest {
  return parseOrThrow(ArchiveRequestSchema, data, 'invalid archive request');
}

/**
 * Queues a control request for the watchers; resolves to the queue message id (its result is
 * the handler's answer, e.g. `killed`, `sent`, `rescheduled`).
 */
export async function requestControl(queues: Queues, msg: ControlRequestInput): Promise<string> {
  const request = parseControlRequest(msg);
  return enqueue(queues, queueNames.control, request.action, request);
}

/** Queues an archive request; resolves to the queue message id (its answer: what was done). */
export async function requestArchive(queues: Queues, msg: ArchiveRequest): Promise<string> {
  const request = parseArchiveRequest(msg);
  return enqueue(queues, queueNames.archive, 'archive', request);
}

/** One queue per name and factory (closed with it), not one per request. */
const opened = new WeakMap<Queues, Map<string, Queue>>();

/** The one queue policy of requests: a queued request is kept a while for its answer. */
async function enqueue(queues: Queues, name: string, label: string, data: object): Promise<string> {
  let byName = opened.get(queues);
  if (byName === undefined) {
    byName = new Map();
    opened.set(queues, byName);
  }
  let queue = byName.get(name);
  // A factory closed at shutdown and used again (tests do) gets a fresh queue.
  if (queue === undefined || queue.closing !== undefined) {
    queue = queues.createQueue(name);
    byName.set(name, queue);
  }
  const added = await queue.add(label, data, {
    // Kept a while so the requester can read the answer, then dropped.
    removeOnComplete: { age: 3_600, count: 10_000 },
    removeOnFail: { age: 24 * 3_600 },
  });
  if (added.id === undefined) throw new GodError('INTERNAL', 'BullMQ returned no id');
  return added.id;
}
