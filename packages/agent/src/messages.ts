/**
 * Checks of the messages an agent reads from its queues. They come from Redis, written by other
 * processes (maybe of another version): a malformed one is dropped with a log line, never half
 * acted upon.
 */
import { MAX_DISPATCH_BATCH, type ControlMessage, type DispatchMessage } from '@god/core';

const CONTROL_ACTIONS: ReadonlySet<string> = new Set(['kill', 'suspend', 'resume']);

/** The dispatch message in `data`, or null when `data` is not one. */
export function parseDispatch(data: unknown): DispatchMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (!isId(m.jobId) || !isId(m.attempt) || !isCount(m.epoch)) return null;
  if (typeof m.host !== 'string' || typeof m.shard !== 'string') return null;
  return { jobId: m.jobId, attempt: m.attempt, epoch: m.epoch, host: m.host, shard: m.shard };
}

/**
 * The dispatch messages in `data`: one DispatchMessage or a DispatchBatch. Null when `data` is
 * neither; `malformed` counts the entries of a batch that are not messages (dropped, the others
 * stand).
 */
export function parseDispatches(
  data: unknown,
): { messages: DispatchMessage[]; malformed: number } | null {
  const one = parseDispatch(data);
  if (one !== null) return { messages: [one], malformed: 0 };
  if (typeof data !== 'object' || data === null) return null;
  const batch = (data as Record<string, unknown>).batch;
  if (!Array.isArray(batch) || batch.length === 0 || batch.length > MAX_DISPATCH_BATCH) return null;
  const messages = batch.map(parseDispatch).filter((m): m is DispatchMessage => m !== null);
  return { messages, malformed: batch.length - messages.length };
}

/** The control message in `data`, or null when `data` is not one. */
export function parseControl(data: unknown): ControlMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (!isId(m.jobId) || typeof m.action !== 'string' || !CONTROL_ACTIONS.has(m.action)) return null;
  const reason = typeof m.reason === 'string' ? m.reason : '';
  const action = m.action as ControlMessage['action'];
  // Only a kill carries an outcome, and only `quota` differs from the default; only a kill
  // names the attempt whose run it stops.
  return {
    jobId: m.jobId,
    action,
    reason,
    ...(action === 'kill' && m.outcome === 'quota' && { outcome: 'quota' as const }),
    ...(action === 'kill' && isId(m.attempt) && { attempt: m.attempt }),
  };
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
