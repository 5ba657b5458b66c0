/**
 * Live events (SSE) as a side channel: alice listens to `/api/v1/events` (all of hers, and
 * with `?job=` set to one of bob's) while bob submits, holds, releases, updates and kills jobs
 * named with canaries, and an administrator acts on them too. Nothing of bob's may reach
 * alice's streams; her own job's events must (so the oracle can fail).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGodWeb, type God, type Principal } from './god.js';
import { raw, send, type Answer } from './wire.js';

let god: God;

beforeAll(async () => {
  god = await startGodWeb();
}, 120_000);

afterAll(async () => {
  await god?.stop();
});

function call(p: Principal, method: string, path: string, body?: unknown): Promise<Answer> {
  return send(god.url, {
    method,
    path,
    headers: { Authorization: `Bearer ${p.key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? null : Buffer.from(JSON.stringify(body)),
  });
}

/** Job ids named in the `data:` lines of an SSE text. */
function jobIdsIn(sse: string): number[] {
  return [...sse.matchAll(/^data: (.*)$/gm)].flatMap((m) => {
    const d = JSON.parse(m[1]!) as { jobId?: number };
    return d.jobId === undefined ? [] : [d.jobId];
  });
}

describe('live events', () => {
  it('never carry bob’s jobs to alice, whatever bob or an administrator does to them', async () => {
    const canary = `BOBLIVE${randomBytes(6).toString('hex')}`;
    const bobJob = await god.jobOf(god.bob);
    const open = (path: string) =>
      raw(
        god.url,
        `GET ${path} HTTP/1.1\r\nHost: god\r\nAuthorization: Bearer ${god.alice.key}\r\n\r\n`,
      );
    const streams = [await open('/api/v1/events'), await open(`/api/v1/events?job=${bobJob.id}`)];
    const bobs: number[] = [bobJob.id];
    try {
      for (let i = 0; i < 3; i++) {
        const sub = await call(god.bob, 'POST', '/api/v1/jobs', {
          meta: { name: canary, description: canary },
          container: { image: 'god-test/busybox:latest' },
          command: { cmd: `echo ${canary}` },
        });
        expect(sub.status).toBe(201);
        const id = (JSON.parse(sub.text) as { job: { id: number } }).job.id;
        bobs.push(id);
        await call(god.bob, 'POST', `/api/v1/jobs/${id}/hold`);
        await call(god.bob, 'POST', `/api/v1/jobs/${id}/release`);
        await call(god.admin, 'POST', `/api/v1/jobs/${id}/update`, {
          description: `${canary}-admin`,
        });
        await call(god.bob, 'POST', `/api/v1/jobs/${id}/kill`);
      }
      await call(god.admin, 'POST', `/api/v1/jobs/${bobJob.id}/hold`);
      // Alice's own job: its events must arrive, or the stream proves nothing.
      const mine = await call(god.alice, 'POST', '/api/v1/jobs', {
        container: { image: 'god-test/busybox:latest' },
        command: { cmd: 'true' },
      });
      const myId = (JSON.parse(mine.text) as { job: { id: number } }).job.id;
      const deadline = Date.now() + 10_000;
      while (!jobIdsIn(streams[0]!.read()).includes(myId) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(jobIdsIn(streams[0]!.read())).toContain(myId);
      for (const s of streams) {
        const text = s.read();
        expect(text).not.toContain(canary);
        expect(jobIdsIn(text).filter((id) => bobs.includes(id))).toEqual([]);
      }
    } finally {
      for (const s of streams) s.socket.destroy();
    }
  }, 60_000);
});
