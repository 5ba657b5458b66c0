/** Reading and writing dotted paths (`status.dates.ended`) in plain documents. */

/** The value at `path` in `doc`, or undefined when a step along the way is missing. */
export function getPath(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Sets `path` in `doc` to `value`, making (or replacing non-object) steps along the way. */
export function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let cur = doc;
  for (const key of keys) {
    const child = cur[key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[last] = value;
}
