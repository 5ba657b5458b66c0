/**
 * The jobs list's filters as the page URL carries them (so a filtered list is a link to share)
 * and as the API takes them. `from`/`to` are days (`YYYY-MM-DD`) in the user's time zone; the
 * API gets epoch ms: from the start of `from` to the end of `to`.
 */
import { JOB_STATES, type JobState } from '@god/core/browser';

/** What the list shows. */
export interface JobFilters {
  states: JobState[];
  /** Name contains (case-insensitive). */
  q: string;
  project: string;
  /** Administrators only. */
  user: string;
  from: string;
  to: string;
  order: 'desc' | 'asc';
}

/** No filter: every job, newest first. */
export const NO_FILTERS: JobFilters = {
  states: [],
  q: '',
  project: '',
  user: '',
  from: '',
  to: '',
  order: 'desc',
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters a URL query names; anything malformed is dropped, not guessed. */
export function filtersFromQuery(params: URLSearchParams): JobFilters {
  const states = (params.get('state') ?? '')
    .split(',')
    .filter((s): s is JobState => (JOB_STATES as readonly string[]).includes(s));
  const day = (k: string): string => {
    const v = params.get(k) ?? '';
    return DAY.test(v) ? v : '';
  };
  return {
    states: [...new Set(states)],
    q: (params.get('q') ?? '').slice(0, 200),
    project: params.get('project') ?? '',
    user: params.get('user') ?? '',
    from: day('from'),
    to: day('to'),
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
  };
}

/** The URL query of `f`: only what differs from no filter, in a stable order. */
export function filtersToQuery(f: JobFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.states.length > 0) p.set('state', f.states.join(','));
  if (f.q !== '') p.set('q', f.q);
  if (f.project !== '') p.set('project', f.project);
  if (f.user !== '') p.set('user', f.user);
  if (f.from !== '') p.set('from', f.from);
  if (f.to !== '') p.set('to', f.to);
  if (f.order !== 'desc') p.set('order', f.order);
  return p;
}

/** Epoch ms of local midnight starting `day` (`YYYY-MM-DD`), in the browser's zone. */
function localMidnight(day: string, plusDays = 0): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays).getTime();
}

/**
 * The query of `GET /api/v1/jobs` for `f` (without paging). Top-level jobs only, whatever the
 * filters: an array is one row whose tasks open under it (components/jobs-table.tsx).
 */
export function filtersToApi(f: JobFilters): Record<string, string> {
  const q: Record<string, string> = { order: f.order, top_level: 'true' };
  if (f.states.length > 0) q['state'] = f.states.join(',');
  if (f.q.trim() !== '') q['q'] = f.q.trim();
  if (f.project.trim() !== '') q['project'] = f.project.trim();
  if (f.user.trim() !== '') q['user'] = f.user.trim();
  if (f.from !== '') q['submitted_after'] = String(localMidnight(f.from));
  if (f.to !== '') q['submitted_before'] = String(localMidnight(f.to, 1));
  return q;
}
