/**
 * The agent's presence in the node registry: registers its hosts (and says so on the event
 * stream, which makes the scheduler reload hosts), then heartbeats them every `intervalMs`. A
 * host the registry no longer knows (removed, or Redis lost its data) is registered again, so a
 * Redis restart heals by itself. An executor that places jobs itself and reports its free
 * capacity has it sent with every beat; when it cannot say, it is reported full, so nothing is
 * handed to an orchestrator that does not answer.
 */
import { EVENTS, type ExecutorCapacity, type HostInfo } from '@god/core';
import type { EventPublisher, Logger, NodeRegistry } from '@god/coord';

/** Keeps hosts registered and fresh until stopped. */
export interface Heartbeat {
  /** Registers every host, publishes `hosts.changed`, and starts the periodic heartbeat. */
  start(): Promise<void>;
  /** Stops heartbeating (registrations stay and go stale); waits for a beat in progress. */
  stop(): Promise<void>;
}

/** Creates the heartbeat of `hosts`. */
export function createHeartbeat(deps: {
  registry: NodeRegistry;
  events: EventPublisher;
  hosts: readonly HostInfo[];
  intervalMs: number;
  logger: Logger;
  /** The executor's free capacity now (executors that place jobs themselves and report it). */
  capacity?: () => Promise<ExecutorCapacity>;
}): Heartbeat {
  const { registry, events, hosts, logger: log } = deps;

  async function free(): Promise<ExecutorCapacity | undefined> {
    if (deps.capacity === undefined) return undefined;
    try {
      return await deps.capacity();
    } catch (err) {
      log.warn({ err }, 'executor capacity unknown: reported full until it answers');
      return { cpu: 0, ram: 0, gpus: 0, jobs: 0 };
    }
  }
  let timer: NodeJS.Timeout | null = null;
  let beating: Promise<void> = Promise.resolve();
  let stopped = false;

  async function register(list: readonly HostInfo[]): Promise<void> {
    const report = await free();
    for (const host of list) await registry.register(host, report);
    await events.publish(EVENTS.hosts, { hosts: list.map((h) => h.name) });
    log.info({ hosts: list.map((h) => h.name) }, 'hosts registered');
  }

  async function beat(): Promise<void> {
    try {
      const missing: HostInfo[] = [];
      const report = await free();
      for (const host of hosts)
        if (!(await registry.heartbeat(host.name, report))) missing.push(host);
      if (missing.length > 0) await register(missing);
    } catch (err) {
      // Redis is away: keep beating; the scheduler will see the host stale meanwhile.
      log.warn({ err }, 'heartbeat failed');
    }
  }

  function schedule(): void {
    if (stopped) return;
    // A chain of timeouts, not an interval: a slow beat never overlaps the next one.
    timer = setTimeout(() => {
      beating = beat().finally(schedule);
    }, deps.intervalMs);
  }

  return {
    async start() {
      await register(hosts);
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await beating;
    },
  };
}
