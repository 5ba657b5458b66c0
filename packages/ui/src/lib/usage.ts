/**
 * The usage page's pure parts: usage per hour or day and project as chart columns, quota bars
 * (used / limit with units), amounts with units, and the order of the fairness table.
 */

import type { UsageBucket } from '@god/client';

/** The amounts the charts and quotas show. */
export type Metric = 'cpuSeconds' | 'ramGBSeconds' | 'gpuSeconds' | 'wallSeconds';

/** The unit of each metric in seconds, and the larger one (per hour) for big numbers. */
const UNITS: Record<Metric, [string, string]> = {
  cpuSeconds: ['cpu·s', 'cpu·h'],
  ramGBSeconds: ['GB·s', 'GB·h'],
  gpuSeconds: ['GPU·s', 'GPU·h'],
  wallSeconds: ['s', 'h'],
};

/** What the page calls each metric. */
export const METRIC_NAMES: Record<Metric, string> = {
  cpuSeconds: 'CPU',
  ramGBSeconds: 'RAM',
  gpuSeconds: 'GPU',
  wallSeconds: 'Wall time',
};

/** The unit a chart of `metric` is drawn in. */
export function unitOf(metric: Metric): string {
  return UNITS[metric][0];
}

/** `42 cpu·s`, `3.5 cpu·h`, `1.2k GB·h`: per hour from 10 hours up, at most one decimal. */
export function formatAmount(value: number, metric: Metric): string {
  if (!Number.isFinite(value) || value < 0) return '—';
  const [small, big] = UNITS[metric];
  const hours = value >= 36_000;
  const v = hours ? value / 3600 : value;
  const text =
    v >= 10_000
      ? `${Math.round(v / 100) / 10}k`
      : String(v >= 100 ? Math.round(v) : Math.round(v * 10) / 10);
  return `${text} ${hours ? big : small}`;
}

/** The bucket starts from `from` (a bucket start) up to `to` (exclusive), at most 1000. */
export function bucketStarts(from: number, to: number, size: number): number[] {
  const out: number[] = [];
  for (let t = from - (from % size); t < to && out.length < 1000; t += size) out.push(t);
  return out;
}

/** Chart columns: x (epoch s of each bucket) and one series per project (empty buckets: 0). */
export interface Series {
  xs: number[];
  projects: string[];
  /** `values[i][j]`: project i in bucket j. */
  values: number[][];
}

/** `rows` (any users) per project over every bucket of `starts`. */
export function seriesByProject(
  rows: readonly UsageBucket[],
  metric: Metric,
  starts: readonly number[],
): Series {
  const index = new Map(starts.map((t, i) => [t, i]));
  const byProject = new Map<string, number[]>();
  for (const r of rows) {
    const i = index.get(r.start);
    if (i === undefined) continue;
    let line = byProject.get(r.project);
    if (line === undefined) {
      line = starts.map(() => 0);
      byProject.set(r.project, line);
    }
    line[i] = (line[i] ?? 0) + r[metric];
  }
  const projects = [...byProject.keys()].sort();
  return {
    xs: starts.map((t) => t / 1000),
    projects,
    values: projects.map((p) => byProject.get(p)!),
  };
}

/** Totals of `rows` per project, by project name. */
export type ProjectTotals = Omit<UsageBucket, 'start'>;

/** Totals of `rows` per project. */
export function totalsByProject(rows: readonly UsageBucket[]): ProjectTotals[] {
  const out = new Map<string, ProjectTotals>();
  for (const r of rows) {
    const t = out.get(r.project) ?? {
      project: r.project,
      cpuSeconds: 0,
      ramGBSeconds: 0,
      gpuSeconds: 0,
      wallSeconds: 0,
      jobs: 0,
    };
    t.cpuSeconds += r.cpuSeconds;
    t.ramGBSeconds += r.ramGBSeconds;
    t.gpuSeconds += r.gpuSeconds;
    t.wallSeconds += r.wallSeconds;
    t.jobs += r.jobs;
    out.set(r.project, t);
  }
  return [...out.values()].sort((a, b) => (a.project < b.project ? -1 : 1));
}

/** A quota over a sliding window (0 = no limit on that amount). */
export interface Quota {
  cpuSeconds: number;
  ramGBSeconds: number;
  gpuSeconds: number;
  wallSeconds: number;
  windowSeconds: number;
}

/** One bar: an amount used of its limit in the quota's window. */
export interface QuotaBar {
  metric: Metric;
  used: number;
  limit: number;
  /** `12 cpu·s / 100 cpu·s`. */
  text: string;
}

/** The bars of `quota` (only the limited amounts), given the usage in its window. */
export function quotaBars(quota: Quota, used: Record<Metric, number>): QuotaBar[] {
  const metrics: Metric[] = ['cpuSeconds', 'ramGBSeconds', 'gpuSeconds', 'wallSeconds'];
  return metrics
    .filter((m) => quota[m] > 0)
    .map((m) => ({
      metric: m,
      used: used[m],
      limit: quota[m],
      text: `${formatAmount(used[m], m)} / ${formatAmount(quota[m], m)}`,
    }));
}

/** A sortable column of the fairness table, and the direction. */
export interface Sort<K extends string> {
  key: K;
  dir: 'asc' | 'desc';
}

/** `rows` ordered by `sort.key` (nulls last, then by name), a new array. */
export function sortRows<K extends string, R extends Record<K, number | string | null>>(
  rows: readonly R[],
  sort: Sort<K>,
  name: (r: R) => string,
): R[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (x < y) return -sign;
    if (x > y) return sign;
    return name(a) < name(b) ? -1 : 1;
  });
}

/** `12.5 %` of a share in [0, 1]; `—` for none. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${Math.round(share * 1000) / 10} %`;
}

/** `+3.2 pts` / `−1.0 pts`: a fairness error (achieved − configured share) in percentage points. */
export function formatError(error: number | undefined): string {
  if (error === undefined || !Number.isFinite(error)) return '—';
  const pts = Math.round(error * 1000) / 10;
  return `${pts > 0 ? '+' : pts < 0 ? '−' : '±'}${Math.abs(pts).toFixed(1)} pts`;
}
