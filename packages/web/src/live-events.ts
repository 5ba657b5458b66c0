/**
 * Live job events for browsers and CLIs (SSE). One reader of the Redis event stream per web
 * process fans events out to every connected client; each client only gets events of jobs it
 * may see (the job is read once per event, whoever listens). Events are hints: a client that
 * needs the truth reads the job. The route that connects clients is in `api/live.ts`.
 */
import type { Job } from '@god/core';
import {
  createEventConsumer,
  type EventConsumer,
  type GodEvent,
  type Keys,
  type Logger,
  type Redis,
} from '@god/coord';
import type { Store } from '@god/store';
import type { Principal } from './auth/principal.js';

/** One connected client. */
export interface Listener {
  principal: Principal;
  /** Only this job's events, when set. */
  jobId: number | null;
  send(event: GodEvent, job: Job | null): void;
}

/** The fan-out of the event stream to SSE clients. */
export interface LiveEvents {
  /** Adds a client; returns the function that removes it. */
  add(listener: Listener, visible: (p: Principal, job: Job) => Promise<boolean>): () => void;
  /** Clients connected now. */
  clients(): number;
  /** Stops reading the stream and ends every client. */
  stop(): Promise<void>;
}

/** Starts reading the stream (from now on) for the clients that will connect. */
export function createLiveEvents(deps: {
  redis: Redis;
  keys: Keys;
  store: Store;
  logger: Logger;
}): LiveEvents {
  const listeners = new Map<Listener, (p: Principal, job: Job) => Promise<boolean>>();
  let consumer: EventConsumer | null = null;
  let running: Promise<void> | null = null;

  const deliver = async (event: GodEvent): Promise<void> => {
    if (listeners.size === 0) return;
    const job = event.jobId === undefined ? null : await deps.store.getJob(event.jobId);
    for (const [l, visible] of listeners) {
      if (l.jobId !== null && l.jobId !== event.jobId) continue;
      // Events without a job (hosts, settings) go to administrators only.
      const ok =
        job === null
          ? l.principal.admin && event.jobId === undefined
          : await visible(l.principal, job);
      if (ok) l.send(event, job);
    }
  };

  const start = (): void => {
    if (consumer !== null) return;
    consumer = createEventConsumer({
      redis: deps.redis,
      keys: deps.keys,
      from: '$',
      logger: deps.logger,
    });
    const c = consumer;
    running = c
      .run(async (e) => {
        try {
          await deliver(e.event);
        } catch (err) {
          deps.logger.warn({ err }, 'live event not delivered');
        }
      })
      .catch((err: unknown) => deps.logger.error({ err }, 'live events stopped'));
  };

  return {
    add(listener, visible) {
      listeners.set(listener, visible);
      start();
      return () => void listeners.delete(listener);
    },
    clients: () => listeners.size,
    async stop() {
      listeners.clear();
      await consumer?.stop();
      await running;
      consumer = null;
    },
  };
}
