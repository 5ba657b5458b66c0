/** Text for people: aligned tables, times, sizes, a job's state in a few characters. */
import type { Job } from '@god/core';
import { usage } from './errors.js';
import { visible } from './visible.js';

/** Rows under headers, each column as wide as its widest cell; the last one is not padded. */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): string[] {
  // Cells are data: a newline or escape sequence in a job name must not break or paint the table.
  const cells = rows.map((r) => r.map((c) => visible(c)));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)];
}

/** Epoch ms as local `YYYY-MM-DD HH:MM:SS`, or `-`. */
export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A RAM request (bytes) as a short size: `512M`, `8G`, `1.5T`. */
export function ram(bytes: number | null): string {
  if (bytes === null) return '-';
  const value = bytes / 2 ** 30;
  if (value < 1) return `${round(value * 1024)}M`;
  return value >= 1024 ? `${round(value / 1024)}T` : `${round(value)}G`;
}

/** Bytes as a short size: `512`, `4.0K`, `1.2M`. */
export function bytes(n: number): string {
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  let unit = '';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return unit === '' ? String(n) : `${v.toFixed(1)}${unit}`;
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** `running`, `over:failed(3)`, `over:success`: the state with how it ended. */
export function stateOf(job: Job): string {
  if (job.outcome === null) return job.state;
  const code = job.status.exitcode;
  return `${job.state}:${job.outcome}${code !== null && code !== 0 ? `(${code})` : ''}`;
}

/** The job's name, with its task id for a task of an array. */
export function nameOf(job: Job): string {
  return job.taskId === null ? job.meta.name : `${job.meta.name}[${job.taskId}]`;
}

/** A whole number from a flag value, or a usage error naming the flag. */
export function intOption(flag: string, value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw usage(`${flag}: "${value}" is not a whole number`);
  return Number(value);
}

/** A number from a flag value, or a usage error naming the flag. */
export function numberOption(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw usage(`${flag}: "${value}" is not a number`);
  return n;
}

/** A job id from the command line, or a usage error. */
export function jobId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value)))
    throw usage(`"${value}" is not a job id`);
  return Number(value);
}

/** A field of an API answer as text: `empty` for a missing or empty value. */
export function text(value: unknown, empty = '-'): string {
  if (typeof value === 'string') return value === '' ? empty : value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : empty;
}
