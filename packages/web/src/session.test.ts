/**
 * The browser session over HTTP on a real web process: logging in sets an HttpOnly,
 * SameSite=Strict cookie holding a session token; the cookie alone authenticates reads, and a
 * state-changing request also needs the session's X-CSRF-Token; Authorization wins over it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, tokenSecret } from './auth/tokens.js';
import { newPasswordSession } from './auth/sessions.js';
import { browserCall, logIn, post, type Browser } from './test-browser.js';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let proxied: WebHarness;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  [h, proxied] = await Promise.all([
    WebHarness.start(['auth.max_failures=2']),
    WebHarness.start(['web.trust_proxy=[loopback]']),
  ]);
  alice = await h.user('alice', { password: 'alice’s password' });
  bob = await h.user('bob');
  await proxied.user('carol', { password: 'carol’s password' });
});
afterAll(async () => {
  await Promise.all([h?.stop(), proxied?.stop()]);
});

/** Calls `path` of the harness with the browser's cookie (and `headers`). */
function call(
  b: Pick<Browser, 'cookie'>,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return browserCall(h.url, b, method, path, opts);
}

const job = { container: { image: 'god-test/busybox:latest' }, command: { cmd: 'echo hi' } };

async function jobCount(user: TestUser): Promise<number> {
  return (await user.client.listJobs()).jobs.length;
}

