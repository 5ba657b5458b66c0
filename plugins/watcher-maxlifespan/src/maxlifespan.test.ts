import { resolveConfig, type Job } from '@god/core';
import { describe, expect, it } from 'vitest';
import { createMaxLifespan, MaxLifespanConfigSchema } from './index.js';
import { lifespanOf, overLifespan } from './maxlifespan.js';

const T0 = 1_700_000_000_000;

/** A job in `state` started at `started`, asking for `maxlifespan` seconds. */
function makeJob(id: number, maxlifespan: number, started: number | null, state = 'running'): Job {
  return {
    id,
    state,
    requirements: { maxlifespan },
    status: { dates: { started } },
  } as unknown as Job;
}

describe('maxlifespan', () => {
  it('uses the job value, or the default when the job sets 0', () => {
    expect(lifespanOf(makeJob(1, 60, T0), 3600)).toBe(60);
    expect(lifespanOf(makeJob(1, 0, T0), 3600)).toBe(3600);
  });

  it('names the jobs past their own limit or the default, and leaves the others', () => {
    const jobs = [
      makeJob(1, 10, T0), // ran 11 s of 10: over
      makeJob(2, 20, T0), // 11 of 20: fine
      makeJob(3, 0, T0 - 100_000), // 111 s of the default 100: over
      makeJob(4, 0, T0 - 50_000), // 61 of 100: fine
      makeJob(5, 10, T0, 'suspended'), // not running: the watcher only kills running jobs
      makeJob(6, 10, null), // never started
      makeJob(7, 10, T0 + 1_000), // exactly at its limit: still fine
    ];
    expect(overLifespan(jobs, T0 + 11_000, 100)).toEqual([
      { jobId: 1, reason: 'exceeded its max lifespan of 10 s' },
      { jobId: 3, reason: 'exceeded its max lifespan of 100 s' },
    ]);
  });

  it('is created with its interval and the configured default', () => {
    const config = resolveConfig({ sets: ['scheduler.default_maxlifespan=5'] });
    const noop = () => undefined;
    const logger = { debug: noop, info: noop, warn: noop, error: noop };
    const plugin = createMaxLifespan(MaxLifespanConfigSchema.parse({ interval_ms: 50 }), {
      config,
      logger,
      now: () => T0,
    });
    expect(plugin.intervalMs).toBe(50);
    expect(plugin.check([makeJob(1, 0, T0)], T0 + 6_000).map((v) => v.jobId)).toEqual([1]);
    expect(MaxLifespanConfigSchema.parse(undefined)).toEqual({ interval_ms: 5000 });
    expect(() => MaxLifespanConfigSchema.parse({ interval: 1 })).toThrow();
  });
});
