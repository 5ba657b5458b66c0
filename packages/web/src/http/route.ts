/**
 * Routes as data: each one names its method, path, access level and the zod schemas of its
 * path parameters, query and body. The same table validates requests (every bad field named,
 * before the handler runs) and generates the OpenAPI document, so the two cannot drift apart.
 */
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { ValidationError, fieldIssues, type FieldIssue } from '@god/core';
import type { Principal } from '../auth/principal.js';
import { HttpError } from './errors.js';

/** Who may call a route: anyone, any authenticated user, or administrators only. */
export type Access = 'public' | 'user' | 'admin';

/** What a handler gets: validated inputs and the caller. */
export interface RouteContext<P, Q, B, A extends Access> {
  params: P;
  query: Q;
  body: B;
  /** The caller; null only on public routes called without credentials. */
  principal: A extends 'public' ? Principal | null : Principal;
  req: Request;
  res: Response;
}

/** Returned by a handler that wrote the answer itself (a stream, a file). */
export const STREAMED = Symbol('streamed');

/** Content types a route may answer with besides JSON (documentation only). */
export type Produces =
  'application/json' | 'text/event-stream' | 'application/octet-stream' | 'text/plain';

/** A route: where, who, what it takes, and what it does. */
export interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI-style path below the API base (`/jobs/{id}`). */
  path: string;
  summary: string;
  tags: readonly string[];
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The body as documented, when the handler validates it itself (a job submission is checked
   * by `submitJobs`, which names fields as `jobs[3].requirements.cpu`).
   */
  bodyDoc?: z.ZodType;
  /** The success answer's schema (documentation). */
  response?: z.ZodType;
  /** Success status (200 unless said). */
  status?: number;
  produces?: Produces;
  /** Hidden from the OpenAPI document (compatibility aliases). */
  hidden?: boolean;
  handler(ctx: RouteContext<unknown, unknown, unknown, Access>): Promise<unknown>;
}

/** Declares a route with its handler typed from its schemas. */
export function route<
  A extends Access,
  P extends z.ZodType = z.ZodObject,
  Q extends z.ZodType = z.ZodObject,
  B extends z.ZodType = z.ZodUndefined,
>(spec: {
  method: Route['method'];
  path: string;
  summary: string;
  tags: readonly string[];
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  bodyDoc?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  produces?: Produces;
  hidden?: boolean;
  handler(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>, A>): Promise<unknown>;
}): Route {
  return spec;
}

/**
 * Resolves the caller of a request: null when it carries no credentials; throws when they are
 * bad. `cookie`: whether the browser session cookie may authenticate it (default no).
 */
export type Authenticate = (req: Request, opts?: { cookie?: boolean }) => Promise<Principal | null>;

/** Mounts `routes` on `router`, each behind validation and its access check. */
export function mount(router: Router, routes: readonly Route[], authenticate: Authenticate): void {
  for (const r of routes) {
    const path = r.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
    router[r.method](path, async (req, res) => {
      // Public routes act on no one's authority: a stale session cookie never stops a login.
      const principal = await authenticate(req, { cookie: r.access !== 'public' });
      // A browser session past half its life gets its renewed cookie with any answer.
      if (principal?.cookie?.renewed !== undefined)
        res.setHeader('Set-Cookie', principal.cookie.renewed);
      if (r.access !== 'public' && principal === null)
        throw new HttpError(
          'UNAUTHENTICATED',
          'credentials are needed (Authorization: Bearer …, or a browser session: log in)',
        );
      if (r.access === 'admin' && principal?.admin !== true)
        throw new HttpError('FORBIDDEN', 'only administrators may do this');
      const issues: FieldIssue[] = [];
      const params = parsePart(r.params, req.params, '', 'path', issues);
      const query = parsePart(r.query, req.query, 'query.', 'query', issues);
      // Body fields are named as the client wrote them (`requirements.cpu`).
      const body = parsePart(r.body, req.body, '', 'body', issues);
      if (issues.length > 0) throw new ValidationError('invalid request', issues);
      const result = await r.handler({ params, query, body, principal, req, res });
      if (result === STREAMED) return;
      // A handler may have set its own status (health answers 503 when degraded).
      res.status(res.statusCode !== 200 ? res.statusCode : (r.status ?? 200)).json(result ?? {});
    });
  }
}

/** Parses one part of a request, naming its problems `<prefix><field>` (or `whole`). */
function parsePart(
  schema: z.ZodType | undefined,
  value: unknown,
  prefix: string,
  whole: string,
  issues: FieldIssue[],
): unknown {
  if (schema === undefined) return undefined;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of fieldIssues(r.error))
    issues.push({ ...issue, path: issue.path === '' ? whole : `${prefix}${issue.path}` });
  return undefined;
}
