/**
 * Parsers for the units users write: sizes (`8G`, `512M`), durations (`1h30m`), arrays (`1:9:3%2`).
 * Every quantity comes out as an integer in base units (bytes, seconds, counts).
 */
import type { ArraySpec } from './job.js';

/** Bytes in one KiB, MiB, GiB, TiB, PiB (sizes are binary, as GO-Docker's GB were). */
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
};

/** Bytes in one GiB: a bare number of RAM means GB, as in GO-Docker's documents. */
export const BYTES_PER_GB = 2 ** 30;

/**
 * The largest size god represents (1 PiB): well inside exact integers, so sums of many jobs'
 * bytes (project limits, host books) stay exact.
 */
export const MAX_SIZE_BYTES = 2 ** 50;

/** The smallest memory limit of a job: Docker refuses less than 6 MiB. */
export const MIN_RAM_BYTES = 6 * 2 ** 20;

/** The longest duration god represents (2^31 - 1 s, about 68 years): a 32-bit integer anywhere. */
export const MAX_DURATION_SECONDS = 2 ** 31 - 1;

/**
 * A size as a whole number of bytes, from `8G`, `512M`, `1.5T`, `2048K`, `6291456B` (binary
 * units; `iB`/`B` after the letter is accepted) or a bare number (or number string) of GB.
 * Fractions round to the nearest byte. The result is an integer in [0, MAX_SIZE_BYTES]; callers
 * apply their own minimum. Returns an error message instead of throwing.
 */
export function parseSizeBytes(input: number | string): number | string {
  let value: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return 'must be a positive number of GB';
    value = input * BYTES_PER_GB;
  } else {
    const m = /^\s*(\d{1,20}(?:\.\d{1,20})?)\s*(?:([KMGTP])(?:i?B)?|(B))?\s*$/i.exec(input);
    if (m === null) return `"${input}" is not a size: use a number of GB or a value like 8G, 512M`;
    const unit = m[3] !== undefined ? 'B' : (m[2] ?? 'G').toUpperCase();
    value = Number(m[1]) * (SIZE_UNITS[unit] ?? BYTES_PER_GB);
  }
  const bytes = Math.round(value);
  if (!(bytes <= MAX_SIZE_BYTES)) return `must be at most ${formatBytes(MAX_SIZE_BYTES)}`;
  return bytes;
}

/** `8 GiB`, `512 MiB`, `1.5 GiB`, `100 B`: a size for people (two decimals at most). */
export function formatBytes(bytes: number): string {
  for (const unit of ['P', 'T', 'G', 'M', 'K'] as const) {
    const size = SIZE_UNITS[unit] ?? 1;
    if (bytes >= size) return `${Math.round((bytes / size) * 100) / 100} ${unit}iB`;
  }
  return `${bytes} B`;
}

/**
 * A duration as a whole number of seconds, from a number of seconds or `90s`, `30m`, `2h`, `1d`,
 * `1h30m`; at most MAX_DURATION_SECONDS. Returns an error message instead of throwing.
 */
export function parseDurationSeconds(input: number | string): number | string {
  let seconds: number;
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) return 'must be a whole number of seconds';
    seconds = input;
  } else {
    const s = input.trim();
    const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
    if (/^\d+$/.test(s)) seconds = Number(s);
    else if (m === null || s === '')
      return `"${input}" is not a duration: use seconds or a value like 90s, 30m, 2h, 1d`;
    else {
      const [, d, h, mi, se] = m;
      seconds =
        Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(se ?? 0);
    }
  }
  if (seconds > MAX_DURATION_SECONDS) return `must be at most ${MAX_DURATION_SECONDS} seconds`;
  return seconds;
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
