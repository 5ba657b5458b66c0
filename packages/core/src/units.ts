/** Parsers for the units users write: sizes (`8G`, `512M`), durations (`1h30m`), arrays (`1:9:3%2`). */
import type { ArraySpec } from './job.js';

const SIZE_UNITS: Record<string, number> = { K: 1 / (1024 * 1024), M: 1 / 1024, G: 1, T: 1024 };

/**
 * A size in GB from `8G`, `512M`, `1.5T`, `2048K` (binary units; a trailing `B`/`iB` is
 * accepted) or a bare number meaning GB. Returns an error message instead of throwing.
 */
export function parseSizeGB(input: number | string): number | string {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input > 0 ? input : 'must be a positive number of GB';
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT])?(?:i?B)?\s*$/i.exec(input);
  if (m === null) return `"${input}" is not a size: use a number of GB or a value like 8G, 512M`;
  const value = Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'G').toUpperCase()] ?? 1);
  return value > 0 ? value : 'must be greater than zero';
}

/** A duration in seconds from a number of seconds or `90s`, `30m`, `2h`, `1d`, `1h30m`. */
export function parseDurationSeconds(input: number | string): number | string {
  if (typeof input === 'number') {
    return Number.isInteger(input) && input >= 0 ? input : 'must be a whole number of seconds';
  }
  const s = input.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (m === null || s === '')
    return `"${input}" is not a duration: use seconds or a value like 90s, 30m, 2h, 1d`;
  const [, d, h, mi, se] = m;
  return Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(se ?? 0);
}

/** The largest array god accepts: arrays are stored as one record, tasks are made lazily. */
export const MAX_ARRAY_TASKS = 10_000_000;

/**
 * A job array from `N` (1..N), `start:end` or `start:end:step`, optionally followed by `%L`
 * (at most L tasks at once). Bounds are inclusive and exact: `1:9:3` is 1, 4, 7 and `1:10:3`
 * is 1, 4, 7, 10.
 */
export function parseArraySpec(input: string): ArraySpec | string {
  const m = /^\s*(\d+)(?::(\d+))?(?::(\d+))?(?:%(\d+))?\s*$/.exec(input);
  if (m === null)
    return `"${input}" is not an array: use N, start:end or start:end:step, optionally with %limit`;
  const [, a, b, c, l] = m;
  const first = b === undefined ? 1 : Number(a);
  const end = b === undefined ? Number(a) : Number(b);
  const step = c === undefined ? 1 : Number(c);
  const limit = l === undefined ? 0 : Number(l);
  if (b === undefined && end < 1) return 'an array of N tasks needs N >= 1';
  if (step < 1) return 'the step must be at least 1';
  if (end < first) return `the end (${end}) is before the start (${first})`;
  if (l !== undefined && limit < 1) return 'the %limit must be at least 1';
  const count = Math.floor((end - first) / step) + 1;
  if (count > MAX_ARRAY_TASKS)
    return `an array has at most ${MAX_ARRAY_TASKS} tasks (this one has ${count})`;
  return { spec: input.trim(), first, last: first + (count - 1) * step, step, count, limit };
}

/** The task ids of an array, in order (for small arrays and tests; large ones are walked lazily). */
export function arrayTaskIds(spec: ArraySpec): number[] {
  return Array.from({ length: spec.count }, (_, i) => spec.first + i * spec.step);
}
