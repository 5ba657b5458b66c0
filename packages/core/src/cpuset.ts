/**
 * Linux cpuset lists (`0-3,8-11`): the format of sysfs' `online`, `cpulist` and
 * `thread_siblings_list` files, of placements, and of Docker's `--cpuset-cpus` / `--cpuset-mems`.
 */
import { ValidationError } from './errors.js';

/** Largest range accepted: a corrupted file must not make us loop over billions of ids. */
const MAX_RANGE = 65_536;

/**
 * Parses a cpuset list into sorted distinct ids. An empty (or blank) list is the empty set, as
 * sysfs writes for a memory-only NUMA node. Throws a ValidationError naming `field`.
 */
export function parseCpuset(list: string, field = 'cpuset'): number[] {
  const ids = cpusetOrProblem(list);
  if (typeof ids === 'string')
    throw new ValidationError('bad cpuset list', [{ path: field, message: ids }]);
  return ids;
}

/** Like parseCpuset, but returns what is wrong instead of throwing (for hot paths). */
export function cpusetOrProblem(list: string): number[] | string {
  const text = list.trim();
  if (text === '') return [];
  const ids = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (m === null) return `"${text}" is not a cpuset list (like 0-3,8-11)`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > MAX_RANGE) return `"${part.trim()}" is not a valid range in "${text}"`;
    for (let id = lo; id <= hi; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Formats ids as a compact cpuset list: sorted, distinct, runs of consecutive ids as `a-b`. */
export function formatCpuset(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (sorted[i + 1] === end + 1) {
      end += 1;
      i += 1;
    }
    parts.push(start === end ? `${start}` : `${start}-${end}`);
    i += 1;
  }
  return parts.join(',');
}
