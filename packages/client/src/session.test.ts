/**
 * The browser side of the client against a real HTTP server on loopback: a session's CSRF token
 * goes with changing requests only, '' resolves against the page's origin, and the session
 * routes send and read what the contract says.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, GodClient } from './client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let origin: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/api/v1/auth/session' && req.method === 'DELETE') {
        res.writeHead(204).end();
        return;
      }
      if (req.url === '/api/v1/auth/session' && req.headers.cookie === undefined) {
        res.writeHead(req.method === 'POST' ? 200 : 401, { 'Content-Type': 'application/json' });
        res.end(
          req.method === 'POST'
            ? JSON.stringify({ user: 'alice', admin: false, expiresAt: 1, csrf: 'c1' })
            : JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'no session' } }),
        );
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const last = (): Seen => seen[seen.length - 1]!;

describe('the client in a browser session', () => {
  it('sends X-CSRF-Token on POST and DELETE, never on GET', async () => {
    const client = new GodClient({ server: origin }).withCsrf('tok');
    await client.call('GET', '/jobs');
    expect(last().headers['x-csrf-token']).toBeUndefined();
    await client.hold(3);
    expect(last()).toMatchObject({ method: 'POST', url: '/api/v1/jobs/3/hold' });
    expect(last().headers['x-csrf-token']).toBe('tok');
    await client.revokeKey('k');
    expect(last().headers['x-csrf-token']).toBe('tok');
  });

  it('sends no CSRF header without a session', async () => {
    await new GodClient({ server: origin }).hold(4);
    expect(last().headers['x-csrf-token']).toBeUndefined();
  });

  it("resolves '' against the page's origin", async () => {
    const g = globalThis as { location?: { origin: string } };
    g.location = { origin };
    try {
      await new GodClient({ server: '' }).getJob(7);
      expect(last().url).toBe('/api/v1/jobs/7');
    } finally {
      delete g.location;
    }
  });

  it('starts, reads and ends a session by the contract', async () => {
    const client = new GodClient({ server: origin });
    const s = await client.startSession({ login: 'alice', password: 'pw' });
    expect(s).toEqual({ user: 'alice', admin: false, expiresAt: 1, csrf: 'c1' });
    expect(last()).toMatchObject({ method: 'POST', url: '/api/v1/auth/session' });
    expect(JSON.parse(last().body)).toEqual({ login: 'alice', password: 'pw' });
    const err = await client.session().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await expect(client.withCsrf('c1').endSession()).resolves.toBeUndefined();
    expect(last()).toMatchObject({ method: 'DELETE', url: '/api/v1/auth/session' });
    expect(last().headers['x-csrf-token']).toBe('c1');
  });
});
