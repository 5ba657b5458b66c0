/** Builders shared by the FairShare tests and simulations (not exported by the package). */
import type { JobUsage, QueuedJob, SchedulingPolicy } from '@god/core';
import { makeQueuedJob } from '@god/testkit';
import type { z } from 'zod';
import { FairShareConfigSchema } from './config.js';
import { createFairSharePolicy, type FairSharePolicy } from './fairshare.js';

/** A config from partial YAML-like input, defaults filled. */
export type ConfigInput = NonNullable<z.input<typeof FairShareConfigSchema>>;

/** A FairShare policy with the given settings. */
export function makePolicy(input: ConfigInput = {}): FairSharePolicy {
  return createFairSharePolicy(FairShareConfigSchema.parse(input));
}

/** A one-CPU, one-GB job. */
export function makeJob(
  id: number,
  user: string,
  submitted: number,
  more: Partial<QueuedJob> = {},
): QueuedJob {
  return makeQueuedJob(id, user, submitted, { project: 'lab', ...more });
}

/** Usage of `cpuSeconds` on one CPU with no RAM or GPU (billing = cpuSeconds with defaults). */
export function makeUsage(cpuSeconds: number): JobUsage {
  return { cpuSeconds, ramGBSeconds: 0, gpuSeconds: 0, wallSeconds: cpuSeconds, maxRamBytes: 0 };
}

/** The ids of a full pass at `now`. */
export function order(policy: SchedulingPolicy, now: number): number[] {
  const out: number[] = [];
  const it = policy.ordered(now);
  for (let r = it.next(); r.done !== true; r = it.next()) out.push(r.value.id);
  return out;
}

/** The first job of a pass at `now`, or undefined. */
export function first(policy: SchedulingPolicy, now: number): QueuedJob | undefined {
  const r = policy.ordered(now).next();
  return r.done === true ? undefined : r.value;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** An arbitrary epoch (ms) so tests do not depend on the clock. */
export const T0 = 1_700_000_000_000;
