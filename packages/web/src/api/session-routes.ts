/**
 * The browser session: log in with a password or an API key and get the session token in an
 * HttpOnly cookie (auth/browser.ts) plus its CSRF value in the answer; ask about it; end it.
 * A session opened with an API key has a sid of its own bound to the key (sessions.ts): revoking
 * the key ends it, logging it out leaves the key's other tokens alone.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { clearedSessionCookie, sessionCookie, SESSION_COOKIE } from '../auth/browser.js';
import { keyIdOf, newKeySession } from '../auth/sessions.js';
import type { WebContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import { route, STREAMED, type Route } from '../http/route.js';

/** What the session routes use. */
type SessionDeps = Pick<WebContext, 'identity' | 'logger' | 'now' | 'sessions' | 'tokens'>;

const SessionView = z.object({
  user: z.string(),
  admin: z.boolean(),
  expiresAt: z.number().describe('epoch ms'),
  csrf: z.string().describe('send it as X-CSRF-Token with every state-changing request'),
});

const LoginBody = z
  .strictObject({
    login: z.string().min(1).max(256).optional(),
    password: z.string().min(1).max(4096).optional(),
    apiKey: z.string().min(1).max(512).optional(),
  })
  .superRefine((b, issue) => {
    if (b.apiKey !== undefined) {
      if (b.login !== undefined || b.password !== undefined)
        issue.addIssue({ code: 'custom', path: ['apiKey'], message: 'give apiKey alone' });
      return;
    }
    for (const field of ['login', 'password'] as const)
      if (b[field] === undefined)
        issue.addIssue({ code: 'custom', path: [field], message: 'required (or apiKey)' });
  });

/** `POST`, `GET` and `DELETE /auth/session`. */
export function sessionRoutes(ctx: SessionDeps): Route[] {
  const tags = ['auth'];
  return [
    route({
      method: 'post',
      path: '/auth/session',
      summary: `log in a browser: sets the ${SESSION_COOKIE} cookie; answers its CSRF value`,
      tags,
      access: 'public',
      body: LoginBody,
      response: SessionView,
      handler: async ({ body, req, res }) => {
        const p =
          body.apiKey !== undefined
            ? await keyPrincipal(ctx, body.apiKey)
            : await ctx.identity.login(body.login!, body.password!, req.ip ?? 'unknown');
        // A key's browser session gets a sid of its own, still bound to the key.
        const sid = p.via === 'apikey' ? newKeySession(keyIdOf(p.sid)!) : p.sid;
        const { token, expiresAt } = await ctx.tokens.issue(p.id, sid, p.notAfter);
        const maxAge = (expiresAt - ctx.now()) / 1000;
        res.setHeader('Set-Cookie', sessionCookie(token, maxAge, req.secure));
        res.setHeader('Cache-Control', 'no-store');
        ctx.logger.info({ user: p.id, via: p.via }, 'browser session opened');
        return view(ctx, p, sid, expiresAt);
      },
    }),
    route({
      method: 'get',
      path: '/auth/session',
      summary: 'the browser session of the cookie (401 when there is none)',
      tags,
      access: 'user',
      response: SessionView,
      handler: async ({ principal, res }) => {
        const expiresAt = browserSession(principal);
        res.setHeader('Cache-Control', 'no-store');
        return Promise.resolve(view(ctx, principal, principal.sid, expiresAt));
      },
    }),
    route({
      method: 'delete',
      path: '/auth/session',
      summary: 'log the browser out: its session is revoked and the cookie cleared',
      tags,
      access: 'user',
      status: 204,
      handler: async ({ principal, req, res }) => {
        browserSession(principal);
        await ctx.sessions.revoke(principal.sid);
        ctx.logger.info({ user: principal.id }, 'browser session ended');
        clear(req, res);
        return STREAMED;
      },
    }),
  ];
}

/** The principal of an API key login; 401 when the key is not valid. */
async function keyPrincipal(ctx: SessionDeps, key: string): Promise<Principal> {
  // Like GO-Docker's /authenticate: 256 random bits are not guessed, so no failure counting.
  const p = await ctx.identity.apiKey(key);
  if (p === null)
    throw new HttpError(
      'UNAUTHENTICATED',
      'the API key is not valid (unknown, revoked or expired)',
    );
  return p;
}

/** When the cookie's session ends; 401 when the request was not authenticated by the cookie. */
function browserSession(p: Principal): number {
  if (p.cookie === undefined)
    throw new HttpError('UNAUTHENTICATED', `no browser session (the ${SESSION_COOKIE} cookie)`);
  return p.cookie.expiresAt;
}

function view(
  ctx: SessionDeps,
  p: Principal,
  sid: string,
  expiresAt: number,
): z.output<typeof SessionView> {
  return { user: p.id, admin: p.admin, expiresAt, csrf: ctx.tokens.csrfFor(sid) };
}

function clear(req: Request, res: Response): void {
  res.setHeader('Set-Cookie', clearedSessionCookie(req.secure));
  res.setHeader('Cache-Control', 'no-store');
  res.status(204).end();
}
