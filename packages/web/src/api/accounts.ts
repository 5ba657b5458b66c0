/**
 * Users and projects (administrators manage them; users read themselves and their projects),
 * usage per day, and the public part of the configuration.
 */
import { z } from 'zod';
import { DEFAULT_PROJECT, type Project, type User } from '@god/store';
import { isPasswordSetter } from '@god/core';
import type { Principal } from '../auth/principal.js';
import type { WebContext } from '../context.js';
import { HttpError, notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { LoginParams, ProjectParams } from './schemas.js';

const QuotaSchema = z.strictObject({
  cpuSeconds: z.number().min(0).default(0),
  ramGBSeconds: z.number().min(0).default(0),
  gpuSeconds: z.number().min(0).default(0),
  wallSeconds: z.number().min(0).default(0),
  windowSeconds: z.number().int().min(1),
});
const LimitsSchema = z.strictObject({
  cpu: z.number().int().min(0).default(0),
  ram: z.number().min(0).default(0),
  gpus: z.number().int().min(0).default(0),
  jobs: z.number().int().min(0).default(0),
});
const login = LoginParams.shape.id;
const priority = z.number().int().min(0).max(100);

const UserFields = z.strictObject({
  uid: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  gid: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  sgids: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
    )
    .max(256)
    .default([]),
  home: z
    .string()
    .max(4096)
    .regex(/^(\/.*)?$/, 'must be an absolute path or empty')
    .default(''),
  email: z.string().max(320).default(''),
  admin: z.boolean().default(false),
  priority: priority.default(50),
  quota: QuotaSchema.nullable().default(null),
  password: z.string().min(8, 'at least 8 characters').max(4096).optional(),
});
const UserView = z.object({
  id: z.string(),
  uid: z.number(),
  gid: z.number(),
  sgids: z.array(z.number()),
  home: z.string(),
  email: z.string(),
  admin: z.boolean(),
  priority: z.number(),
  quota: z.unknown(),
  hasPassword: z.boolean(),
  createdAt: z.number(),
});
const ProjectFields = z.strictObject({
  description: z.string().max(10_000).default(''),
  members: z.array(login).max(100_000).default([]),
  priority: priority.default(50),
  quota: QuotaSchema.nullable().default(null),
  limits: LimitsSchema.nullable().default(null),
});
const ProjectView = z.object({
  id: z.string(),
  description: z.string(),
  members: z.array(z.string()),
  priority: z.number(),
  quota: z.unknown(),
  limits: z.unknown(),
  createdAt: z.number(),
});
/** Epoch ms, or a UTC day `YYYY-MM-DD`. */
const instant = z
  .union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.coerce.number().int().min(0)])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(`${v}T00:00:00Z`)));

/** The user, project, usage and config routes. */
export function accountRoutes(ctx: WebContext): Route[] {
  return [...userRoutes(ctx), ...projectRoutes(ctx), ...usageRoutes(ctx), configRoute(ctx)];
}

function userRoutes(ctx: WebContext): Route[] {
  const tags = ['users'];
  const view = (u: User): z.output<typeof UserView> => {
    const { passwordHash, ...rest } = u;
    return { ...rest, hasPassword: passwordHash !== null };
  };
  const hash = async (password: string | undefined, field: string): Promise<string | null> => {
    if (password === undefined) return null;
    if (!isPasswordSetter(ctx.plugin))
      throw new HttpError(
        'INVALID_INPUT',
        `${field}: the ${ctx.plugin.name} auth plugin keeps no passwords`,
      );
    return ctx.plugin.hashPassword(password);
  };
  return [
    route({
      method: 'get',
      path: '/users',
      summary: 'every user (administrators)',
      tags,
      access: 'admin',
      response: z.object({ users: z.array(UserView) }),
      handler: async () => ({ users: (await ctx.store.listUsers()).map(view) }),
    }),
    route({
      method: 'get',
      path: '/users/{id}',
      summary: 'one user (yourself, or anyone for administrators)',
      tags,
      access: 'user',
      params: LoginParams,
      response: UserView,
      handler: async ({ params, principal }) => {
        const user =
          params.id === principal.id || principal.admin ? await ctx.store.getUser(params.id) : null;
        if (user === null) throw notFound(`user ${params.id}`);
        return view(user);
      },
    }),
    route({
      method: 'post',
      path: '/users',
      summary: 'create a user (administrators)',
      tags,
      access: 'admin',
      body: UserFields.extend({ id: login }),
      response: UserView,
      status: 201,
      handler: async ({ body }) => {
        if ((await ctx.store.getUser(body.id)) !== null)
          throw new HttpError('CONFLICT', `user ${body.id} exists`);
        const { password, ...fields } = body;
        const user: User = {
          ...fields,
          passwordHash: await hash(password, 'password'),
          createdAt: ctx.now(),
        };
        await ctx.store.putUser(user);
        return view(user);
      },
    }),
    route({
      method: 'post',
      path: '/users/{id}',
      summary: 'change a user (administrators): only the fields given',
      tags,
      access: 'admin',
      params: LoginParams,
      body: UserFields.partial(),
      response: UserView,
      handler: async ({ params, body }) => {
        const user = await ctx.store.getUser(params.id);
        if (user === null) throw notFound(`user ${params.id}`);
        const { password, ...fields } = body;
        const defined = Object.fromEntries(
          Object.entries(fields).filter(([, v]) => v !== undefined),
        );
        const next: User = { ...user, ...defined };
        if (password !== undefined) next.passwordHash = await hash(password, 'password');
        await ctx.store.putUser(next);
        ctx.identity.forget(params.id);
        return view(next);
      },
    }),
    route({
      method: 'delete',
      path: '/users/{id}',
      summary: 'delete a user and revoke their API keys (administrators); their jobs stay',
      tags,
      access: 'admin',
      params: LoginParams,
      response: z.object({ deleted: z.string() }),
      handler: async ({ params }) => {
        if (!(await ctx.store.deleteUser(params.id))) throw notFound(`user ${params.id}`);
        for (const k of await ctx.store.listApiKeys(params.id)) await ctx.store.deleteApiKey(k.id);
        ctx.identity.forget(params.id);
        return { deleted: params.id };
      },
    }),
  ];
}

