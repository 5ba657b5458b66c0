/** The administration section: its own navigation and pages (users, projects, keys, settings). */
import type { ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { NotFound } from '../not-found.js';
import { KeysPage } from './keys-page.js';
import { ProjectPage } from './project-page.js';
import { ProjectsPage } from './projects-page.js';
import { SettingsPage } from './settings-page.js';
import { UserPage } from './user-page.js';
import { UsersPage } from './users-page.js';
import '../../styles/admin.css';

/** The section (default export: loaded lazily by AdminGate). */
export default function AdminRoutes(): ReactNode {
  return (
    <div className="admin">
      <nav aria-label="Administration" className="admin-nav">
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/projects">Projects</NavLink>
        <NavLink to="/admin/keys">API keys</NavLink>
        <NavLink to="/admin/settings">Settings</NavLink>
      </nav>
      <Routes>
        <Route index element={<Navigate to="/admin/users" replace />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="users/:login" element={<UserPage />} />
        <Route path="projects" element={<ProjectsPage />} />
        <Route path="projects/:id" element={<ProjectPage />} />
        <Route path="keys" element={<KeysPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </div>
  );
}
