/**
 * Quota and limit flags shared by `god users` and `god projects`, in the units people think in
 * (hours, days) and turned into the API's (seconds). A change to one quota field keeps the
 * others: the API replaces the quota whole, so the current one is merged first.
 */
import type { Command } from 'commander';
import { parseDurationSeconds } from '@god/core';
import { usage } from '../errors.js';
import { intOption, numberOption } from '../format.js';

/** A quota as the API stores it. */
export interface QuotaFields {
  cpuSeconds: number;
  ramGBSeconds: number;
  gpuSeconds: number;
  wallSeconds: number;
  windowSeconds: number;
}

/** The quota flags as commander parses them. */
export interface QuotaOptions {
  quotaCpuHours?: string;
  quotaRamGbHours?: string;
  quotaGpuHours?: string;
  quotaWallHours?: string;
  quotaWindow?: string;
  clearQuota?: boolean;
}

/** The limit flags as commander parses them. */
export interface LimitOptions {
  limitCpu?: string;
  limitRam?: string;
  limitGpus?: string;
  limitJobs?: string;
  clearLimits?: boolean;
}

const DEFAULT_WINDOW_S = 30 * 86_400;

/** Adds the quota flags (`clear` adds --clear-quota, for changes). */
export function quotaFlags(cmd: Command, clear: boolean): Command {
  cmd
    .option('--quota-cpu-hours <h>', 'quota: core-hours per window (0: no limit)')
    .option('--quota-ram-gb-hours <h>', 'quota: GB-hours of memory per window')
    .option('--quota-gpu-hours <h>', 'quota: GPU-hours per window')
    .option('--quota-wall-hours <h>', 'quota: hours of wall time per window')
    .option('--quota-window <duration>', 'quota: the sliding window, e.g. 7d (default 30d)');
  if (clear) cmd.option('--clear-quota', 'remove the quota');
  return cmd;
}

/** Adds the limit flags (`clear` adds --clear-limits, for changes). */
export function limitFlags(cmd: Command, clear: boolean): Command {
  cmd
    .option('--limit-cpu <n>', 'limit: cores its jobs may hold at once (0: no limit)')
    .option('--limit-ram <gb>', 'limit: GB of memory its jobs may hold at once')
    .option('--limit-gpus <n>', 'limit: GPUs its jobs may hold at once')
    .option('--limit-jobs <n>', 'limit: jobs running at once');
  if (clear) cmd.option('--clear-limits', 'remove the limits');
  return cmd;
}

/** The quota to send: undefined for no change, null to remove it. */
export function quotaOf(
  opts: QuotaOptions,
  current: QuotaFields | null,
): QuotaFields | null | undefined {
  if (opts.clearQuota === true) return null;
  const hours = (flag: string, v: string | undefined): number | undefined =>
    v === undefined ? undefined : numberOption(flag, v) * 3600;
  const given = {
    cpuSeconds: hours('--quota-cpu-hours', opts.quotaCpuHours),
    ramGBSeconds: hours('--quota-ram-gb-hours', opts.quotaRamGbHours),
    gpuSeconds: hours('--quota-gpu-hours', opts.quotaGpuHours),
    wallSeconds: hours('--quota-wall-hours', opts.quotaWallHours),
    windowSeconds: opts.quotaWindow === undefined ? undefined : windowOf(opts.quotaWindow),
  };
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) return undefined;
  const base = current ?? {
    cpuSeconds: 0,
    ramGBSeconds: 0,
    gpuSeconds: 0,
    wallSeconds: 0,
    windowSeconds: DEFAULT_WINDOW_S,
  };
  return { ...base, ...set };
}

/** The limits to send: undefined for no change, null to remove them. */
export function limitsOf(
  opts: LimitOptions,
  current: Record<string, number> | null,
): Record<string, number> | null | undefined {
  if (opts.clearLimits === true) return null;
  const given = {
    cpu: opts.limitCpu === undefined ? undefined : intOption('--limit-cpu', opts.limitCpu),
    ram: opts.limitRam === undefined ? undefined : numberOption('--limit-ram', opts.limitRam),
    gpus: opts.limitGpus === undefined ? undefined : intOption('--limit-gpus', opts.limitGpus),
    jobs: opts.limitJobs === undefined ? undefined : intOption('--limit-jobs', opts.limitJobs),
  };
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) return undefined;
  return { cpu: 0, ram: 0, gpus: 0, jobs: 0, ...(current ?? {}), ...set };
}

function windowOf(value: string): number {
  const s = parseDurationSeconds(value);
  if (typeof s === 'string' || s < 1)
    throw usage(`--quota-window: "${value}" is not a duration like 7d`);
  return s;
}

/** A quota in a few words: `100 core-h, 10 GB-h per 30d`. */
export function describeQuota(q: unknown): string {
  if (q === null || typeof q !== 'object') return 'none';
  const v = q as Partial<QuotaFields>;
  const part = (n: number | undefined, unit: string): string | null =>
    n === undefined || n === 0 ? null : `${+(n / 3600).toFixed(2)} ${unit}`;
  const parts = [
    part(v.cpuSeconds, 'core-h'),
    part(v.ramGBSeconds, 'GB-h'),
    part(v.gpuSeconds, 'GPU-h'),
    part(v.wallSeconds, 'wall-h'),
  ].filter((p) => p !== null);
  const days = (v.windowSeconds ?? 0) / 86_400;
  return `${parts.join(', ') || 'no limit'} per ${Number.isInteger(days) ? `${days}d` : `${v.windowSeconds} s`}`;
}

/**
 * The current values of `fields`. A change sends them all, not only the changed ones: the
 * server fills fields left out with their creation defaults (an email change would otherwise
 * reset the groups), so the CLI does not rely on it keeping them.
 */
export function editable(
  current: Record<string, unknown>,
  fields: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(
    fields.filter((f) => current[f] !== undefined).map((f) => [f, current[f]]),
  );
}
