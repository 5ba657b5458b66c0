/**
 * The watcher: consumes control requests (kill / suspend / resume / reschedule), runs the
 * watcher plugins, and reconciles the jobs of lost hosts, periodically and on `hosts.changed`.
 * Any number of watchers may run: BullMQ hands each request to one of them, and every write is
 * a compare-and-set checked against the attempt read, so work done twice is applied once.
 */
import {
  EVENTS,
  GodError,
  ValidationError,
  type Config,
  type ControlMessage,
  type WatcherPlugin,
} from '@god/core';
import {
  createEventConsumer,
  createEventPublisher,
  createNodeRegistry,
  parseControlRequest,
  queueNames,
  type EventConsumer,
  type EventPublisher,
  type Keys,
  type Logger,
  type Queues,
  type Redis,
} from '@god/coord';
import type { Store } from '@god/store';
import type { Queue } from 'bullmq';
import { handleRequest, type RequestDeps, type RequestResult } from './control.js';
import { every, type Periodic } from './every.js';
import { LostHostSweeper, type SweepResult } from './lost-hosts.js';
import { runPlugin } from './plugins.js';

/** What a watcher is built from (its process's composition root provides it). */
export interface WatcherOptions {
  config: Config;
  store: Store;
  /** A non-blocking connection (registry, events); the event consumer duplicates it. */
  redis: Redis;
  keys: Keys;
  queues: Queues;
  /** The enabled watcher plugins, already created. */
  plugins: readonly WatcherPlugin[];
  logger: Logger;
  /** Requests handled at once. */
  concurrency?: number;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
}

/** A running watcher. */
export interface Watcher {
  /** Starts consuming requests, the plugins and the reconciliation; if it throws, call `stop`. */
  start(): Promise<void>;
  /** Stops everything, letting the work in progress finish. */
  stop(): Promise<void>;
  /** One reconciliation pass now (also run periodically). */
  sweep(): Promise<SweepResult>;
}

/** Creates a watcher; nothing happens until `start`. */
export function createWatcher(opts: WatcherOptions): Watcher {
  return new WatcherImpl(opts);
}

/** Closable BullMQ worker surface. */
interface Closable {
  close(): Promise<void>;
  waitUntilReady(): Promise<unknown>;
}

class WatcherImpl implements Watcher {
  private readonly events: EventPublisher;
  private readonly sweeper: LostHostSweeper;
  private readonly hostQueues = new Map<string, Queue>();
  private readonly tasks: Periodic[] = [];
  private worker: Closable | null = null;
  private consumer: EventConsumer | null = null;
  private consuming: Promise<void> | null = null;
  private state: 'new' | 'started' | 'stopped' = 'new';
  private readonly now: () => number;

  constructor(private readonly opts: WatcherOptions) {
    this.now = opts.now ?? Date.now;
    this.events = createEventPublisher({ redis: opts.redis, keys: opts.keys });
    this.sweeper = new LostHostSweeper({
      store: opts.store,
      registry: createNodeRegistry({ redis: opts.redis, keys: opts.keys, logger: opts.logger }),
      events: this.events,
      config: opts.config,
      logger: opts.logger,
      now: this.now,
    });
  }

  sweep(): Promise<SweepResult> {
    return this.sweeper.sweep();
  }

  async start(): Promise<void> {
    const { opts } = this;
    if (this.state !== 'new') throw new GodError('CONFLICT', 'a watcher can be started once');
    this.state = 'started';
    this.startRequests();
    await this.worker?.waitUntilReady();
    const log = opts.logger;
    const reconcile = every(
      'reconcile',
      opts.config.watcher.reconcile_ms,
      async () => {
        const r = await this.sweeper.sweep();
        if (r.retried + r.lost > 0) log.info({ ...r }, 'lost hosts reconciled');
      },
      log,
    );
    this.tasks.push(reconcile);
    const sent = new Set<string>();
    for (const plugin of opts.plugins) {
      const deps = { store: opts.store, logger: log, now: this.now, sendToHost: this.send };
      const run = async () => void (await runPlugin(deps, plugin, sent));
      this.tasks.push(every(`plugin ${plugin.name}`, plugin.intervalMs, run, log));
    }
    // Hosts joining or leaving: look for lost ones at once rather than at the next tick.
    const consumer = createEventConsumer({ redis: opts.redis, keys: opts.keys, logger: log });
    this.consumer = consumer;
    this.consuming = consumer
      .run((e) => {
        if (e.event.type === EVENTS.hosts) reconcile.poke();
      })
      .catch((err: unknown) => log.error({ err }, 'event consumer stopped'));
    log.info({ plugins: opts.plugins.map((p) => p.name) }, 'watcher started');
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopped';
    await this.worker?.close();
    await this.consumer?.stop();
    await this.consuming;
    await Promise.all(this.tasks.splice(0).map((t) => t.stop()));
    this.opts.logger.info({}, 'watcher stopped');
  }

  /** Puts `msg` on the control queue of `host`, for its agent. */
  private readonly send = async (host: string, msg: ControlMessage): Promise<void> => {
    let queue = this.hostQueues.get(host);
    if (queue === undefined) {
      queue = this.opts.queues.createQueue(queueNames.hostControl(host));
      this.hostQueues.set(host, queue);
    }
    await queue.add(msg.action, msg, { removeOnComplete: { age: 3_600, count: 10_000 } });
  };

  private startRequests(): void {
    const { opts } = this;
    const log = opts.logger;
    const deps: RequestDeps = {
      store: opts.store,
      events: this.events,
      logger: log,
      sendToHost: this.send,
    };
    const worker = opts.queues.createWorker<unknown, RequestResult>(
      queueNames.control,
      async (job) => {
        let req;
        try {
          req = parseControlRequest(job.data);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          // Not retried: it will never become valid. Its content is not logged (untrusted).
          log.warn({ messageId: job.id, issues: err.issues }, 'malformed control request dropped');
          return 'malformed';
        }
        return handleRequest(deps, req);
      },
      { concurrency: opts.concurrency ?? 16 },
    );
    // A handler that throws (store or Redis away) leaves the message to BullMQ's retries.
    worker.on('failed', (job, err) =>
      log.error({ err, messageId: job?.id }, 'control request failed'),
    );
    this.worker = worker;
  }
}
