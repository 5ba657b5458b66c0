/**
 * The live preview of an array spec under the submit form, by core's own parser: what the API
 * accepts, the form accepts, and a spec it refuses says why in the API's words.
 */
import { parseArraySpec } from '@god/core/browser';

/** At most this many task ids are listed; the rest is counted. */
export const PREVIEW_IDS = 12;

/** A spec's tasks, or why it is not one. */
export type ArrayPreview =
  { ok: true; ids: number[]; count: number; limit: number } | { ok: false; error: string };

/** The first task ids of `spec` and their count, or the parser's reason to refuse it. */
export function previewArray(spec: string): ArrayPreview {
  const r = parseArraySpec(spec);
  if (typeof r === 'string') return { ok: false, error: r };
  const n = Math.min(r.count, PREVIEW_IDS);
  const ids = Array.from({ length: n }, (_, i) => r.first + i * r.step);
  return { ok: true, ids, count: r.count, limit: r.limit };
}

/** `1, 4, 7` or `1, 2, 3, … (100 tasks)`. */
export function describePreview(p: ArrayPreview): string {
  if (!p.ok) return p.error;
  const list = p.ids.join(', ');
  const tail = p.count > p.ids.length ? `, … (${p.count} tasks)` : ` (${p.count} tasks)`;
  const limit = p.limit > 0 ? `, at most ${p.limit} at once` : '';
  return `${list}${tail}${limit}`;
}