describe('browser login', () => {
  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/ for a password login', async () => {
    const t0 = Date.now();
    const b = await logIn(h.url, { login: 'alice', password: 'alice’s password' });
    const attrs = b.setCookie.split(/;\s*/).slice(1);
    expect(b.cookie).toMatch(/^god_session=[A-Za-z0-9_.-]+$/);
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    // Plain http, no trusted proxy: not Secure, or the browser would never send it back.
    expect(attrs).not.toContain('Secure');
    const maxAge = Number(/Max-Age=(\d+)/.exec(b.setCookie)?.[1]);
    expect(maxAge).toBeGreaterThan(3_500);
    expect(maxAge).toBeLessThanOrEqual(3_600);
    expect(b.body).toEqual({
      user: 'alice',
      admin: false,
      expiresAt: b.body.expiresAt,
      csrf: b.csrf,
    });
    expect(b.body.expiresAt).toBeGreaterThan(t0 + 3_500_000);
    expect(b.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('logs in with an API key, and GET /auth/session answers from the cookie alone', async () => {
    const b = await logIn(h.url, { apiKey: bob.key });
    expect(b.body.user).toBe('bob');
    const res = await call(b, 'GET', '/auth/session');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual(b.body);
    expect(await (await call(b, 'GET', '/auth/me')).json()).toMatchObject({ id: 'bob' });
  });

  it('renews a session past half its life, with the same sid and CSRF value', async () => {
    const fresh = await logIn(h.url, { apiKey: alice.key });
    const young = await call(fresh, 'GET', '/auth/session');
    expect(young.headers.getSetCookie()).toEqual([]);

    // A session opened 40 minutes ago, signed with the process's own secret.
    const ttl = h.config.auth.token_ttl_s;
    const past = createTokenService({
      secret: tokenSecret(h.config.auth),
      ttlSeconds: ttl,
      now: () => Date.now() - 2_400_000,
    });
    const sid = newPasswordSession();
    const old = { cookie: `god_session=${(await past.issue('alice', sid)).token}` };
    const res = await call(old, 'GET', '/jobs');
    expect(res.status).toBe(200);
    const renewed = res.headers.getSetCookie()[0]!;
    expect(renewed).toMatch(
      /^god_session=[A-Za-z0-9_.-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const again = { cookie: renewed.split(';')[0]! };
    const view = (await (await call(again, 'GET', '/auth/session')).json()) as Browser['body'];
    expect(view.expiresAt).toBeGreaterThan(Date.now() + (ttl - 60) * 1000);
    expect(view.csrf).toBe(past.csrfFor(sid));
    // Same sid: logging out the renewed cookie ends the old one too.
    const headers = { 'X-CSRF-Token': view.csrf };
    expect((await call(again, 'DELETE', '/auth/session', { headers })).status).toBe(204);
    expect((await call(old, 'GET', '/jobs')).status).toBe(401);
  });

  it('marks the cookie Secure when a trusted proxy says the request came over https', async () => {
    const body = { login: 'carol', password: 'carol’s password' };
    const https = await logIn(proxied.url, body, { 'X-Forwarded-Proto': 'https' });
    expect(https.setCookie.split(/;\s*/)).toContain('Secure');
    // The same header from a client that is not a trusted proxy is not believed.
    const direct = await logIn(h.url, { apiKey: alice.key }, { 'X-Forwarded-Proto': 'https' });
    expect(direct.setCookie.split(/;\s*/)).not.toContain('Secure');
  });

  it('refuses wrong credentials with 401 and bad bodies with 400 naming the field', async () => {
    const wrong = await post(h.url, '/api/v1/auth/session', { apiKey: 'god_nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    expect(await wrong.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const both = await post(h.url, '/api/v1/auth/session', { apiKey: 'x', login: 'alice' });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ error: { issues: [{ path: 'apiKey' }] } });
    const half = await post(h.url, '/api/v1/auth/session', { login: 'alice' });
    expect(await half.json()).toMatchObject({ error: { issues: [{ path: 'password' }] } });
    const extra = await post(h.url, '/api/v1/auth/session', { apiKey: bob.key, admin: true });
    expect(extra.status).toBe(400);
  });

  it('slows password guessing as /auth/login does', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(h.url, '/api/v1/auth/session', { login: 'dave', password: `g${i}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('the CSRF header', () => {
  it('refuses a state change by cookie without the header, or with a wrong one, and does nothing', async () => {
    const b = await logIn(h.url, { apiKey: alice.key });
    const other = await logIn(h.url, { apiKey: alice.key });
    const before = await jobCount(alice);
    const bad: Record<string, string>[] = [
      {},
      { 'X-CSRF-Token': 'nope' },
      { 'X-CSRF-Token': other.csrf },
    ];
    for (const headers of bad) {
      const res = await call(b, 'POST', '/jobs', { body: job, headers });
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('FORBIDDEN');
      expect(body.error.message).toContain('X-CSRF-Token');
    }
    expect(await jobCount(alice)).toBe(before);
    const ok = await call(b, 'POST', '/jobs', { body: job, headers: { 'X-CSRF-Token': b.csrf } });
    expect(ok.status).toBe(201);
    expect(await jobCount(alice)).toBe(before + 1);
  });

  it('is not asked of Authorization, which wins over the cookie', async () => {
    const b = await logIn(h.url, { apiKey: alice.key });
    const res = await call(b, 'POST', '/jobs', {
      body: job,
      headers: { Authorization: `Bearer ${bob.key}` },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { job: { user: { id: string } } }).job.user.id).toBe('bob');
  });

  it('lets a stale or garbage cookie neither fail a login nor cause a 500', async () => {
    const garbage = { cookie: 'god_session=%ff%00garbage' };
    for (const [method, path] of [
      ['GET', '/jobs'],
      ['GET', '/events'],
      ['POST', '/jobs'],
      ['GET', '/auth/session'],
    ] as const) {
      const res = await call(garbage, method, path, method === 'POST' ? { body: job } : {});
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    const relog = await post(
      h.url,
      '/api/v1/auth/session',
      { apiKey: alice.key },
      {
        Cookie: garbage.cookie,
      },
    );
    expect(relog.status).toBe(200);
    // Public routes take no one's authority from a cookie, valid or not.
    const b = await logIn(h.url, { apiKey: alice.key });
    const again = await post(
      h.url,
      '/api/v1/auth/session',
      { apiKey: bob.key },
      {
        Cookie: b.cookie,
      },
    );
    expect(again.status).toBe(200);
  });

  it('is never enough for GO-Docker’s API, which ignores the cookie', async () => {
    const b = await logIn(h.url, { apiKey: alice.key });
    const res = await fetch(`${h.url}/api/1.0/task/active`, { headers: { Cookie: b.cookie } });
    expect(res.status).toBe(401);
    const withKey = await fetch(`${h.url}/api/1.0/task/active`, {
      headers: { Cookie: b.cookie, Authorization: `Bearer ${alice.key}` },
    });
    expect(withKey.status).toBe(200);
  });
});
