/** What a job asked for, where it runs, what it waits for, and what it used. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Job } from '@god/core/browser';
import { formatBytes, formatCores, formatDuration } from '../lib/format.js';

/** Requirements, placement and dependencies. */
export function JobDetails(props: { job: Job }): ReactNode {
  return (
    <>
      <Requirements job={props.job} />
      <PlacementFacts placement={props.job.placement} />
    </>
  );
}

function Requirements(props: { job: Job }): ReactNode {
  const { job } = props;
  const r = job.requirements;
  return (
    <section aria-labelledby="h-req">
      <h2 id="h-req">Requirements</h2>
      <dl className="facts">
        <dt>Cores</dt>
        <dd>{formatCores(r.cpu)}</dd>
        <dt>RAM</dt>
        <dd>{formatBytes(r.ram)}</dd>
        <dt>GPUs</dt>
        <dd>{r.gpus}</dd>
        <dt>Image</dt>
        <dd>{job.container.image}</dd>
        <dt>Project</dt>
        <dd>{job.user.project}</dd>
        <dt>User</dt>
        <dd>{job.user.id}</dd>
        {r.maxlifespan > 0 ? (
          <>
            <dt>Max run time</dt>
            <dd>{formatDuration(r.maxlifespan)}</dd>
          </>
        ) : null}
        {r.array !== null ? (
          <>
            <dt>Array</dt>
            <dd>
              {r.array.spec} ({r.array.count} tasks)
            </dd>
          </>
        ) : null}
        {r.label.length > 0 ? (
          <>
            <dt>Constraints</dt>
            <dd>{r.label.join(', ')}</dd>
          </>
        ) : null}
        {job.container.volumes.length > 0 ? (
          <>
            <dt>Volumes</dt>
            <dd>{job.container.volumes.map((v) => `${v.name} (${v.acl})`).join(', ')}</dd>
          </>
        ) : null}
        {r.tasks.length > 0 ? (
          <>
            <dt>Depends on</dt>
            <dd>
              <ul className="deps">
                {r.tasks.map((d) => (
                  <li key={d.id}>
                    {d.kind} <Link to={`/jobs/${d.id}`}>job {d.id}</Link>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function PlacementFacts(props: { placement: Job['placement'] }): ReactNode {
  const p = props.placement;
  return (
    <section aria-labelledby="h-placement">
      <h2 id="h-placement">Placement</h2>
      {p === null ? (
        <p className="muted">Not placed.</p>
      ) : (
        <dl className="facts">
          <dt>Host</dt>
          <dd>{p.host}</dd>
          <dt>Shard</dt>
          <dd>{p.shard}</dd>
          <dt>Cores</dt>
          <dd>{p.cpus}</dd>
          {p.gpus.length > 0 ? (
            <>
              <dt>GPUs</dt>
              <dd>{p.gpus.join(', ')}</dd>
            </>
          ) : null}
        </dl>
      )}
    </section>
  );
}

/** Measured usage, once there is some. */
export function JobUsage(props: { job: Job }): ReactNode {
  const u = props.job.usage;
  if (u === null) return <p className="muted">Nothing measured yet.</p>;
  return (
    <dl className="facts">
      <dt>CPU time</dt>
      <dd>{formatDuration(u.cpuSeconds)}</dd>
      <dt>Peak memory</dt>
      <dd>{formatBytes(u.maxRamBytes)}</dd>
      <dt>Wall time</dt>
      <dd>{formatDuration(u.wallSeconds)}</dd>
      {u.gpuSeconds > 0 ? (
        <>
          <dt>GPU time</dt>
          <dd>{formatDuration(u.gpuSeconds)}</dd>
        </>
      ) : null}
    </dl>
  );
}
