/**
 * FairShare settings. Factor weights default to GO-Docker's FairShare plugin (its user usage
 * terms time + cpu + ram summed into one user weight, likewise for the project); decay and
 * maximum age to Slurm's multifactor defaults; billing weights to Slurm's usual TRES billing.
 */
import { parseDurationSeconds } from '@god/core';
import { z } from 'zod';

/** A duration in seconds, written as seconds or `7d`, `12h`, `30m`. */
function duration(min: number) {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    const r = parseDurationSeconds(v);
    if (typeof r === 'string') {
      ctx.addIssue({ code: 'custom', message: r });
      return z.NEVER;
    }
    if (r < min) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at least ${min} second${min === 1 ? '' : 's'}`,
      });
      return z.NEVER;
    }
    return r;
  });
}

const weight = z.number().min(0).max(1e6);
const DAY = 86_400;

/** The `FairShare` section of the scheduler config: all keys optional, unknown keys refused. */
export const FairShareConfigSchema = z
  .strictObject({
    /** Past usage counts half as much after this long (exponential decay). */
    half_life: duration(1).default(7 * DAY),
    /** Waiting time at which the age factor reaches 1; beyond it the factor grows quadratically. */
    max_age: duration(1).default(DAY),
    /** A running job counts as if it had already used its resources this much longer. */
    running_charge: duration(0).default(3600),
    /** Priority (0-100) of users and projects absent from the priorities. */
    default_priority: z.number().min(0).max(100).default(50),
    /** Billing units per resource-second: usage = cpu·s·cpu + GB·s·ram + gpu·s·gpu. */
    billing: z
      .strictObject({
        cpu: weight.default(1),
        ram: weight.default(0.25),
        gpu: weight.default(2),
      })
      .prefault({}),
    weights: z
      .strictObject({
        /** Must be positive: the waiting time is what guarantees that no job starves. */
        waiting_time: z.number().positive().max(1e6).default(0.1),
        user_fairshare: weight.default(1.4),
        project_fairshare: weight.default(0.12),
        /** Direct priority bonuses. 0 by default: priorities already set the target shares. */
        user_priority: weight.default(0),
        project_priority: weight.default(0),
      })
      .prefault({}),
  })
  .prefault({});

/** The resolved FairShare settings (durations in seconds). */
export type FairShareConfig = z.output<typeof FairShareConfigSchema>;
