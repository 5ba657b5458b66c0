/**
 * A table of jobs; under ~700px wide each row becomes a card (styles/jobs.css). An array job is
 * one row with its tasks' progress, expandable to the tasks themselves. Names are text: React
 * escapes them.
 */
import { Fragment, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import type { Job } from '@god/core/browser';
import { listJobs } from '../api/extra.js';
import { useSession } from '../api/session.js';
import { formatBytes, formatCores, formatDuration, runSeconds } from '../lib/format.js';
import { StateBadge } from './state-badge.js';
import { TaskProgress } from './task-progress.js';
import { TimeAgo, useNow } from './time-ago.js';

/** The table; `selected`/`onSelect` are omitted where rows cannot be selected. */
export function JobsTable(props: {
  jobs: Job[];
  showUser: boolean;
  selected?: ReadonlySet<number>;
  onSelect?: (id: number, on: boolean) => void;
  caption: string;
}): ReactNode {
  const now = useNow();
  const selectable = props.onSelect !== undefined;
  const columns = 8 + (props.showUser ? 1 : 0) + (selectable ? 1 : 0);
  return (
    <table className="jobs">
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {selectable ? (
            <th scope="col">
              <span className="visually-hidden">Select</span>
            </th>
          ) : null}
          <th scope="col">Id</th>
          <th scope="col">Name</th>
          {props.showUser ? <th scope="col">User</th> : null}
          <th scope="col">Project</th>
          <th scope="col">State</th>
          <th scope="col">Submitted</th>
          <th scope="col">Run time</th>
          <th scope="col">Cores / RAM</th>
          <th scope="col">
            <span className="visually-hidden">Tasks</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.jobs.map((job) => (
          <JobRow key={job.id} job={job} now={now} columns={columns} {...props} />
        ))}
      </tbody>
    </table>
  );
}

function JobRow(props: {
  job: Job;
  now: number;
  columns: number;
  showUser: boolean;
  selected?: ReadonlySet<number>;
  onSelect?: (id: number, on: boolean) => void;
}): ReactNode {
  const { job, now, onSelect } = props;
  const [open, setOpen] = useState(false);
  const run = runSeconds(job.status.dates, now);
  const isArray = job.requirements.array !== null;
  return (
    <Fragment>
      <tr data-job-id={job.id} data-testid="job-row">
        {onSelect !== undefined ? (
          <td className="select">
            <input
              type="checkbox"
              aria-label={`Select job ${job.id}`}
              checked={props.selected?.has(job.id) ?? false}
              onChange={(e) => onSelect(job.id, e.target.checked)}
            />
          </td>
        ) : null}
        <td data-label="Id">
          <Link to={`/jobs/${job.id}`}>
            {job.taskId !== null ? `${job.parent}.${job.taskId}` : job.id}
          </Link>
        </td>
        <td data-label="Name" className="name">
          <Link to={`/jobs/${job.id}`}>{job.meta.name}</Link>
        </td>
        {props.showUser ? <td data-label="User">{job.user.id}</td> : null}
        <td data-label="Project">{job.user.project}</td>
        <td data-label="State">
          <StateBadge state={job.state} outcome={job.outcome} />
        </td>
        <td data-label="Submitted">
          <TimeAgo at={job.status.dates.submitted} now={now} />
        </td>
        <td data-label="Run time">{run === null ? '—' : formatDuration(run)}</td>
        <td data-label="Cores / RAM">
          {formatCores(job.requirements.cpu)} / {formatBytes(job.requirements.ram)}
          {job.requirements.gpus > 0 ? ` / ${job.requirements.gpus} GPU` : ''}
        </td>
        <td data-label="Tasks" className="tasks-cell">
          {isArray ? (
            <>
              <TaskProgress id={job.id} />
              <button
                type="button"
                className="link-button"
                aria-expanded={open}
                aria-label={`${open ? 'Hide' : 'Show'} the tasks of job ${job.id}`}
                onClick={() => setOpen(!open)}
              >
                {open ? 'Hide tasks' : `${job.requirements.array?.count ?? ''} tasks`}
              </button>
            </>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr className="tasks-row">
          <td colSpan={props.columns}>
            <ArrayTasks id={job.id} showUser={props.showUser} />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

/** The first tasks of array job `id` (the job page pages through all of them). */
export function ArrayTasks(props: { id: number; showUser: boolean; limit?: number }): ReactNode {
  const { client } = useSession();
  const q = useQuery({
    queryKey: ['jobs', 'tasks', props.id],
    queryFn: () =>
      listJobs(client, { parent: String(props.id), order: 'asc' }, { limit: props.limit ?? 100 }),
  });
  if (q.isPending) return <p role="status">Loading tasks…</p>;
  if (q.isError) return <p role="alert">Tasks not loaded: {q.error.message}</p>;
  if (q.data.jobs.length === 0) return <p>No task has been started yet.</p>;
  return (
    <JobsTable jobs={q.data.jobs} showUser={props.showUser} caption={`Tasks of job ${props.id}`} />
  );
}
