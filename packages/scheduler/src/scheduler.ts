/**
 * The scheduler process: contends for the leader lease; on each term builds a fresh policy and a
 * Leader and runs it until the term ends (lease lost, renew deadline, fenced write, stop). Any
 * number of standbys run the same code and wait for the lease.
 */
import { parseOrThrow, type Config, type SchedulingPolicy } from '@god/core';
import {
  createDispatchQueue,
  createLeaderElector,
  setMaintenanceFlag,
  type LeaderElector,
} from '@god/coord';
import { FencedError } from './fenced-writer.js';
import { Leader, type Logger } from './leader.js';
import { leaderDepsOf, type SchedulerDeps } from './leader-wiring.js';
import { policies } from './registry.js';

export type { SchedulerDeps } from './leader-wiring.js';

/** A running scheduler (leader or standby). */
export interface Scheduler {
  start(): Promise<void>;
  /** Stops contending; releases the lease unless `release: false` (a simulated crash). */
  stop(opts?: { release?: boolean }): Promise<void>;
  isLeader(): boolean;
  /** The current leader term, for tests and metrics. */
  leader(): Leader | null;
  /** Pauses or resumes scheduling without losing the lease. */
  /** Pauses or resumes scheduling cluster-wide (the flag `god maintenance` sets). */
  setMaintenance(on: boolean): Promise<void>;
  /** Applies a new configuration (policy settings and priorities take effect at once). */
  reload(config: Config): void;
}

/** Builds the configured policy, validating its settings from `plugins.<name>`. */
export function createPolicy(config: Config, logger: Logger, now: () => number): SchedulingPolicy {
  const def = policies.get(config.scheduler.policy);
  const settings = parseOrThrow(
    def.configSchema,
    config.plugins[def.name] ?? {},
    `plugins.${def.name}`,
    'INVALID_CONFIG',
  );
  return def.create(settings, { logger, now });
}

/** Creates a scheduler; nothing runs until `start`. */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  let config = deps.config;
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  let current: Leader | null = null;
  const outbox = createDispatchQueue(deps.queues);
  const leaderDeps = (): ConstructorParameters<typeof Leader>[0] =>
    leaderDepsOf(deps, {
      config,
      outbox,
      makePolicy: (c) => createPolicy(c, log, now),
      logger: log,
      now,
    });
  const lease = createContention(deps, () => config, lead);

  async function lead(epoch: number, signal: AbortSignal): Promise<void> {
    log.info({ epoch }, 'leading');
    const leader = new Leader(leaderDeps(), epoch, signal);
    current = leader;
    try {
      await leader.run();
    } catch (err) {
      await lease.termFailed(err, epoch);
    } finally {
      if (current === leader) current = null;
    }
  }

  return {
    start: () => lease.start(),
    async stop(opts) {
      await lease.stop(opts);
      await outbox.close();
    },
    isLeader: () => lease.isLeader(),
    leader: () => current,
    async setMaintenance(on) {
      // The same flag as `god maintenance`: every scheduler (and the next leader) sees it.
      await setMaintenanceFlag(deps, on);
    },
    reload(next) {
      createPolicy(next, log, now); // refuses bad plugin settings before anything changes
      config = next;
      current?.reload(leaderDeps());
    },
  };
}

/** Contending for the scheduler lease, term after term. */
interface Contention {
  start(): Promise<void>;
  /** Stops contending and waits for the running term to end. */
  stop(opts?: { release?: boolean }): Promise<void>;
  isLeader(): boolean;
  /** A term failed: unless stopping, step down and contend again (another may take over). */
  termFailed(err: unknown, epoch: number): Promise<void>;
}

/** Contends for the lease with the lease settings of `config()`; runs `lead` for each term. */
function createContention(
  deps: SchedulerDeps,
  config: () => Config,
  lead: (epoch: number, signal: AbortSignal) => Promise<void>,
): Contention {
  const log = deps.logger;
  let stopping = false;
  /** The running (or last) term: `stop` waits for it before closing anything it uses. */
  let term: Promise<void> = Promise.resolve();
  // An elector contends once (`start` after `stop` is refused): a new one for every restart.
  const newElector = (): LeaderElector =>
    createLeaderElector({
      redis: deps.leaseRedis,
      keys: deps.keys,
      name: 'scheduler',
      holderId: deps.holderId,
      ttlMs: config().scheduler.lease.ttl_ms,
      renewDeadlineMs: config().scheduler.lease.renew_deadline_ms,
      retryMs: config().scheduler.lease.retry_ms,
      epochFloor: () => deps.store.fenceEpoch('scheduler'),
      logger: log,
      onStartedLeading: (epoch, signal) => (term = lead(epoch, signal)),
      onStoppedLeading: (reason) => log.info({ reason }, 'stopped leading'),
    });
  let elector = newElector();
  return {
    start: () => elector.start(),
    async stop(opts) {
      stopping = true;
      await elector.stop(opts);
      await term;
    },
    isLeader: () => elector.isLeader(),
    async termFailed(err, epoch) {
      // Stopping: the term ends as its connections close; nothing failed.
      if (stopping) return;
      if (err instanceof FencedError) log.warn({ epoch }, 'fenced off by a newer leader');
      else log.error({ err, epoch }, 'leader term failed');
      // A term that cannot go on must not keep the lease: step down, let another take over.
      const failed = elector;
      elector = newElector();
      // Its failure was logged above; stopping an elector that lost Redis can fail too, harmlessly.
      await failed.stop().catch(() => undefined);
      if (!stopping)
        await elector
          .start()
          .catch((e: unknown) => log.error({ err: e }, 'cannot contend for the lease again'));
    },
  };
}
