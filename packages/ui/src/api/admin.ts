/** The administration API's shapes (packages/web users.ts, projects.ts) over GodClient. */
import type { GodClient } from '@god/client';
import type { Limits, Quota } from '../lib/admin-form.js';

/** A user as `GET /users` answers it. */
export interface UserView {
  id: string;
  uid: number;
  gid: number;
  sgids: number[];
  home: string;
  email: string;
  admin: boolean;
  priority: number;
  quota: Quota | null;
  hasPassword: boolean;
  createdAt: number;
  /** Every credential refused while true. */
  disabled: boolean;
}

/** A project as `GET /projects` answers it. */
export interface ProjectView {
  id: string;
  description: string;
  members: string[];
  priority: number;
  quota: Quota | null;
  limits: Limits | null;
  createdAt: number;
}

/** An API key without its secret. */
export interface KeyView {
  id: string;
  user: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
}

/** Every user. */
export async function listUsers(client: GodClient): Promise<UserView[]> {
  return (await client.users()).users as UserView[];
}

/** Every project. */
export async function listProjects(client: GodClient): Promise<ProjectView[]> {
  return (await client.projects()).projects as unknown as ProjectView[];
}

/** Every user's API keys (one call per user: the API lists one owner's keys at a time). */
export async function listAllKeys(client: GodClient): Promise<KeyView[]> {
  const users = await listUsers(client);
  const lists = await Promise.all(users.map((u) => client.listKeys(u.id)));
  return lists
    .flatMap((l) => l.keys)
    .sort((a, b) => a.user.localeCompare(b.user) || a.createdAt - b.createdAt);
}
