/**
 * The max-lifespan rule: a running job may run `requirements.maxlifespan` seconds, or the
 * configured `scheduler.default_maxlifespan` when it sets 0. Run time counts from the start of
 * the current run (`status.dates.started`), suspended time included: the allocation is held
 * all along, and the same limit is what the scheduler assumed when it planned backfill.
 */
import type { Job, WatcherVerdict } from '@god/core';

/** The lifespan `job` is allowed, in seconds (`defaultSeconds` when it sets none). */
export function lifespanOf(job: Pick<Job, 'requirements'>, defaultSeconds: number): number {
  const own = job.requirements.maxlifespan;
  return own > 0 ? own : defaultSeconds;
}

/** The jobs among `running` that have run longer than their lifespan at `now` (epoch ms). */
export function overLifespan(
  running: readonly Job[],
  now: number,
  defaultSeconds: number,
): WatcherVerdict[] {
  const out: WatcherVerdict[] = [];
  for (const job of running) {
    const started = job.status.dates.started;
    if (job.state !== 'running' || started === null) continue;
    const limit = lifespanOf(job, defaultSeconds);
    if (now - started > limit * 1000) {
      out.push({ jobId: job.id, reason: `exceeded its max lifespan of ${limit} s` });
    }
  }
  return out;
}
