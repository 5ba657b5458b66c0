/**
 * Numbers and times for people: sizes with units, durations in words, relative and absolute
 * times in the user's own time zone. Pure functions (the clock and zone are arguments), so the
 * tests pin them.
 */

const SIZE_UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** `8 GB`, `512 MB`, `1.5 GB`, `100 B`: binary sizes (as god's RAM), at most one decimal. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit: string = 'B';
  for (const u of SIZE_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${unit}`;
}

/** `45 s`, `3 min`, `2 h 13 min`, `3 d 4 h`: two units at most, whole numbers. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 || m >= 10 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** `just now`, `3 min ago`, `2 h ago`, `in 5 min`, then the date for anything older than a week. */
export function formatRelative(at: number, now: number, timeZone?: string): string {
  const diff = Math.round((now - at) / 1000);
  const future = diff < 0;
  const abs = Math.abs(diff);
  if (abs < 10) return 'just now';
  if (abs >= 7 * 86_400) return formatDate(at, timeZone);
  let text: string;
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.floor(abs / 60)} min`;
  else if (abs < 86_400) text = `${Math.floor(abs / 3600)} h`;
  else text = `${Math.floor(abs / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** `2026-12-06 15:04:05 UTC+1`-like absolute time in `timeZone` (default: the browser's). */
export function formatAbsolute(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  })
    .format(at)
    .replace(',', '');
}

/** `2026-12-06`: the day only, in `timeZone`. */
export function formatDate(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** `4 cores`, `1 core`. */
export function formatCores(n: number): string {
  return n === 1 ? '1 core' : `${n} cores`;
}

/** How long a job has run: from start to end (or `now` while it runs); null before it starts. */
export function runSeconds(
  dates: { started: number | null; ended: number | null },
  now: number,
): number | null {
  if (dates.started === null) return null;
  return Math.max(0, ((dates.ended ?? now) - dates.started) / 1000);
}
