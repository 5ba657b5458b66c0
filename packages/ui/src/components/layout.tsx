/**
 * The frame of every page: header with navigation, the user and the logout, the maintenance
 * banner, and the live events that keep the pages current.
 */
import type { ReactNode } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';
import { useQuery } from '@tanstack/react-query';
import { maintenance } from '../api/extra.js';
import { useLiveEvents } from '../api/live.js';
import { useSession } from '../api/session.js';

/** The page frame. */
export function Layout(): ReactNode {
  const { session, client } = useSession();
  useLiveEvents(session !== null);
  const m = useQuery({
    queryKey: ['maintenance'],
    queryFn: () => maintenance(client),
    refetchInterval: 60_000,
    retry: false,
  });
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <span className="brand">god</span>
        <nav aria-label="Main">
          <NavLink to="/jobs">Jobs</NavLink>
          <NavLink to="/submit">Submit</NavLink>
          <NavLink to="/usage">Usage</NavLink>
          <NavLink to="/cluster">Cluster</NavLink>
          {session?.admin === true ? <NavLink to="/admin">Admin</NavLink> : null}
        </nav>
        <UserMenu />
      </header>
      {m.data?.maintenance === true ? (
        <div className="banner" role="status">
          Maintenance: the scheduler starts no new jobs for now. Running jobs go on; you can still
          submit.
        </div>
      ) : null}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

function UserMenu(): ReactNode {
  const { session, logout } = useSession();
  const navigate = useNavigate();
  if (session === null) return null;
  const onAction = (key: unknown): void => {
    if (key === 'logout')
      void logout()
        .catch(() => undefined)
        .then(() => navigate('/login', { replace: true }));
  };
  return (
    <MenuTrigger>
      <Button className="user-button" aria-label={`Account of ${session.user}`}>
        {session.user}
        {session.admin ? <span className="admin-tag"> (admin)</span> : null}
      </Button>
      <Popover placement="bottom end">
        <Menu className="menu" onAction={onAction}>
          <MenuItem id="logout" className="menu-item">
            Log out
          </MenuItem>
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}
