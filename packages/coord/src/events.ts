/**
 * The event stream (Redis Streams): processes publish small typed events (`job.submitted`,
 * `job.over`, ...) that wake the scheduler and feed live views. Events are hints, not the truth:
 * a consumer that missed some (stream trimmed, Redis restarted) rebuilds from the Store.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { GodError, ValidationError } from '@god/core';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { silentLogger, type Logger } from './logger.js';

/** Any JSON value. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The fields of an event besides its type: usually a job id, and any JSON fields. */
export interface EventData {
  jobId?: number;
  [field: string]: JsonValue | undefined;
}

/** An event: a type (`job.submitted`) and its data, carried as JSON. */
export interface GodEvent extends EventData {
  type: string;
}

/** An event as read from the stream, with its stream id (resume from it with `from`). */
export interface StreamEvent {
  id: string;
  event: GodEvent;
}

/** The stream field holding the event's JSON. */
const FIELD = 'event';

/** Publishes events on the stream. */
export interface EventPublisher {
  /** Appends an event; resolves to its stream id. */
  publish(type: string, data?: EventData): Promise<string>;
  /** Appends one event of `type` per item, in one round trip (a bulk submission's). */
  publishMany(type: string, items: readonly EventData[]): Promise<void>;
}

/** Creates a publisher; the stream is trimmed to about `maxLen` entries (default 10 000). */
export function createEventPublisher(deps: {
  redis: Redis;
  keys: Keys;
  maxLen?: number;
}): EventPublisher {
  const key = deps.keys.events();
  const maxLen = deps.maxLen ?? 10_000;
  const checkType = (type: string): void => {
    if (type.length === 0)
      throw new ValidationError('invalid event', [{ path: 'type', message: 'must not be empty' }]);
  };
  return {
    async publishMany(type, items) {
      checkType(type);
      if (items.length === 0) return;
      const pipeline = deps.redis.pipeline();
      for (const data of items)
        pipeline.xadd(key, 'MAXLEN', '~', maxLen, '*', FIELD, JSON.stringify({ ...data, type }));
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err !== null);
      if (failed?.[0]) throw failed[0];
    },
    async publish(type, data = {}) {
      checkType(type);
      const json = JSON.stringify({ ...data, type });
      // `~` lets Redis trim whole macro nodes only, which keeps XADD O(1).
      const id = await deps.redis.xadd(key, 'MAXLEN', '~', maxLen, '*', FIELD, json);
      if (id === null) throw new GodError('INTERNAL', 'XADD returned no id');
      return id;
    },
  };
}

/**
 * The id of the newest event ('0-0' if none). Read it *before* loading a snapshot from the Store,
 * then consume from it: nothing published after the snapshot is missed.
 */
export async function lastEventId(redis: Redis, keys: Keys): Promise<string> {
  const newest = await redis.xrevrange(keys.events(), '+', '-', 'COUNT', 1);
  return newest[0]?.[0] ?? '0-0';
}

/** Options of an event consumer. */
export interface EventConsumerOptions {
  /** Used to make the consumer's own connection (blocking reads need one); not used itself. */
  redis: Redis;
  keys: Keys;
  /** Read events after this id; `$` (default) means after the newest one when reading starts. */
  from?: string;
  /** How long one XREAD blocks (ms); bounds nothing user-visible since `stop` interrupts it. */
  blockMs?: number;
  /** Max events per read. */
  count?: number;
  /** Wait after a failed read before retrying (ms). */
  retryMs?: number;
  logger?: Logger;
}

/** Reads the event stream in order, as an async iterable (once) or with `run`. */
export interface EventConsumer extends AsyncIterable<StreamEvent> {
  /** Calls `handler` for each event, in order, until `stop`; a handler error stops and rethrows. */
  run(handler: (e: StreamEvent) => void | Promise<void>): Promise<void>;
  /** Ends reading at once (interrupting a blocked read) and closes the connection. */
  stop(): Promise<void>;
  /** The id of the last event delivered (or the starting id). */
  lastId(): string;
}

/** Creates a consumer on its own duplicated connection. */
export function createEventConsumer(opts: EventConsumerOptions): EventConsumer {
  return new Consumer(opts);
}

class Consumer implements EventConsumer {
  private readonly conn: Redis;
  private readonly log: Logger;
  private readonly stopping = new AbortController();
  private position: string;
  private iterated = false;

  constructor(private readonly opts: EventConsumerOptions) {
    this.position = opts.from ?? '$';
    if (!/^(\$|\d+(-\d+)?)$/.test(this.position)) {
      throw new ValidationError('invalid event consumer', [
        { path: 'from', message: `must be '$' or a stream id, got '${this.position}'` },
      ]);
    }
    this.log = opts.logger ?? silentLogger;
    this.conn = opts.redis.duplicate();
    // Errors surface through failed reads; without a listener ioredis would log them to stderr.
    this.conn.on('error', () => undefined);
  }

  lastId(): string {
    return this.position;
  }

  async run(handler: (e: StreamEvent) => void | Promise<void>): Promise<void> {
    try {
      for await (const e of this) await handler(e);
    } finally {
      await this.stop();
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.conn.status === 'end') return;
    const ended = once(this.conn, 'end');
    // disconnect(), not quit(): quit would wait for a blocked XREAD to time out.
    this.conn.disconnect();
    await Promise.race([ended, sleep(1_000, undefined, { ref: false })]);
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.iterated) throw new GodError('CONFLICT', 'an event consumer can be iterated once');
    this.iterated = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<StreamEvent> {
    try {
      while (!this.stopping.signal.aborted) {
        const batch = await this.read();
        for (const [id, fields] of batch) {
          this.position = id;
          const event = parseEvent(fields);
          if (event === null) {
            this.log.warn({ eventId: id }, 'malformed event skipped');
            continue;
          }
          yield { id, event };
          if (this.stopping.signal.aborted) return;
        }
      }
    } finally {
      // Also reached when the caller breaks out of `for await`: never leak the connection.
      await this.stop();
    }
  }

  /** One read; an empty batch on timeout, on stop, or after a failure (logged, then paused). */
  private async read(): Promise<[string, string[]][]> {
    const key = this.opts.keys.events();
    try {
      if (this.position === '$') this.position = await lastEventId(this.conn, this.opts.keys);
      const reply = await this.conn.xread(
        'COUNT',
        this.opts.count ?? 100,
        'BLOCK',
        this.opts.blockMs ?? 5_000,
        'STREAMS',
        key,
        this.position,
      );
      return reply?.[0]?.[1] ?? [];
    } catch (err) {
      if (this.stopping.signal.aborted) return [];
      this.log.warn({ err }, 'event stream read failed');
      await sleep(this.opts.retryMs ?? 1_000, undefined, { signal: this.stopping.signal }).catch(
        () => undefined,
      );
      return [];
    }
  }
}

/** The event in a stream entry's fields, or null if it is not a well-formed event. */
function parseEvent(fields: string[]): GodEvent | null {
  let json: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === FIELD) json = fields[i + 1];
  if (json === undefined) return null;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const e = value as Record<string, unknown>;
    if (typeof e.type !== 'string') return null;
    if (e.jobId !== undefined && typeof e.jobId !== 'number') return null;
    return e as GodEvent;
  } catch {
    return null;
  }
}
