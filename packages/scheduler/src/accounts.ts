/** The users and projects a leader term knows (priorities, quotas, limits, memberships). */
import { usesPriorities, type SchedulingPolicy } from '@god/core';
import type { Project, Store, User } from '@god/store';

/** Users and projects by id, reloaded on settings changes and at each rebuild. */
export class Accounts {
  users = new Map<string, User>();
  projects = new Map<string, Project>();

  /** Reads users and projects and gives their priorities to the policy, if it takes them. */
  async load(store: Store, policy: SchedulingPolicy): Promise<void> {
    const [users, projects] = await Promise.all([store.listUsers(), store.listProjects()]);
    this.users = new Map(users.map((u) => [u.id, u]));
    this.projects = new Map(projects.map((p) => [p.id, p]));
    if (!usesPriorities(policy)) return;
    policy.setPriorities({
      users: new Map(users.map((u) => [u.id, u.priority])),
      projects: new Map(projects.map((p) => [p.id, p.priority])),
    });
  }
}
