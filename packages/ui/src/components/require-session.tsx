/**
 * The gate of every page but the login: checks the cookie's session once, sends the user to
 * `/login?next=<here>` without one, and again whenever a call answers 401.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { useSession } from '../api/session.js';
import { loginUrl } from '../lib/next.js';

/** Fires `expired` when any API call answers 401. */
export const sessionEvents = new EventTarget();

/** Renders the page when logged in; else the login page, coming back here after. */
export function RequireSession(): ReactNode {
  const { session, check, expired } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const here = `${location.pathname}${location.search}`;
  const [state, setState] = useState<'checking' | 'done' | 'failed'>(
    session === null ? 'checking' : 'done',
  );

  useEffect(() => {
    if (session !== null) return;
    let live = true;
    check().then(
      () => live && setState('done'),
      () => live && setState('failed'),
    );
    return () => {
      live = false;
    };
    // Checked once at start: later expiries come through sessionEvents.
  }, []);

  useEffect(() => {
    const onExpired = (): void => {
      expired();
      void navigate(loginUrl(here), { replace: true });
    };
    sessionEvents.addEventListener('expired', onExpired);
    return () => sessionEvents.removeEventListener('expired', onExpired);
  }, [expired, navigate, here]);

  if (session !== null) return <Outlet />;
  if (state === 'checking')
    return (
      <p className="page-status" role="status">
        Loading…
      </p>
    );
  if (state === 'failed')
    return (
      <p className="page-status error" role="alert">
        The server cannot be reached. Reload the page to try again.
      </p>
    );
  return <Navigate to={loginUrl(here)} replace />;
}
