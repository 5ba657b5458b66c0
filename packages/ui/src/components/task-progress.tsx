/**
 * An array job's tasks as a stacked progress bar: done, failed, running, waiting; its value (for
 * assistive technology) is the number of tasks that ended.
 */
import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { taskSummary, type TaskSummary } from '../api/extra.js';
import { useSession } from '../api/session.js';

/** Segments of the bar, in order. */
const PARTS = [
  ['success', 'done'],
  ['failed', 'failed'],
  ['running', 'running'],
  ['pending', 'pending'],
] as const;

/** The four counts the bar shows (killed counts as failed; held, scheduled, suspended as running or pending). */
export function progressParts(
  s: TaskSummary,
): Record<'success' | 'failed' | 'running' | 'pending', number> {
  return {
    success: s.success,
    failed: s.failed + s.killed + s.other,
    running: s.running + s.scheduled + s.suspended,
    pending: s.pending + s.held,
  };
}

/** The progress of array job `id`; `detailed` writes the counts next to the bar too. */
export function TaskProgress(props: { id: number; detailed?: boolean }): ReactNode {
  const { client } = useSession();
  const q = useQuery({
    queryKey: ['summary', props.id],
    queryFn: () => taskSummary(client, props.id),
    refetchInterval: 15_000,
  });
  if (q.data === undefined)
    return <span className="muted">{q.isError ? 'no task counts' : '…'}</span>;
  const parts = progressParts(q.data);
  const total = Math.max(1, q.data.total);
  const text = PARTS.map(([k, label]) => `${parts[k]} ${label}`).join(', ');
  // A progress bar to assistive technology: how many tasks ended (done or failed) of all.
  const bar = (
    <span
      className="progress"
      role="progressbar"
      aria-label={`Tasks of job ${props.id}`}
      aria-valuemin={0}
      aria-valuemax={q.data.total}
      aria-valuenow={parts.success + parts.failed}
      aria-valuetext={`${text} of ${q.data.total}`}
      title={text}
    >
      {PARTS.map(([k]) => (
        <span
          key={k}
          className={`progress-part progress-${k}`}
          // Set through the CSSOM by React (allowed by the CSP; no style attribute in HTML).
          style={{ width: `${(parts[k] / total) * 100}%` }}
        />
      ))}
    </span>
  );
  if (props.detailed !== true) return bar;
  // The counts are already the bar's value text: hidden from assistive technology once.
  return (
    <p className="progress-detailed">
      {bar}
      <span className="muted" aria-hidden="true">
        {text} of {q.data.total}
      </span>
    </p>
  );
}
