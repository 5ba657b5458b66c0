/**
 * Usage from cgroups. Each run gets its own cgroup parent (`/<prefix>/job-<id>-<attempt>` with the
 * cgroupfs driver, the slice `<prefix>-job-<id>-<attempt>.slice` with systemd); Docker puts the
 * container's cgroup under it. The parent outlives the container, and with it the CPU time it
 * accumulated, so usage is read after the end. Peak memory without page cache has no counter
 * that survives (v1 `max_usage_in_bytes` counts cache), so it is sampled while the job runs.
 */
import { access, readFile, readdir, rmdir } from 'node:fs/promises';
import type { PluginLogger } from '@god/core';

/** How the daemon manages cgroups (from `docker info`) and where they are mounted. */
export interface CgroupLayout {
  driver: 'cgroupfs' | 'systemd';
  version: 1 | 2;
  /** The cgroup filesystem mount (`/sys/fs/cgroup`). */
  root: string;
}

/** A run's cgroup parent: what Docker is given, and its directory under each hierarchy. */
export interface JobCgroup {
  /** `HostConfig.CgroupParent`. */
  parent: string;
  /** The parent's path relative to a hierarchy's root (`god/job-4-1`). */
  dir: string;
}

/** The cgroup parent of attempt `attempt` of job `jobId`. */
export function jobCgroup(
  driver: CgroupLayout['driver'],
  prefix: string,
  jobId: number,
  attempt: number,
): JobCgroup {
  if (driver === 'cgroupfs') {
    const dir = `${prefix}/job-${jobId}-${attempt}`;
    return { parent: `/${dir}`, dir };
  }
  const slice = `${prefix}-job-${jobId}-${attempt}.slice`;
  return { parent: slice, dir: sliceDir(slice) };
}

/** systemd's directory for a slice: `a-b-c.slice` lives at `a.slice/a-b.slice/a-b-c.slice`. */
export function sliceDir(slice: string): string {
  const parts = slice.replace(/\.slice$/, '').split('-');
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('-')}.slice`).join('/');
}

/**
 * The layout of the daemon's `docker info` answer, with the cgroup mount at `root`; `unified`
 * (a v2 mount found at `root`) decides when the daemon is too old to say its cgroup version.
 */
export function layoutOf(
  info: { CgroupDriver?: string; CgroupVersion?: string },
  root: string,
  unified: boolean,
): CgroupLayout {
  const version =
    info.CgroupVersion === undefined || info.CgroupVersion === '' ? undefined : info.CgroupVersion;
  return {
    driver: info.CgroupDriver === 'systemd' ? 'systemd' : 'cgroupfs',
    version: (version ?? (unified ? '2' : '1')) === '2' ? 2 : 1,
    root: root.replace(/\/+$/, ''),
  };
}

/** True when `root` is a cgroup v2 (unified) mount. */
export async function isUnified(root: string): Promise<boolean> {
  return access(`${root}/cgroup.controllers`).then(
    () => true,
    () => false,
  );
}

/** The CPU time (seconds) the run's cgroup parent accumulated; null when unreadable. */
export async function readCpuSeconds(layout: CgroupLayout, dir: string): Promise<number | null> {
  if (layout.version === 1) {
    const ns = await readNumber(`${layout.root}/cpuacct/${dir}/cpuacct.usage`);
    return ns === null ? null : ns / 1e9;
  }
  const stat = await readStat(`${layout.root}/${dir}/cpu.stat`);
  const usec = stat?.get('usage_usec');
  return usec === undefined ? null : usec / 1e6;
}

/**
 * The run's memory without page cache now (v1 `total_rss + total_swap`, v2 `anon`), bounded by
 * the peak the kernel recorded when it has one; null when unreadable (the cgroup is gone).
 */
export async function readMemoryBytes(layout: CgroupLayout, dir: string): Promise<number | null> {
  if (layout.version === 1) {
    const stat = await readStat(`${layout.root}/memory/${dir}/memory.stat`);
    const rss = stat?.get('total_rss');
    if (stat === null || rss === undefined) return null;
    return rss + (stat.get('total_swap') ?? 0);
  }
  const stat = await readStat(`${layout.root}/${dir}/memory.stat`);
  const anon = stat?.get('anon');
  if (anon === undefined) return null;
  const peak = await readNumber(`${layout.root}/${dir}/memory.peak`);
  return peak === null ? anon : Math.min(anon, peak);
}

/**
 * Removes the run's cgroup parent in every hierarchy (v1) or the unified one (v2). Only the
 * run's own directory goes; a directory still busy or already gone is left (debug log).
 */
export async function removeJobCgroup(
  layout: CgroupLayout,
  dir: string,
  log: PluginLogger,
): Promise<void> {
  const bases =
    layout.version === 2
      ? [layout.root]
      : (await readdir(layout.root).catch(() => [])).map((h) => `${layout.root}/${h}`);
  for (const base of bases) {
    const path = `${base}/${dir}`;
    await rmdir(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTDIR')
        log.debug({ path, code: err.code }, 'cgroup left in place');
    });
  }
}

/** `key value` lines (memory.stat, cpu.stat) as a map; null when unreadable. */
export function parseStat(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key !== undefined && key !== '' && value !== undefined && /^\d+$/.test(value))
      out.set(key, Number(value));
  }
  return out;
}

async function readStat(path: string): Promise<Map<string, number> | null> {
  // A cgroup file that is gone (the container ended) reads as no value, which callers expect.
  const text = await readFile(path, 'utf8').catch(() => null);
  return text === null ? null : parseStat(text);
}

async function readNumber(path: string): Promise<number | null> {
  // Gone (the container ended) or not a number: no value, as for readStat.
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null || !/^\d+$/.test(text.trim())) return null;
  return Number(text.trim());
}
