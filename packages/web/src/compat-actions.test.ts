/**
 * GO-Docker's `DELETE /task/{id}` and `PUT /task/{id}` act through the same job actions as
 * `/api/v1`: the same state checks, the same visibility, the same request on the queue.
 */
import { queueNames, type ControlRequest } from '@god/coord';
import type { Job } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;
let token: string;

/** A JSON call with a Bearer credential; the status and the error code, if any. */
async function call(method: string, path: string, credential: string, body?: unknown) {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${credential}` },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: json.error?.code ?? null };
}

/** The control requests queued for `jobId` (no watcher runs here: they stay queued). */
async function queuedFor(jobId: number): Promise<ControlRequest[]> {
  const queue = h.web.ctx.queues.createQueue<ControlRequest>(queueNames.control);
  const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((j) => j.data).filter((d) => d.jobId === jobId);
}

beforeAll(async () => {
  h = await WebHarness.start([
    'images=[{name: busybox, url: "god-test/busybox:latest", default: true}]',
  ]);
  alice = await h.user('alice');
  bob = await h.user('bob');
  const auth = await fetch(`${h.url}/api/1.0/authenticate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: 'alice', apikey: alice.key }),
  });
  token = ((await auth.json()) as { token: string }).token;
});
afterAll(async () => {
  await h?.stop();
});

describe('GO-Docker task actions go through the /api/v1 actions', () => {
  it('kills no finished task: 409 on /api/v1, GO-Docker\'s 200 "already over", nothing queued', async () => {
    // Before, GO-Docker's DELETE queued a kill for a finished task and said "kill requested".
    const ended = await h.runToEnd(await h.jobOf(alice));
    const v1 = await call('DELETE', `/api/v1/jobs/${ended.id}`, alice.key);
    expect(v1).toEqual({ status: 409, code: 'CONFLICT' });
    const compat = await fetch(`${h.url}/api/1.0/task/${ended.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(compat.status).toBe(200);
    expect(await compat.json()).toEqual({ msg: 'task already over', id: ended.id });
    expect(await queuedFor(ended.id)).toEqual([]);
  });

  it('kills an active task with the same request as /api/v1', async () => {
    const job = await h.jobOf(alice);
    const compat = await fetch(`${h.url}/api/1.0/task/${job.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(compat.status).toBe(200);
    expect(await compat.json()).toEqual({ msg: 'kill requested', id: job.id });
    expect(await queuedFor(job.id)).toEqual([
      { action: 'kill', jobId: job.id, by: 'alice', reason: 'killed by alice' },
    ]);
  });

  it('answers a task the caller may not see like one that does not exist, on both APIs', async () => {
    const bobs = await h.jobOf(bob);
    for (const [method, path, body] of [
      ['DELETE', `/api/1.0/task/${bobs.id}`, undefined],
      ['PUT', `/api/1.0/task/${bobs.id}`, { name: 'name', value: 'mine' }],
      ['DELETE', '/api/1.0/task/999999', undefined],
    ] as const)
      expect(await call(method, path, token, body)).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await call('DELETE', `/api/v1/jobs/${bobs.id}`, alice.key)).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(await queuedFor(bobs.id)).toEqual([]);
    expect((await h.store.getJob(bobs.id))?.meta.name).toBe(bobs.meta.name);
  });

  it('updates a task in each state as /api/v1 does', async () => {
    const states: Array<[string, () => Promise<Job>]> = [
      ['pending', () => h.jobOf(alice)],
      ['over', async () => h.runToEnd(await h.jobOf(alice))],
    ];
    for (const [state, make] of states) {
      const [a, b] = [await make(), await make()];
      const v1 = await call('POST', `/api/v1/jobs/${a.id}/update`, alice.key, { name: 'x' });
      const compat = await call('PUT', `/api/1.0/task/${b.id}`, token, {
        name: 'name',
        value: 'x',
      });
      expect([state, compat.status, compat.code]).toEqual([state, v1.status, v1.code]);
      expect((await h.store.getJob(b.id))?.meta.name).toBe((await h.store.getJob(a.id))?.meta.name);
    }
  });
});
