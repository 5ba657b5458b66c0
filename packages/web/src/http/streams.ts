/**
 * Long-lived connections (live events, followed logs; later SSH sessions and the web terminal)
 * hold a descriptor and memory for as long as the client wants: every one takes a slot here
 * first. Slots are capped per user and per process (429 with Retry-After past either cap), a
 * stream that sent no data for `web.stream_idle_ms` is closed, and a client that stops reading
 * is dropped instead of buffered without end. SSE streams also get a heartbeat comment.
 */
import type { Response } from 'express';
import type { Config } from '@god/core';
import { HttpError } from './errors.js';

/** The caps and timers of a registry (from `web.*`). */
export interface StreamLimits {
  maxPerUser: number;
  max: number;
  idleMs: number;
  heartbeatMs: number;
}

/** The limits the configuration sets. */
export function streamLimitsOf(web: Config['web']): StreamLimits {
  return {
    maxPerUser: web.max_streams_per_user,
    max: web.max_streams,
    idleMs: web.stream_idle_ms,
    heartbeatMs: web.stream_heartbeat_ms,
  };
}

/** One taken slot. */
export interface StreamSlot {
  /** Aborts when the registry ends the stream (idle, shutdown); the owner then closes it. */
  readonly signal: AbortSignal;
  /** Data reached the client: the stream is not idle. */
  touch(): void;
  /** Gives the slot back (idempotent). */
  release(): void;
}

/** Every long-lived stream of the process. */
export interface StreamRegistry {
  /** Takes a slot for `user`, or throws a 429 HttpError (nothing is taken). */
  acquire(user: string): StreamSlot;
  /** Streams open now, overall or of one user. */
  count(user?: string): number;
  /** Ends every stream (process shutdown). */
  closeAll(): void;
  readonly limits: StreamLimits;
}

/** Seconds a refused client should wait: about one heartbeat, when slots may have freed. */
const RETRY_AFTER_S = 10;

/** Creates the registry; `now` and timers are the process's own. */
export function createStreamRegistry(limits: StreamLimits): StreamRegistry {
  const byUser = new Map<string, number>();
  const open = new Set<() => void>();
  return {
    limits,
    acquire(user) {
      const mine = byUser.get(user) ?? 0;
      if (mine >= limits.maxPerUser)
        throw new HttpError(
          'LIMIT_EXCEEDED',
          `web.max_streams_per_user is ${limits.maxPerUser} and ${user} has ${mine} streams open`,
          RETRY_AFTER_S,
        );
      if (open.size >= limits.max)
        throw new HttpError(
          'LIMIT_EXCEEDED',
          `web.max_streams is ${limits.max} and as many streams are open`,
          RETRY_AFTER_S,
        );
      byUser.set(user, mine + 1);
      const ctrl = new AbortController();
      let idle: NodeJS.Timeout | null = null;
      const arm = (): void => {
        if (idle !== null) clearTimeout(idle);
        idle = setTimeout(() => ctrl.abort(new Error('idle')), limits.idleMs);
        idle.unref();
      };
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        if (idle !== null) clearTimeout(idle);
        open.delete(end);
        const n = (byUser.get(user) ?? 1) - 1;
        if (n <= 0) byUser.delete(user);
        else byUser.set(user, n);
      };
      const end = (): void => ctrl.abort(new Error('shutdown'));
      open.add(end);
      arm();
      return { signal: ctrl.signal, touch: arm, release };
    },
    count: (user) => (user === undefined ? open.size : (byUser.get(user) ?? 0)),
    closeAll() {
      for (const end of [...open]) end();
    },
  };
}

/** Most bytes a slow SSE client may leave unread before it is dropped. */
const MAX_UNREAD = 1024 * 1024;

/** An open server-sent-events stream. */
export interface SseStream {
  /** Sends one event (data as JSON); false once the stream is closed. */
  send(event: string, data: unknown): boolean;
  /** Aborts when the stream is closed, by the client or by the registry. */
  readonly signal: AbortSignal;
  /** What the stream follows is still alive (a running job): not idle, though nothing was sent. */
  busy(): void;
  /** Ends the stream and frees its slot (idempotent). */
  close(): void;
}

/**
 * Takes a slot for `user` (or throws the 429 before anything is written), then answers `res`
 * as an SSE stream with a heartbeat comment every `heartbeatMs`, closed when the client leaves,
 * stays idle past `idleMs`, or reads too slowly.
 */
export function openSse(registry: StreamRegistry, user: string, res: Response): SseStream {
  const slot = registry.acquire(user);
  const ctrl = new AbortController();
  // A comment keeps proxies from closing a quiet stream; it does not count as activity.
  const beat = setInterval(() => write(': ping\n\n'), registry.limits.heartbeatMs);
  beat.unref();
  const close = (): void => {
    if (ctrl.signal.aborted) return;
    ctrl.abort();
    clearInterval(beat);
    slot.release();
    res.end();
  };
  const write = (text: string): boolean => {
    if (ctrl.signal.aborted) return false;
    res.write(text);
    if (res.writableLength > MAX_UNREAD) close();
    return !ctrl.signal.aborted;
  };
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  write(': connected\n\n');
  slot.signal.addEventListener('abort', close, { once: true });
  res.once('close', close);
  return {
    signal: ctrl.signal,
    send(event, data) {
      const ok = write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (ok) slot.touch();
      return ok;
    },
    busy: () => slot.touch(),
    close,
  };
}
