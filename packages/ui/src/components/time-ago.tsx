/** A relative time (`3 min ago`) with the absolute one, in the user's zone, on hover. */
import { useEffect, useState, type ReactNode } from 'react';
import { formatAbsolute, formatRelative } from '../lib/format.js';

/** The current time, ticking every `everyMs` (for relative times and running durations). */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** `<time>` showing `at` relative to now. */
export function TimeAgo(props: { at: number; now: number }): ReactNode {
  const abs = formatAbsolute(props.at);
  return (
    <time dateTime={new Date(props.at).toISOString()} title={abs}>
      {formatRelative(props.at, props.now)}
    </time>
  );
}
