/** Linux cpuset lists (`0-3,8,10-11`), the format of Docker's `--cpuset-cpus` and `--cpuset-mems`. */

/** Formats ids as a compact cpuset list: sorted, runs of consecutive ids as `a-b`. */
export function formatCpuset(ids: readonly number[]): string {
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

/** Parses a cpuset list into sorted distinct ids, or returns what is wrong with it. */
export function parseCpuset(list: string): number[] | string {
  const ids = new Set<number>();
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (m === null) return `"${list}" is not a cpuset list (like 0-3,8)`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    // A bound keeps a corrupted record from making us loop over billions of ids.
    if (hi < lo || hi - lo > 65_536) return `"${part}" is not a valid range in "${list}"`;
    for (let id = lo; id <= hi; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}
