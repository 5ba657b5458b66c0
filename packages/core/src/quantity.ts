/**
 * One definition of every quantity a job asks for: cores, bytes of RAM, GPUs, seconds of run
 * time, constraint labels. The zod types parse what users write into integers in base units;
 * `jobLimitIssues` applies the configured maxima (`limits.job`) and the configured constraints.
 * `/api/v1`, `/api/1.0`, the CLI and DRMAA all submit through `submitJobs`, which applies both,
 * so the rules cannot differ between entry points.
 */
import { z } from 'zod';
import type { FieldIssue } from './errors.js';
import { MIN_RAM_BYTES, formatBytes, parseDurationSeconds, parseSizeBytes } from './units.js';

/** The most cores one job may ask for, whatever the configuration says. */
export const MAX_CPU = 4096;
/** The most GPUs one job may ask for, whatever the configuration says. */
export const MAX_GPUS = 64;

/** A size (`8G`, `512M`, a number of GB) as a whole number of bytes in [0, 1 PiB]. */
export const sizeBytes = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const r = parseSizeBytes(v);
  if (typeof r === 'string') {
    ctx.addIssue({ code: 'custom', message: r });
    return z.NEVER;
  }
  return r;
});

/** A memory limit: a size of at least MIN_RAM_BYTES (Docker's own minimum). */
export const ramBytes = sizeBytes.refine((b) => b >= MIN_RAM_BYTES, {
  message: `must be at least ${formatBytes(MIN_RAM_BYTES)} (the smallest memory limit)`,
});

/** A duration (`90s`, `2h`, `1d`, a number of seconds) as a whole number of seconds. */
export const durationSeconds = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const r = parseDurationSeconds(v);
  if (typeof r === 'string') {
    ctx.addIssue({ code: 'custom', message: r });
    return z.NEVER;
  }
  return r;
});

/** `limits.job`: the largest job a user may submit (each maximum is inclusive). */
export const JobLimitsSchema = z
  .strictObject({
    max_cpu: z.number().int().min(1).max(MAX_CPU).default(1024),
    max_ram: ramBytes.default(4 * 2 ** 40),
    max_gpus: z.number().int().min(0).max(MAX_GPUS).default(16),
    max_maxlifespan: durationSeconds
      .refine((s) => s >= 1, { message: 'must be at least 1 second' })
      .default(7 * 86_400),
  })
  .prefault({});
/** The resolved `limits.job`. */
export type JobLimits = z.output<typeof JobLimitsSchema>;

/**
 * Config refinement: the job a submission gets when it names no cores or RAM must itself be
 * within `limits.job`, or every such job would be refused for a value its owner never wrote.
 */
export function defaultsWithinLimits(
  c: { defaults: { cpu: number; ram: number }; limits: { job: JobLimits } },
  ctx: z.RefinementCtx,
): void {
  const { defaults, limits } = c;
  if (defaults.cpu > limits.job.max_cpu)
    ctx.addIssue({
      code: 'custom',
      path: ['defaults', 'cpu'],
      message: `must be at most limits.job.max_cpu (${limits.job.max_cpu})`,
    });
  if (defaults.ram > limits.job.max_ram)
    ctx.addIssue({
      code: 'custom',
      path: ['defaults', 'ram'],
      message: `must be at most limits.job.max_ram (${formatBytes(limits.job.max_ram)})`,
    });
}

/** A configured placement constraint (`constraints` in the config). */
export interface ConstraintDef {
  readonly name: string;
  readonly values: readonly string[];
}

/** The requirements `jobLimitIssues` checks (a validated submission's). */
export interface LimitedRequirements {
  cpu: number;
  ram: number;
  gpus: number;
  maxlifespan: number;
  label: readonly string[];
}

/**
 * What in `req` passes the configured maxima or names a constraint that is not configured, as
 * issues on `requirements.*` (empty when all is well). Pure; callers prefix paths in bulks.
 */
export function jobLimitIssues(
  req: LimitedRequirements,
  limits: JobLimits,
  constraints: readonly ConstraintDef[],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const over = (field: string, max: string) =>
    issues.push({ path: `requirements.${field}`, message: `must be at most ${max} (limits.job)` });
  if (req.cpu > limits.max_cpu) over('cpu', `${limits.max_cpu} cores`);
  if (req.ram > limits.max_ram) over('ram', formatBytes(limits.max_ram));
  if (req.gpus > limits.max_gpus) over('gpus', `${limits.max_gpus} GPUs`);
  if (req.maxlifespan > limits.max_maxlifespan)
    over('maxlifespan', `${limits.max_maxlifespan} seconds`);
  req.label.forEach((label, i) => {
    const problem = constraintProblem(label, constraints);
    if (problem !== null) issues.push({ path: `requirements.label[${i}]`, message: problem });
  });
  return issues;
}

/** Why `label` (`name==value`) names no configured constraint value, or null when it does. */
function constraintProblem(label: string, constraints: readonly ConstraintDef[]): string | null {
  const at = label.indexOf('==');
  const name = at < 0 ? label : label.slice(0, at);
  const value = at < 0 ? '' : label.slice(at + 2);
  const def = constraints.find((c) => c.name === name);
  if (def === undefined)
    return constraints.length === 0
      ? 'no placement constraints are configured'
      : `${name} is not a configured constraint (${constraints.map((c) => c.name).join(', ')})`;
  if (!def.values.includes(value))
    return `${value} is not a value of ${name} (${def.values.join(', ')})`;
  return null;
}

/**
 * What in a change of an active job passes `limits.job` for a user: where `web.dynamic_fields`
 * lets users change maxlifespan, they get no more than at submission. Administrators may set
 * any duration god represents.
 */
export function updateLimitIssues(
  patch: { maxlifespan?: number | undefined },
  limits: JobLimits,
  admin: boolean,
): FieldIssue[] {
  if (admin || patch.maxlifespan === undefined || patch.maxlifespan <= limits.max_maxlifespan)
    return [];
  return [
    {
      path: 'maxlifespan',
      message: `must be at most ${limits.max_maxlifespan} seconds (limits.job)`,
    },
  ];
}
