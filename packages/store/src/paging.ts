/**
 * Cursor pagination shared by the adapters: a page is "the next `limit` jobs with an id greater
 * (ascending) or smaller (descending) than the cursor's", so pages never overlap or skip a job,
 * whatever is inserted meanwhile. A cursor carries its order: a descending listing's cursor is
 * refused by an ascending one and the other way round, so a mixed-up client gets a 400, not a
 * page that silently skips jobs.
 */
import { ValidationError, type FieldIssue, type Job } from '@god/core';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type JobPage, type Page } from './store.js';

/** Listing order: by id, oldest first (`asc`) or newest first (`desc`). */
export type Order = 'asc' | 'desc';

/** A validated page request: how many jobs, in which order, and the ids they must lie between. */
export interface PageRange {
  limit: number;
  order: Order;
  /** Jobs must have an id greater than this. */
  afterId: number;
  /** Jobs must have an id smaller than this (descending pages); null: no bound. */
  beforeId: number | null;
}

/** The opaque cursor of a page ending at job `id` (ascending cursors are spelled as before). */
export function encodeCursor(id: number, order: Order = 'asc'): string {
  return Buffer.from(`${order === 'desc' ? 'd' : ''}${id}`, 'utf8').toString('base64url');
}

/** The last id a cursor stands for and its order, or null when it is not one of ours. */
export function decodeCursor(cursor: string): { id: number; order: Order } | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(d?)([1-9]\d{0,15})$/.exec(text);
  if (m === null) return null;
  const decoded = { id: Number(m[2]), order: m[1] === 'd' ? 'desc' : 'asc' } as const;
  // Re-encoding must give the cursor back: rejects padding, stray characters and re-spellings.
  return encodeCursor(decoded.id, decoded.order) === cursor ? decoded : null;
}

/** Validates `page` (and the filter's `afterId`), naming the bad field. */
export function pageRange(page: Page = {}, afterId?: number): PageRange {
  const issues: FieldIssue[] = [];
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    issues.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
  }
  const order: unknown = page.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') issues.push({ path: 'order', message: 'asc or desc' });
  let after = 0;
  let before: number | null = null;
  if (page.cursor !== undefined && page.cursor !== null) {
    const c = typeof page.cursor === 'string' ? decodeCursor(page.cursor) : null;
    if (c === null || c.order !== order)
      issues.push({ path: 'cursor', message: 'not a cursor from this listing' });
    else if (c.order === 'desc') before = c.id;
    else after = c.id;
  }
  if (afterId !== undefined) {
    if (!Number.isInteger(afterId) || afterId < 0) {
      issues.push({ path: 'afterId', message: 'must be a whole number >= 0' });
    } else after = Math.max(after, afterId);
  }
  if (issues.length > 0) throw new ValidationError('invalid page', issues);
  return { limit, order: order as Order, afterId: after, beforeId: before };
}

/** The page for jobs fetched with one extra row: that row only tells whether more follow. */
export function toPage(rows: readonly Job[], range: PageRange): JobPage {
  const jobs = rows.slice(0, range.limit);
  const last = jobs[jobs.length - 1];
  return {
    jobs,
    nextCursor:
      rows.length > range.limit && last !== undefined ? encodeCursor(last.id, range.order) : null,
  };
}
