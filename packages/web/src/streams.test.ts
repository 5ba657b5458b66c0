/**
 * Long-lived streams are bounded: per user and per process (429 with Retry-After past the
 * caps), closed when idle, with heartbeats; the health check stays fast meanwhile (real web
 * process, real Redis).
 */
import { connect, type Socket } from 'node:net';
import { waitFor } from '@god/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness | undefined;
const opened: AbortController[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) c.abort();
  await h?.stop();
  h = undefined;
});

/** Opens a stream as `user`; its status, headers and a reader of its body. */
async function open(user: TestUser, path: string) {
  const ctrl = new AbortController();
  opened.push(ctrl);
  const res = await fetch(`${h!.url}/api/v1${path}`, {
    headers: { authorization: `Bearer ${user.key}` },
    signal: ctrl.signal,
  });
  return { res, ctrl };
}

/** Everything a stream sends until it ends (the server closed it). */
async function readToEnd(res: Response): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
}

describe('stream caps', () => {
  it('refuses streams past the per-user and process caps with 429, and the health check stays fast', async () => {
    h = await WebHarness.start(['web.max_streams_per_user=20', 'web.max_streams=30']);
    const [alice, bob] = await Promise.all([h.user('alice'), h.user('bob')]);
    const job = await h.jobOf(alice);
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 25; i++) {
      const path = i % 2 === 0 ? '/events' : `/jobs/${job.id}/logs?follow=true`;
      const { res } = await open(alice, path);
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    expect(refused!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused!.json()).toMatchObject({
      error: {
        code: 'LIMIT_EXCEEDED',
        message: expect.stringContaining('max_streams_per_user') as unknown,
      },
    });
    const t0 = performance.now();
    const health = await fetch(`${h.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1_000);
    // The process cap: bob gets the 10 slots left, then 429.
    for (let i = 0; i < 10; i++) expect((await open(bob, '/events')).res.status).toBe(200);
    const over = (await open(bob, '/events')).res;
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({
      error: { message: expect.stringContaining('web.max_streams is 30') as unknown },
    });
    // Leaving frees the slots.
    for (const c of opened.splice(0)) c.abort();
    await waitFor('slots freed', () => h!.web.ctx.streams.count() === 0);
    expect((await open(bob, '/events')).res.status).toBe(200);
  });

  it('closes streams that stay idle, after heartbeats, but not the follow of a running job', async () => {
    // Idle longer than the 1 s between the follow's looks at its job.
    h = await WebHarness.start(['web.stream_idle_ms=1500', 'web.stream_heartbeat_ms=100']);
    const alice = await h.user('alice');
    const job = await h.jobOf(alice);
    const running = await h.jobOf(alice);
    const placement = { host: 'h1', shard: 'numa0', cpus: '0', mems: '0', gpus: [], ports: [] };
    await h.store.transition(running.id, 'pending', 'scheduled', { placement, epoch: 1 });
    await h.store.transition(running.id, 'scheduled', 'running', {});
    const t0 = performance.now();
    const events = await open(alice, '/events');
    const logs = await open(alice, `/jobs/${job.id}/logs?follow=true`);
    const live = await open(alice, `/jobs/${running.id}/logs?follow=true`);
    expect(h.web.ctx.streams.count('alice')).toBe(3);
    const [eventsText, logsText] = await Promise.all([readToEnd(events.res), readToEnd(logs.res)]);
    expect(performance.now() - t0).toBeLessThan(6_000);
    expect(eventsText).toContain(': ping');
    expect(logsText).toContain(': ping');
    await waitFor('idle slots freed', () => h!.web.ctx.streams.count() === 1);
    // Quiet for two more idle periods, the running job's follow is still open; its end ends it.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(h.web.ctx.streams.count('alice')).toBe(1);
    await h.store.transition(running.id, 'running', 'over', { outcome: 'success', exitcode: 0 });
    expect(await readToEnd(live.res)).toContain('event: end');
    await waitFor('slots freed', () => h!.web.ctx.streams.count() === 0);
  });
});

describe('server limits', () => {
  /** A raw TCP client that sends `text` and resolves when the server closes the socket. */
  function rawClient(text: string): { closed: Promise<number>; socket: Socket } {
    const url = new URL(h!.url);
    const t0 = performance.now();
    const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    const closed = new Promise<number>((resolve) =>
      socket.once('close', () => resolve(performance.now() - t0)),
    );
    return { closed, socket };
  }

  it('drops a client that trickles its headers, and connections past max_connections', async () => {
    h = await WebHarness.start(['web.headers_timeout_ms=300', 'web.max_connections=5']);
    const slow = rawClient('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n');
    expect(await slow.closed).toBeLessThan(5_000);
    const held = Array.from({ length: 5 }, () => rawClient(''));
    await waitFor('5 connections held', async () => {
      const n = await new Promise<number>((resolve) =>
        h!.web.server.getConnections((_e, c) => resolve(c)),
      );
      return n >= 5;
    });
    const sixth = rawClient('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await sixth.closed).toBeLessThan(2_000);
    for (const c of held) c.socket.destroy();
    await waitFor('health answers again', async () => {
      const r = await fetch(`${h!.url}/api/v1/health`).catch(() => null);
      return r?.status === 200;
    });
  });
});
