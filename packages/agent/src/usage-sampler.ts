/**
 * Live usage for the web UI's chart: every period, the usage of each job this agent runs is
 * read from the executor (when it can measure running jobs) and published to Redis in one
 * pipeline for all of them. A job that ended is simply not sampled any more, so its list expires.
 */
import type { UsageSamplingExecutor } from '@god/core';
import {
  publishLiveUsage,
  type Keys,
  type LiveUsageSample,
  type Logger,
  type Redis,
} from '@god/coord';

/** Samples running jobs' usage until stopped. */
export interface UsageSampler {
  start(): void;
  /** Stops sampling; waits for a tick in progress. */
  stop(): Promise<void>;
  /** One tick now (tests, benchmarks): samples every job and publishes; never throws. */
  tick(): Promise<void>;
}

/** Creates the sampler of the jobs `jobs()` returns (those this agent runs now). */
export function createUsageSampler(deps: {
  executor: UsageSamplingExecutor;
  redis: Redis;
  keys: Keys;
  jobs: () => Iterable<number>;
  intervalMs: number;
  logger: Logger;
  now: () => number;
}): UsageSampler {
  const { executor, redis, keys, logger: log } = deps;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> = Promise.resolve();
  let stopped = false;

  async function tick(): Promise<void> {
    try {
      const ids = [...deps.jobs()];
      if (ids.length === 0) return;
      const t = deps.now();
      const usage = await Promise.all(ids.map((id) => executor.usageNow(id).catch(() => null)));
      const samples = new Map<number, LiveUsageSample>();
      ids.forEach((id, i) => {
        const u = usage[i];
        if (u !== null && u !== undefined)
          samples.set(id, { t, cpuSeconds: u.cpuSeconds, memBytes: u.memBytes });
      });
      await publishLiveUsage(redis, keys, samples, deps.intervalMs / 1000);
    } catch (err) {
      // Redis is away: the chart misses this sample; the next tick tries again.
      log.warn({ err }, 'usage sample failed');
    }
  }

  function schedule(): void {
    if (stopped) return;
    // A chain of timeouts, not an interval: a slow tick never overlaps the next one.
    timer = setTimeout(() => {
      ticking = tick().finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  }

  return {
    start: schedule,
    tick,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await ticking;
    },
  };
}
