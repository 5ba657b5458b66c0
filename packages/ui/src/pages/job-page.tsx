/**
 * One job, at a link to share: state and actions, why it waits, its timeline, requirements,
 * placement, usage (a live chart while it runs), output, files, dependencies, and its tasks
 * when it is an array. Polled every few seconds while active; live events refresh it sooner.
 */
import { type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { ACTIVE_STATES, type Job } from '@god/core/browser';
import { useSession } from '../api/session.js';
import { FileList } from '../components/file-list.js';
import { JobActions } from '../components/job-actions.js';
import { ArrayTasks } from '../components/jobs-table.js';
import { LogViewer } from '../components/log-viewer.js';
import { StateBadge } from '../components/state-badge.js';
import { TaskProgress } from '../components/task-progress.js';
import { Timeline } from '../components/timeline.js';
import { LiveUsageChart } from '../components/live-usage.js';
import { JobDetails, JobUsage } from '../components/job-details.js';

/** Poll period of a running job (its usage chart), and of a waiting one. */
const RUNNING_POLL_MS = 3_000;
const ACTIVE_POLL_MS = 10_000;

/** The job page. */
export function JobPage(): ReactNode {
  const { id: raw } = useParams();
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0)
    return (
      <section className="page">
        <h1>No such job</h1>
        <p>“{raw}” is not a job id.</p>
      </section>
    );
  return <JobView id={id} />;
}

function JobView(props: { id: number }): ReactNode {
  const { client, session } = useSession();
  const q = useQuery({
    queryKey: ['job', props.id],
    queryFn: () => client.getJob(props.id),
    refetchInterval: (query) => {
      const s = query.state.data?.state;
      if (s === 'running') return RUNNING_POLL_MS;
      return s !== undefined && ACTIVE_STATES.includes(s) ? ACTIVE_POLL_MS : false;
    },
  });
  if (q.isPending) return <p role="status">Loading job {props.id}…</p>;
  if (q.isError)
    return (
      <section className="page">
        <h1>Job {props.id}</h1>
        <p role="alert" className="error">
          {'status' in q.error && q.error.status === 404
            ? 'This job does not exist, or you may not see it.'
            : q.error.message}
        </p>
      </section>
    );
  const job = q.data;
  const waiting = job.state === 'pending' || job.state === 'held';
  return (
    <section className="page job-page">
      <div className="page-head">
        <h1>
          <span className="muted">Job {job.id}</span>{' '}
          <span data-testid="job-name">{job.meta.name}</span>
        </h1>
        <StateBadge state={job.state} outcome={job.outcome} />
      </div>
      <JobActions job={job} />
      <p>
        <Link to={`/submit?from=${job.id}`} className="button">
          Submit again
        </Link>
        {job.parent !== null ? (
          <>
            {' '}
            Task {job.taskId} of array <Link to={`/jobs/${job.parent}`}>job {job.parent}</Link>
          </>
        ) : null}
      </p>
      {waiting ? <WhyPending id={job.id} /> : null}
      {job.status.reason !== '' ? <p className="reason">{job.status.reason}</p> : null}
      <div className="grid">
        <section aria-labelledby="h-timeline">
          <h2 id="h-timeline">Timeline</h2>
          <Timeline dates={job.status.dates} />
        </section>
        <JobDetails job={job} />
        <section aria-labelledby="h-usage">
          <h2 id="h-usage">Usage</h2>
          <JobUsage job={job} />
          {job.state === 'running' ? <LiveUsageChart id={job.id} /> : null}
        </section>
      </div>
      {job.requirements.array !== null ? (
        <section aria-labelledby="h-tasks">
          <h2 id="h-tasks">Tasks</h2>
          <TaskProgress id={job.id} detailed />
          <ArrayTasks id={job.id} showUser={session?.admin === true} limit={500} />
        </section>
      ) : (
        <OutputAndFiles job={job} />
      )}
    </section>
  );
}

/** The output and the task directory of a job that is not an array. */
function OutputAndFiles(props: { job: Job }): ReactNode {
  const { job } = props;
  return (
    <>
      <section aria-labelledby="h-output">
        <h2 id="h-output">Output</h2>
        {job.status.dates.started === null && job.state !== 'over' ? (
          <p className="muted">The job has not started: no output yet.</p>
        ) : (
          <LogViewer id={job.id} />
        )}
      </section>
      <section aria-labelledby="h-files">
        <h2 id="h-files">Files</h2>
        {job.state === 'archived' ? (
          <p className="muted">Archived: the task directory was removed.</p>
        ) : (
          <FileList id={job.id} />
        )}
      </section>
    </>
  );
}

/** The reason a waiting job waits, in the scheduler's words. */
function WhyPending(props: { id: number }): ReactNode {
  const { client } = useSession();
  const q = useQuery({
    queryKey: ['job', props.id, 'why'],
    queryFn: () => client.why(props.id),
    refetchInterval: ACTIVE_POLL_MS,
  });
  if (q.data === undefined) return null;
  return (
    <p className="why" role="status" data-testid="why-pending">
      <strong>Waiting:</strong> {q.data.message}
    </p>
  );
}