function projectRoutes(ctx: WebContext): Route[] {
  const tags = ['projects'];
  const visible = (p: Principal, project: Project): boolean =>
    p.admin || project.id === DEFAULT_PROJECT || project.members.includes(p.id);
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
      body: ProjectFields.extend({ id: ProjectParams.shape.id }),
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
      body: ProjectFields.partial(),
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
        add: z.array(login).max(10_000).default([]),
        remove: z.array(login).max(10_000).default([]),
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

function usageRoutes(ctx: WebContext): Route[] {
  return [
    route({
      method: 'get',
      path: '/usage',
      summary: 'usage per UTC day, user and project (yours or a project’s you are a member of)',
      tags: ['usage'],
      access: 'user',
      query: z.strictObject({
        user: login.optional(),
        project: ProjectParams.shape.id.optional(),
        since: instant.optional().describe('epoch ms or YYYY-MM-DD (default: 30 days ago)'),
        until: instant.optional().describe('epoch ms or YYYY-MM-DD, exclusive'),
      }),
      response: z.object({ days: z.array(z.unknown()), totals: z.unknown() }),
      handler: async ({ query, principal }) => {
        let { user } = query;
        if (!principal.admin) {
          const member =
            query.project !== undefined &&
            (await ctx.memberships.isMember(principal.id, query.project));
          if (user !== undefined && user !== principal.id && !member)
            throw new HttpError('FORBIDDEN', 'only administrators see other users’ usage');
          if (!member) user = principal.id;
        }
        const q = {
          ...(user !== undefined && { user }),
          ...(query.project !== undefined && { project: query.project }),
          since: query.since ?? ctx.now() - 30 * 86_400_000,
          ...(query.until !== undefined && { until: query.until }),
        };
        const [days, totals] = await Promise.all([
          ctx.store.usageByDay(q),
          ctx.store.usageTotals(q),
        ]);
        return { days, totals };
      },
    }),
  ];
}

/** What users may know of the configuration: images, volumes, constraints, limits. */
export function publicConfig(ctx: WebContext): Record<string, unknown> {
  const c = ctx.config;
  return {
    images: c.images,
    volumes: c.volumes.map((v) => ({
      name: v.name,
      acl: v.acl,
      path: v.path,
      mount: v.mount ?? v.path,
    })),
    constraints: c.constraints,
    executor: c.executor,
    executor_features: ['kill', 'pause', 'resume', 'reschedule'],
    defaults: c.defaults,
    limits: c.limits,
    dynamic_fields: c.web.dynamic_fields,
    auth: c.auth.plugin,
    allow_root: c.security.allow_root,
  };
}

function configRoute(ctx: WebContext): Route {
  return route({
    method: 'get',
    path: '/config',
    summary: 'the public part of the configuration (images, volumes, constraints, limits)',
    tags: ['config'],
    access: 'public',
    response: z.object({ images: z.array(z.unknown()), volumes: z.array(z.unknown()) }).loose(),
    handler: async () => Promise.resolve(publicConfig(ctx)),
  });
}
