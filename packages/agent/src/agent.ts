/**
 * The agent: the executor-agnostic runtime on a host. It registers the host(s) its executor
 * reports, consumes one BullMQ queue per shard (DispatchMessages from the scheduler) and one
 * control queue per host (kill / suspend / resume), and completes the jobs whose ends the
 * executor reports. It never decides where a job runs and never writes a state except through
 * `Store.transition`. Stopping leaves running jobs alone: a restarted agent must not lose them.
 */
import {
  GodError,
  isRecoverable,
  reportsCapacity,
  samplesUsage,
  type Executor,
  type ExitReport,
  type HostInfo,
  type Job,
  type RecoverableExecutor,
} from '@god/core';
import {
  createEventPublisher,
  createNodeRegistry,
  queueNames,
  type EventPublisher,
  type Keys,
  type Logger,
  type Queues,
  type Redis,
} from '@god/coord';
import type { Store } from '@god/store';
import { createCompletionHandler, type CompletionHandler } from './completion.js';
import { handleControl, type ControlDeps, type ControlResult } from './control.js';
import { handleDispatch, type DispatchDeps } from './dispatch.js';
import { createHeartbeat, type Heartbeat } from './heartbeat.js';
import { createLimiter } from './limiter.js';
import { parseControl, parseDispatches } from './messages.js';
import { createKeyedSerial } from './serial.js';
import { createUsageSampler, type UsageSampler } from './usage-sampler.js';

/** What an agent is built from (its process's composition root provides it). */
export interface AgentOptions {
  store: Store;
  /** A non-blocking connection for the registry and the event stream. */
  redis: Redis;
  keys: Keys;
  /** Makes the agent's BullMQ workers (coord `createQueues`). */
  queues: Queues;
  executor: Executor;
  /**
   * Serve only this host among those the executor reports (the docker executor reports its
   * own host; the fake one a whole cluster, which one agent may serve alone in tests).
   */
  hostName?: string;
  logger: Logger;
  /** How often the hosts' heartbeats are written. */
  heartbeatMs: number;
  /** Dispatch messages processed at once per shard queue. */
  concurrency: number;
  /** How often running jobs' usage is sampled for live charts (`agent.usage_sample_s`; 5 s). */
  usageSampleMs?: number;
  /** Run on each ended job before it is `over` (see CompletionDeps.sanitize). */
  sanitize?: (job: Job) => Promise<void>;
}

/** A running agent. */
export interface Agent {
  /** Registers the hosts, starts heartbeats and queue workers; if it throws, call `stop`. */
  start(): Promise<void>;
  /** Stops consuming and heartbeating, and finishes completions in progress; jobs keep running. */
  stop(): Promise<void>;
  /** The hosts this agent serves (empty before `start`). */
  hosts(): readonly HostInfo[];
}

/** Delays between tries of a completion that failed on the store or Redis (then it is dropped). */
const COMPLETION_RETRY_MS = [100, 200, 400, 800, 1600];

/** Creates an agent; nothing happens until `start`. */
export function createAgent(opts: AgentOptions): Agent {
  return new AgentImpl(opts);
}

/** What the agent needs to close at stop. */
interface Closable {
  close(): Promise<void>;
  waitUntilReady(): Promise<unknown>;
}

class AgentImpl implements Agent {
  private readonly events: EventPublisher;
  private readonly complete: CompletionHandler;
  /** Dispatch, control and completion of one job never interleave (see serial.ts). */
  private readonly serial = createKeyedSerial();
  /** The runs this agent started: job id -> attempt. */
  private readonly runs = new Map<number, number>();
  private readonly workers: Closable[] = [];
  private served: HostInfo[] = [];
  private heartbeat: Heartbeat | null = null;
  private sampler: UsageSampler | null = null;
  private unsubscribe: (() => void) | null = null;
  private state: 'new' | 'started' | 'stopped' = 'new';
  private readonly killOutcomes = new Map<number, 'killed' | 'quota'>();

  constructor(private readonly opts: AgentOptions) {
    this.events = createEventPublisher({ redis: opts.redis, keys: opts.keys });
    this.complete = createCompletionHandler({
      store: opts.store,
      events: this.events,
      logger: opts.logger,
      killOutcomes: this.killOutcomes,
      ...(opts.sanitize !== undefined && { sanitize: opts.sanitize }),
    });
  }

  hosts(): readonly HostInfo[] {
    return this.served;
  }

  async start(): Promise<void> {
    const { opts } = this;
    if (this.state !== 'new') throw new GodError('CONFLICT', 'an agent can be started once');
    this.state = 'started';
    this.served = pickHosts(await opts.executor.hosts(), opts.hostName);
    const { executor } = opts;
    this.heartbeat = createHeartbeat({
      registry: createNodeRegistry({ redis: opts.redis, keys: opts.keys, logger: opts.logger }),
      events: this.events,
      hosts: this.served,
      intervalMs: opts.heartbeatMs,
      logger: opts.logger,
      ...(reportsCapacity(executor) && { capacity: () => executor.capacity() }),
    });
    // Listen before consuming: no end of a job started here can go unheard.
    this.unsubscribe = opts.executor.onExit((report) => this.onExit(report));
    // Runs that outlived a previous agent: take them back (or stop them) before new work.
    if (isRecoverable(opts.executor)) await this.recover(opts.executor);
    this.startWorkers();
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    await this.heartbeat.start();
    if (samplesUsage(executor)) {
      this.sampler = createUsageSampler({
        executor,
        redis: opts.redis,
        keys: opts.keys,
        jobs: () => this.runs.keys(),
        intervalMs: opts.usageSampleMs ?? 5_000,
        logger: opts.logger,
        now: Date.now,
      });
      this.sampler.start();
    }
    const hosts = this.served.map((h) => h.name);
    opts.logger.info({ hosts, workers: this.workers.length }, 'agent started');
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopped';
    await this.heartbeat?.stop();
    await this.sampler?.stop();
    // Lets the messages in progress finish; no new ones are taken.
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
    this.unsubscribe?.();
    await this.serial.idle();
    this.opts.logger.info({}, 'agent stopped');
  }

