/** Projects: administrators manage them and their members; users read those they are in. */
import { z } from 'zod';
import { sameLogin } from '@god/core';
import { DEFAULT_PROJECT, type Project } from '@god/store';
import type { Principal } from '../auth/principal.js';
import type { WebContext } from '../context.js';
import { HttpError, notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { LimitsSchema, loginName, prioritySchema, ProjectParams, QuotaSchema } from './schemas.js';

/** What the project routes use. */
type ProjectDeps = Pick<WebContext, 'memberships' | 'now' | 'store'>;

/** The fields of a project, without defaults: an update changes only the fields it gives. */
const fields = {
  description: z.string().max(10_000),
  members: z.array(loginName).max(100_000),
  priority: prioritySchema,
  quota: QuotaSchema.nullable(),
  limits: LimitsSchema.nullable(),
};
const ProjectCreate = z.strictObject({
  id: ProjectParams.shape.id,
  description: fields.description.default(''),
  members: fields.members.default([]),
  priority: fields.priority.default(50),
  quota: fields.quota.default(null),
  limits: fields.limits.default(null),
});
const ProjectUpdate = z.strictObject(fields).partial();
const ProjectView = z.object({
  id: z.string(),
  description: z.string(),
  members: z.array(z.string()),
  priority: z.number(),
  quota: z.unknown(),
  limits: z.unknown(),
  createdAt: z.number(),
});
/** The project routes. */
// eslint-disable-next-line max-lines-per-function -- a route table: data, one short entry per route
export function projectRoutes(ctx: ProjectDeps): Route[] {
  const tags = ['projects'];
  const visible = (p: Principal, project: Project): boolean =>
    p.admin || project.id === DEFAULT_PROJECT || project.members.some((m) => sameLogin(m, p.id));
  const changed = async (project: Project): Promise<Project> => {
    await ctx.store.putProject(project);
    ctx.memberships.clear();
    return project;
  };
  const get = async (id: string): Promise<Project> => {
    const project = await ctx.store.getProject(id);
    if (project === null) throw notFound(`project ${id}`);
    return project;
  };
  return [
    route({
      method: 'get',
      path: '/projects',
      summary: 'projects you are a member of (all for administrators)',
      tags,
      access: 'user',
      response: z.object({ projects: z.array(ProjectView) }),
      handler: async ({ principal }) => ({
        projects: (await ctx.store.listProjects()).filter((p) => visible(principal, p)),
      }),
    }),
    route({
      method: 'get',
      path: '/projects/{id}',
      summary: 'one project',
      tags,
      access: 'user',
      params: ProjectParams,
      response: ProjectView,
      handler: async ({ params, principal }) => {
        const project = await ctx.store.getProject(params.id);
        if (project === null || !visible(principal, project))
          throw notFound(`project ${params.id}`);
        return project;
      },
    }),
    route({
      method: 'post',
      path: '/projects',
      summary: 'create a project (administrators)',
      tags,
      access: 'admin',
      body: ProjectCreate,
      response: ProjectView,
      status: 201,
      handler: async ({ body }) => {
        if ((await ctx.store.getProject(body.id)) !== null)
          throw new HttpError('CONFLICT', `project ${body.id} exists`);
        return changed({ ...body, members: [...new Set(body.members)], createdAt: ctx.now() });
      },
    }),
    route({
      method: 'post',
      path: '/projects/{id}',
      summary: 'change a project (administrators): only the fields given',
      tags,
      access: 'admin',
      params: ProjectParams,
      body: ProjectUpdate,
      response: ProjectView,
      handler: async ({ params, body }) => {
        const project = await get(params.id);
        const defined = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
        return changed({ ...project, ...defined });
      },
    }),
    route({
      method: 'post',
      path: '/projects/{id}/members',
      summary: 'add and remove members (administrators)',
      tags,
      access: 'admin',
      params: ProjectParams,
      body: z.strictObject({
        add: z.array(loginName).max(10_000).default([]),
        remove: z.array(loginName).max(10_000).default([]),
      }),
      response: ProjectView,
      handler: async ({ params, body }) => {
        const project = await get(params.id);
        const members = new Set(project.members);
        for (const m of body.add) members.add(m);
        for (const m of body.remove) members.delete(m);
        return changed({ ...project, members: [...members].sort() });
      },
    }),
    route({
      method: 'delete',
      path: '/projects/{id}',
      summary: 'delete a project (administrators; not the default one)',
      tags,
      access: 'admin',
      params: ProjectParams,
      response: z.object({ deleted: z.string() }),
      handler: async ({ params }) => {
        if (params.id === DEFAULT_PROJECT)
          throw new HttpError('CONFLICT', 'the default project cannot be deleted');
        if (!(await ctx.store.deleteProject(params.id))) throw notFound(`project ${params.id}`);
        ctx.memberships.clear();
        return { deleted: params.id };
      },
    }),
  ];
}
