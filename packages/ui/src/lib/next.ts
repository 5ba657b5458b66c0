/**
 * Where to go after the login: the `next` query parameter, only when it is a path of this
 * site. An absolute or protocol-relative URL (`//evil.example`) would make the login page an
 * open redirect, so it falls back to the jobs list.
 */

/** The safe in-app path `next` names, or `/jobs`. */
export function safeNext(next: string | null): string {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return '/jobs';
  if (next.startsWith('/login')) return '/jobs';
  return next;
}

/** The login URL that comes back to `path` (path + query of the current page). */
export function loginUrl(path: string): string {
  return path === '/' || path.startsWith('/login')
    ? '/login'
    : `/login?next=${encodeURIComponent(path)}`;
}
