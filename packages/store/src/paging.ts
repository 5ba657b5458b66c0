/**
 * Cursor pagination shared by the adapters: a page is "the next `limit` jobs with an id greater
 * than the cursor's", so pages never overlap or skip a job, whatever is inserted meanwhile.
 */
import { ValidationError, type FieldIssue, type Job } from '@god/core';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type JobPage, type Page } from './store.js';

/** A validated page request: how many jobs, and the id they must be greater than. */
export interface PageRange {
  limit: number;
  afterId: number;
}

/** The opaque cursor of a page ending at job `id`. */
export function encodeCursor(id: number): string {
  return Buffer.from(String(id), 'utf8').toString('base64url');
}

/** The last id a cursor stands for, or null when it is not one of ours. */
export function decodeCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9]\d{0,15}$/.test(text)) return null;
  // Re-encoding must give the cursor back: rejects padding, stray characters and re-spellings.
  return encodeCursor(Number(text)) === cursor ? Number(text) : null;
}

/** Validates `page` (and the filter's `afterId`), naming the bad field. */
export function pageRange(page: Page = {}, afterId?: number): PageRange {
  const issues: FieldIssue[] = [];
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    issues.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
  }
  let after = 0;
  if (page.cursor !== undefined && page.cursor !== null) {
    const id = typeof page.cursor === 'string' ? decodeCursor(page.cursor) : null;
    if (id === null) issues.push({ path: 'cursor', message: 'not a cursor from this listing' });
    else after = id;
  }
  if (afterId !== undefined) {
    if (!Number.isInteger(afterId) || afterId < 0) {
      issues.push({ path: 'afterId', message: 'must be a whole number >= 0' });
    } else after = Math.max(after, afterId);
  }
  if (issues.length > 0) throw new ValidationError('invalid page', issues);
  return { limit, afterId: after };
}

/** The page for jobs fetched with one extra row: that row only tells whether more follow. */
export function toPage(rows: readonly Job[], limit: number): JobPage {
  const jobs = rows.slice(0, limit);
  const last = jobs[jobs.length - 1];
  return {
    jobs,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null,
  };
}
