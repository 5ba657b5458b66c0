/** A job's way so far: each date it reached, in the user's zone. */
import type { ReactNode } from 'react';
import type { JobDates } from '@god/core/browser';
import { formatAbsolute, formatDuration } from '../lib/format.js';

const STEPS: Array<[keyof JobDates, string]> = [
  ['submitted', 'Submitted'],
  ['scheduled', 'Scheduled'],
  ['started', 'Started'],
  ['ended', 'Ended'],
  ['archived', 'Archived'],
];

/** The timeline of `dates`. */
export function Timeline(props: { dates: JobDates }): ReactNode {
  const { dates } = props;
  let prev: number | null = null;
  return (
    <ol className="timeline" aria-label="Timeline">
      {STEPS.map(([key, label]) => {
        const at = dates[key];
        if (at === null) return null;
        const since = prev === null ? null : (at - prev) / 1000;
        prev = at;
        return (
          <li key={key}>
            <span className="step">{label}</span>{' '}
            <time dateTime={new Date(at).toISOString()}>{formatAbsolute(at)}</time>
            {since !== null ? <span className="muted"> (+{formatDuration(since)})</span> : null}
          </li>
        );
      })}
    </ol>
  );
}