  /**
   * Completes a reported end. The promise settles when the completion did (it rejects when the
   * completion failed for good), so an executor that keeps ends (docker) can report it again.
   */
  private onExit(report: ExitReport): Promise<void> {
    const log = this.opts.logger;
    // The run's attempt: as the executor reports it, else the one this agent started (unknown
    // after a restart: then the state alone decides).
    const started = this.runs.get(report.jobId);
    const attempt = report.attempt ?? started;
    if (started === attempt) this.runs.delete(report.jobId);
    return this.serial
      .run(report.jobId, () => completeWithRetry(this.complete, report, attempt, log))
      .catch((err: unknown) => {
        log.error({ err, jobId: report.jobId }, 'completion failed');
        throw err;
      });
  }

  /**
   * Adopts the runs the executor still has from before this agent started: those the store says
   * this host runs (same attempt, `running` or `suspended`) are tracked again; any other is killed,
   * since a run god no longer owns (the job was retried elsewhere, or ended) must not go on.
   */
  private async recover(executor: RecoverableExecutor): Promise<void> {
    const { store, logger: log } = this.opts;
    const { running } = await executor.recover();
    for (const run of running) {
      const fields = { jobId: run.jobId, attempt: run.attempt };
      this.runs.set(run.jobId, run.attempt);
      const job = await store.getJob(run.jobId);
      const owned =
        job !== null &&
        (job.state === 'running' || job.state === 'suspended') &&
        job.attempts === run.attempt;
      if (owned) {
        log.info(fields, 'run recovered');
        continue;
      }
      log.warn({ ...fields, state: job?.state ?? null }, 'run not owned any more, killing it');
      await executor.kill(run.jobId, 'not owned by god any more');
    }
  }

  private startWorkers(): void {
    const { store, executor, logger } = this.opts;
    const events = this.events;
    const dispatchDeps: DispatchDeps = { store, executor, events, logger, runs: this.runs };
    const hosts = new Set(this.served.map((h) => h.name));
    const controlDeps: ControlDeps = {
      store,
      executor,
      events,
      logger,
      hosts,
      killOutcomes: this.killOutcomes,
      runs: this.runs,
    };
    for (const host of this.served) {
      for (const shard of host.shards) {
        const where = { host: host.name, shard: shard.id };
        const name = queueNames.shard(host.name, shard.id);
        const limit = createLimiter(this.opts.concurrency);
        this.consume(name, async (data): Promise<string> => {
          const parsed = parseDispatches(data);
          if (parsed === null) return malformed(logger, name, data);
          if (parsed.malformed > 0) malformed(logger, name, data);
          const results = await Promise.all(
            parsed.messages.map((msg) =>
              limit(() =>
                this.serial.run(msg.jobId, () => handleDispatch(dispatchDeps, where, msg)),
              ),
            ),
          );
          // One message alone answers as before; a batch answers with each start's result.
          return results.length === 1 && parsed.malformed === 0 ? results[0]! : results.join(',');
        });
      }
      const name = queueNames.hostControl(host.name);
      this.consume(name, async (data): Promise<ControlResult | 'malformed'> => {
        const msg = parseControl(data);
        if (msg === null) return malformed(logger, name, data);
        return this.serial.run(msg.jobId, () => handleControl(controlDeps, msg));
      });
    }
  }

  /** One worker on queue `name`; `handle` gets the message data, its result is the return value. */
  private consume(name: string, handle: (data: unknown) => Promise<string>): void {
    const log = this.opts.logger;
    const worker = this.opts.queues.createWorker<unknown, string>(name, (job) => handle(job.data), {
      concurrency: this.opts.concurrency,
    });
    // A handler that throws (store or Redis away) leaves the message to BullMQ's retries.
    worker.on('failed', (job, err) =>
      log.error({ err, queue: name, messageId: job?.id }, 'message processing failed'),
    );
    this.workers.push(worker);
  }
}

/** The executor's hosts this agent serves: all of them, or the one named. */
function pickHosts(all: HostInfo[], hostName: string | undefined): HostInfo[] {
  const picked = hostName === undefined ? all : all.filter((h) => h.name === hostName);
  if (picked.length === 0) {
    const known = all.map((h) => h.name).join(', ') || 'none';
    throw new GodError(
      'INVALID_CONFIG',
      hostName === undefined
        ? 'the executor reports no hosts'
        : `the executor reports no host ${hostName} (it reports: ${known})`,
    );
  }
  return picked;
}

async function completeWithRetry(
  complete: CompletionHandler,
  report: ExitReport,
  attempt: number | undefined,
  log: Logger,
): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await complete(report, attempt === undefined ? {} : { attempt });
      return;
    } catch (err) {
      const delay = COMPLETION_RETRY_MS[i];
      if (delay === undefined) throw err;
      log.warn({ err, jobId: report.jobId, retryInMs: delay }, 'completion will retry');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function malformed(log: Logger, queue: string, data: unknown): 'malformed' {
  // The data itself is not logged: it is not ours to trust, and may be large.
  log.warn({ queue, type: typeof data }, 'malformed message dropped');
  return 'malformed';
}
