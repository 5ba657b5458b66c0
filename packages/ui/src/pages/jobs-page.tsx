/**
 * The jobs list: filters in the URL, cursor paging (a stack of cursors for "previous"), bulk
 * actions on the selected rows, and rows kept current by the live events (api/live.ts).
 */
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { listJobs } from '../api/extra.js';
import { useSession } from '../api/session.js';
import { BulkActions } from '../components/bulk-actions.js';
import { JobFiltersBar } from '../components/job-filters.js';
import { JobsTable } from '../components/jobs-table.js';
import { filtersFromQuery, filtersToApi, filtersToQuery, type JobFilters } from '../lib/filters.js';

/** Jobs per page. */
const PAGE = 50;

/** The jobs page. */
export function JobsPage(): ReactNode {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromQuery(params), [params]);
  const key = filtersToQuery(filters).toString();
  // Back to page one whenever the filters change (the stack is keyed by them).
  const [paging, setPaging] = useState<{ key: string; stack: Array<string | undefined> }>({
    key,
    stack: [undefined],
  });
  const stack = paging.key === key ? paging.stack : [undefined];
  const cursor = stack[stack.length - 1];
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const { client, session } = useSession();
  const admin = session?.admin === true;

  const q = useQuery({
    queryKey: ['jobs', 'list', key, cursor ?? null],
    queryFn: () => listJobs(client, filtersToApi(filters), { cursor, limit: PAGE }),
    placeholderData: keepPreviousData,
  });

  const setFilters = (f: JobFilters): void => {
    setSelected(new Set());
    setParams(filtersToQuery(f), { replace: true });
  };
  const select = (id: number, on: boolean): void => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const next = q.data?.nextCursor ?? null;

  return (
    <section className="page">
      <div className="page-head">
        <h1>Jobs</h1>
        <Link className="button primary" to="/submit">
          Submit a job
        </Link>
      </div>
      <JobFiltersBar value={filters} admin={admin} onChange={setFilters} />
      <BulkActions ids={[...selected]} onDone={() => setSelected(new Set())} />
      {q.isPending ? (
        <p role="status">Loading jobs…</p>
      ) : q.isError ? (
        <p role="alert" className="error">
          The jobs could not be loaded: {q.error.message}
        </p>
      ) : q.data.jobs.length === 0 ? (
        <p className="empty" data-testid="jobs-empty">
          {key === '' && stack.length === 1 ? 'No jobs yet.' : 'No job matches these filters.'}
        </p>
      ) : (
        <JobsTable
          jobs={q.data.jobs}
          showUser={admin}
          selected={selected}
          onSelect={select}
          caption="Jobs"
        />
      )}
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          disabled={stack.length <= 1}
          onClick={() => setPaging({ key, stack: stack.slice(0, -1) })}
        >
          Previous
        </button>
        <span>Page {stack.length}</span>
        <button
          type="button"
          disabled={next === null}
          onClick={() => next !== null && setPaging({ key, stack: [...stack, next] })}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
