/**
 * The end of a browser session, over HTTP on a real web process: logging out revokes it on the
 * server (the old cookie is refused everywhere, live events included), revoking the API key it
 * was opened with ends it, and logging out touches nothing else of the user's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserCall, logIn, type Browser } from './test-browser.js';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let erin: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice', { password: 'alice’s password' });
  erin = await h.user('erin');
});
afterAll(async () => {
  await h?.stop();
});

const call = (
  b: Pick<Browser, 'cookie'>,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> => browserCall(h.url, b, method, path, opts);

/** The status of `GET /events` with the cookie (the stream is closed once it answered). */
async function eventsStatus(b: Browser): Promise<{ status: number; type: string | null }> {
  const stop = new AbortController();
  const res = await fetch(`${h.url}/api/v1/events`, {
    headers: { Cookie: b.cookie },
    signal: stop.signal,
  });
  stop.abort();
  return { status: res.status, type: res.headers.get('content-type') };
}

/** Makes an API key for `user` with their key; answers its id and the key. */
async function newKey(user: TestUser): Promise<{ id: string; key: string }> {
  const res = await fetch(`${h.url}/api/v1/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'browser' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

describe('browser logout', () => {
  it('revokes the session on the server: the old cookie is a 401 everywhere', async () => {
    const b = await logIn(h.url, { login: 'alice', password: 'alice’s password' });
    const other = await logIn(h.url, { login: 'alice', password: 'alice’s password' });
    expect(await eventsStatus(b)).toEqual({ status: 200, type: 'text/event-stream' });
    // Logging out is a state change like any other: not without the CSRF header.
    expect((await call(b, 'DELETE', '/auth/session')).status).toBe(403);
    expect((await call(b, 'GET', '/auth/session')).status).toBe(200);

    const out = await call(b, 'DELETE', '/auth/session', { headers: { 'X-CSRF-Token': b.csrf } });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie()[0]!;
    expect(cleared).toMatch(/^god_session=;/);
    expect(cleared).toContain('Max-Age=0');

    const csrf = { 'X-CSRF-Token': b.csrf };
    expect((await call(b, 'GET', '/auth/session')).status).toBe(401);
    expect((await call(b, 'GET', '/jobs')).status).toBe(401);
    expect((await call(b, 'POST', '/jobs', { body: {}, headers: csrf })).status).toBe(401);
    expect((await eventsStatus(b)).status).toBe(401);
    // Her other browser is another session.
    expect((await call(other, 'GET', '/auth/session')).status).toBe(200);
  });

  it('ends a key’s browser session with the key, and leaves the key alone when logging out', async () => {
    const spare = await newKey(erin);
    const b = await logIn(h.url, { apiKey: spare.key });
    const kept = await logIn(h.url, { apiKey: erin.key });
    const token = await erin.client.token();

    const revoke = await fetch(`${h.url}/api/v1/keys/${spare.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${erin.key}` },
    });
    expect(revoke.status).toBe(200);
    expect((await call(b, 'GET', '/auth/session')).status).toBe(401);
    expect((await eventsStatus(b)).status).toBe(401);

    const headers = { 'X-CSRF-Token': kept.csrf };
    expect((await call(kept, 'DELETE', '/auth/session', { headers })).status).toBe(204);
    expect((await call(kept, 'GET', '/jobs')).status).toBe(401);
    // The key, and a token exchanged for it, still work.
    expect((await erin.client.me()).id).toBe('erin');
    expect((await h.client(token.token).me()).id).toBe('erin');
  });

  it('is about the cookie’s session only: Authorization alone has none', async () => {
    const res = await fetch(`${h.url}/api/v1/auth/session`, {
      headers: { Authorization: `Bearer ${alice.key}` },
    });
    expect(res.status).toBe(401);
  });
});

describe('the cookie alone', () => {
  it('reads job files, like every other /api/v1 route', async () => {
    const b = await logIn(h.url, { apiKey: alice.key });
    const job = await h.jobOf(alice);
    await h.writeTaskFile(job, 'out.txt', 'results\n');
    const res = await call(b, 'GET', `/jobs/${job.id}/files/download?path=out.txt`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('results\n');
  });
});
