/**
 * The administration forms' values (what people type: `100h`, `64G`, `1001, 1002`) to the
 * user and project API bodies and back, and the API's field issues (`quota.cpuSeconds`,
 * `sgids[1]`) to the form's fields. Pure: tested without a browser.
 */
import { formatBytes, parseDurationSeconds, parseSizeBytes } from '@god/core/browser';
import { formatDuration } from './format.js';

const GB = 2 ** 30;
const HOUR = 3600;

/** A quota as the API holds it (seconds, GB·seconds; 0: unlimited). */
export interface Quota {
  cpuSeconds: number;
  ramGBSeconds: number;
  gpuSeconds: number;
  wallSeconds: number;
  windowSeconds: number;
}

/** A project's limits (cores, GB, GPUs, jobs held at once; 0: unlimited). */
export interface Limits {
  cpu: number;
  ram: number;
  gpus: number;
  jobs: number;
}

/** The quota as typed: durations (`100h`), RAM in GB-hours, all empty for none. */
export interface QuotaForm {
  cpu: string;
  ramGBHours: string;
  gpu: string;
  wall: string;
  window: string;
}

/** Field → message, `form` for what matches no field. */
export type Errors = Record<string, string>;

/** An empty quota form (no quota). */
export const NO_QUOTA: QuotaForm = { cpu: '', ramGBHours: '', gpu: '', wall: '', window: '' };

const dur = (s: number): string => (s === 0 ? '' : compactDuration(s));
/** Amounts of time read best in hours (`100h`, not `4d4h`). */
const hoursText = (s: number): string =>
  s === 0 ? '' : s % HOUR === 0 ? `${s / HOUR}h` : compactDuration(s);
/** `100 h`, `1.5 h`, `30 min`. */
const hoursLabel = (s: number): string =>
  s >= HOUR ? `${Math.round((s / HOUR) * 10) / 10} h` : formatDuration(s);

/** `100h`, `1d12h`, `90m`: a duration as the parser reads it back. */
export function compactDuration(seconds: number): string {
  const parts: Array<[number, string]> = [
    [86_400, 'd'],
    [HOUR, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  let rest = seconds;
  let out = '';
  for (const [size, unit] of parts) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out === '' ? '0' : out;
}

/** The form of a quota the API gave. */
export function quotaToForm(q: Quota | null): QuotaForm {
  if (q === null) return NO_QUOTA;
  return {
    cpu: hoursText(q.cpuSeconds),
    ramGBHours: q.ramGBSeconds === 0 ? '' : String(Math.round((q.ramGBSeconds / HOUR) * 100) / 100),
    gpu: hoursText(q.gpuSeconds),
    wall: hoursText(q.wallSeconds),
    window: dur(q.windowSeconds),
  };
}

/** The quota of a form (null when every field is empty); issues under `quota.*`. */
export function quotaFromForm(f: QuotaForm, errors: Errors): Quota | null {
  if ((Object.values(f) as string[]).every((v) => v.trim() === '')) return null;
  const seconds = (field: keyof Quota, v: string): number => {
    if (v.trim() === '') return 0;
    const s = parseDurationSeconds(v);
    if (typeof s === 'string') errors[`quota.${field}`] = s;
    return typeof s === 'number' ? s : 0;
  };
  const gbh = Number(f.ramGBHours.trim() === '' ? 0 : f.ramGBHours);
  if (!Number.isFinite(gbh) || gbh < 0)
    errors['quota.ramGBSeconds'] = 'must be a number of GB-hours';
  const q: Quota = {
    cpuSeconds: seconds('cpuSeconds', f.cpu),
    ramGBSeconds: Number.isFinite(gbh) ? Math.round(gbh * HOUR) : 0,
    gpuSeconds: seconds('gpuSeconds', f.gpu),
    wallSeconds: seconds('wallSeconds', f.wall),
    windowSeconds: seconds('windowSeconds', f.window),
  };
  if (f.window.trim() === '') errors['quota.windowSeconds'] = 'a quota needs its window, e.g. 7d';
  return q;
}

/** `CPU 100 h, RAM 50 GB·h per 7 d`, or `none`. */
export function quotaSummary(q: Quota | null): string {
  if (q === null) return 'none';
  const parts = [
    q.cpuSeconds > 0 ? `CPU ${hoursLabel(q.cpuSeconds)}` : '',
    q.ramGBSeconds > 0 ? `RAM ${Math.round((q.ramGBSeconds / HOUR) * 10) / 10} GB·h` : '',
    q.gpuSeconds > 0 ? `GPU ${hoursLabel(q.gpuSeconds)}` : '',
    q.wallSeconds > 0 ? `wall ${hoursLabel(q.wallSeconds)}` : '',
  ].filter((s) => s !== '');
  return `${parts.length === 0 ? 'unlimited' : parts.join(', ')} per ${formatDuration(q.windowSeconds)}`;
}

/** `1001, 1002` → [1001, 1002]; the bad part named under `field`. */
export function parseIds(text: string, field: string, errors: Errors): number[] {
  const out: number[] = [];
  for (const part of text.split(/[\s,]+/).filter((s) => s !== '')) {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 0) errors[field] = `"${part}" is not a group id`;
    else out.push(n);
  }
  return out;
}

/** A whole number ≥ 0 typed in `field` (empty: `empty`). */
export function parseCount(text: string, field: string, errors: Errors, empty = 0): number {
  if (text.trim() === '') return empty;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) errors[field] = 'must be a whole number';
  return n;
}

/** `64G` → 64 (GB, as limits hold RAM); `8 GB` shown back. */
export function parseLimitRam(text: string, errors: Errors): number {
  if (text.trim() === '') return 0;
  const bytes = parseSizeBytes(text);
  if (typeof bytes === 'string') {
    errors['limits.ram'] = bytes;
    return 0;
  }
  return bytes / GB;
}

/** A limit's RAM in GB as typed back (`64G`). */
export function limitRamText(gb: number): string {
  return gb === 0 ? '' : `${gb}G`;
}

/** `64 GB` for people (limits hold GB). */
export function formatGB(gb: number): string {
  return formatBytes(gb * GB).replace('iB', 'B');
}

/** The API's issues as field → message (`sgids[2]` → `sgids`, `quota.x` stays; `rename` maps a path to the form's name). */
export function apiErrors(
  issues: ReadonlyArray<{ path: string; message: string }>,
  rename: Readonly<Record<string, string>> = {},
): Errors {
  const out: Errors = {};
  for (const i of issues) {
    const path = i.path.replace(/\[\d+\]$/, '');
    const field = path === '' ? 'form' : (rename[path] ?? path);
    out[field] = out[field] === undefined ? i.message : `${out[field]}; ${i.message}`;
  }
  return out;
}
