/**
 * Cursor pagination shared by the adapters (keyset paging): a page is "the next `limit` jobs
 * after the cursor's position", so pages never overlap or skip a job, whatever is inserted
 * meanwhile. Listings are ordered by id, or, when filtered by submission date, by submission
 * date then id (so a date range is one index range, not a sort of everything in it). A cursor
 * carries its order and key: one from another kind of listing is refused (a 400, not a page
 * that silently skips jobs).
 */
import { ValidationError, type FieldIssue, type Job } from '@god/core';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type JobFilter,
  type JobPage,
  type Page,
} from './store.js';

/** Listing order: oldest first (`asc`) or newest first (`desc`). */
export type Order = 'asc' | 'desc';

/** Where a page starts: after this job (by submission date, then id). */
export interface Position {
  submitted: number;
  id: number;
}

/** A validated page request. */
export interface PageRange {
  limit: number;
  order: Order;
  /** Ordered by submission date then id (a date filter is set), else by id. */
  bySubmitted: boolean;
  /** Jobs must have an id greater than this (the cursor of an ascending id listing). */
  afterId: number;
  /** Jobs must have an id smaller than this (descending id listings); null: no bound. */
  beforeId: number | null;
  /** By-submission listings: the cursor's position, jobs come after it in `order`. */
  from: Position | null;
}

interface Cursor {
  order: Order;
  id: number;
  /** Present for by-submission listings. */
  submitted?: number;
}

function cursorText(c: Cursor): string {
  const s = c.submitted === undefined ? '' : `s${c.submitted}.`;
  return `${c.order === 'desc' ? 'd' : ''}${s}${c.id}`;
}

/** The opaque cursor of a page ending at `c` (ascending id cursors are spelled as before). */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(cursorText(c), 'utf8').toString('base64url');
}

/** What a cursor stands for, or null when it is not one of ours. */
export function decodeCursor(cursor: string): Cursor | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(d?)(?:s(0|[1-9]\d{0,15})\.)?([1-9]\d{0,15})$/.exec(text);
  if (m === null) return null;
  const c: Cursor = {
    order: m[1] === 'd' ? 'desc' : 'asc',
    id: Number(m[3]),
    ...(m[2] !== undefined && { submitted: Number(m[2]) }),
  };
  // Re-encoding must give the cursor back: rejects padding, stray characters and re-spellings.
  return encodeCursor(c) === cursor ? c : null;
}

/** Validates `page` (and the filter's `afterId`), naming the bad field. */
export function pageRange(page: Page = {}, afterId?: number, bySubmitted = false): PageRange {
  const issues: FieldIssue[] = [];
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    issues.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
  }
  const order: unknown = page.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') issues.push({ path: 'order', message: 'asc or desc' });
  const range: PageRange = {
    limit,
    order: order === 'desc' ? 'desc' : 'asc',
    bySubmitted,
    afterId: 0,
    beforeId: null,
    from: null,
  };
  if (page.cursor !== undefined && page.cursor !== null) {
    const c = typeof page.cursor === 'string' ? decodeCursor(page.cursor) : null;
    if (c === null || c.order !== order || (c.submitted !== undefined) !== bySubmitted)
      issues.push({ path: 'cursor', message: 'not a cursor from this listing' });
    else if (c.submitted !== undefined) range.from = { submitted: c.submitted, id: c.id };
    else if (c.order === 'desc') range.beforeId = c.id;
    else range.afterId = c.id;
  }
  if (afterId !== undefined) {
    if (!Number.isInteger(afterId) || afterId < 0) {
      issues.push({ path: 'afterId', message: 'must be a whole number >= 0' });
    } else range.afterId = Math.max(range.afterId, afterId);
  }
  if (issues.length > 0) throw new ValidationError('invalid page', issues);
  return range;
}

/** The page range of a listing with `filter`: by submission date when it filters by date. */
export function listRange(filter: JobFilter, page: Page = {}): PageRange {
  const byDate = filter.submittedAfter !== undefined || filter.submittedBefore !== undefined;
  return pageRange(page, filter.afterId, byDate);
}

/** True when job `a` comes before job `b` in the listing's order. */
export function comesFirst(range: PageRange): (a: Job, b: Job) => boolean {
  const sign = range.order === 'desc' ? -1 : 1;
  if (!range.bySubmitted) return (a, b) => sign * (a.id - b.id) < 0;
  return (a, b) => sign * (a.status.dates.submitted - b.status.dates.submitted || a.id - b.id) < 0;
}

/** The page for jobs fetched with one extra row: that row only tells whether more follow. */
export function toPage(rows: readonly Job[], range: PageRange): JobPage {
  const jobs = rows.slice(0, range.limit);
  const last = jobs[jobs.length - 1];
  if (rows.length <= range.limit || last === undefined) return { jobs, nextCursor: null };
  const at = range.bySubmitted ? { submitted: last.status.dates.submitted } : {};
  return { jobs, nextCursor: encodeCursor({ order: range.order, id: last.id, ...at }) };
}
