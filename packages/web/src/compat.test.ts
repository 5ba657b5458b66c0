/** GO-Docker's /api/1.0, as its CLI and Galaxy's GoDocker runner call it. */
import { taskDirOf } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;

beforeAll(async () => {
  h = await WebHarness.start([
    'images=[{name: busybox, url: "god-test/busybox:latest", default: true}]',
  ]);
  alice = await h.user('alice');
});
afterAll(async () => {
  await h?.stop();
});

/** A call like GO-Docker's clients make: JSON in, JSON out, Bearer token. */
async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${h.url}/api/1.0${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(token !== undefined && { Authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** The task document Galaxy's runner posts (galaxy/jobs/runners/godocker.py). */
const galaxyTask = {
  date: 1_700_000_000,
  meta: { name: 'bowtie2', description: 'galaxy job', tags: ['galaxy', 'bowtie2'] },
  requirements: { cpu: 1, ram: 1, array: { values: null }, label: [], tasks: [], tmpstorage: null },
  container: {
    image: 'god-test/busybox:latest',
    volumes: [],
    network: true,
    id: null,
    meta: null,
    stats: null,
    ports: [],
    root: false,
  },
  command: { interactive: false, cmd: '#!/bin/sh\necho galaxy\n' },
  status: { primary: null, secondary: null },
};

describe('GO-Docker API 1.0', () => {
  it('authenticates with user and API key, takes Galaxy’s task document, and reports it', async () => {
    const auth = await call('POST', '/authenticate', undefined, {
      user: 'alice',
      apikey: alice.key,
    });
    expect(auth.status).toBe(200);
    const token = auth.body!['token'] as string;
    const added = await call('POST', '/task', token, galaxyTask);
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ msg: 'Task added', id: expect.any(Number) as unknown });
    const id = added.body!['id'] as number;
    const task = (await call('GET', `/task/${id}`, token)).body!;
    expect(task).toMatchObject({
      id,
      user: { id: 'alice', uid: alice.uid },
      meta: { name: 'bowtie2', tags: ['galaxy', 'bowtie2'] },
      requirements: { cpu: 1, ram: 1 },
      status: { primary: 'pending', secondary: '', date_over: null },
    });
    // Galaxy reads god.log and god.err from the `go-docker` volume's path.
    const volumes = (task['container'] as { volumes: Array<{ name: string; path: string }> })
      .volumes;
    const job = await h.store.getJob(id);
    expect(volumes.find((v) => v.name === 'go-docker')?.path).toBe(
      taskDirOf(h.config.shared_dir, job!),
    );
    expect((await call('GET', `/task/${id}/status`, token)).body).toMatchObject({
      status: { primary: 'pending' },
    });
    const active = (await call('GET', '/task/active', token)).body as unknown as Array<{
      id: number;
    }>;
    expect(active.map((t) => t.id)).toContain(id);
    expect((await call('DELETE', `/task/${id}`, token)).body).toMatchObject({
      msg: 'kill requested',
    });
  });

  it('refuses a wrong API key, or another user’s key, for a user', async () => {
    const bob = await h.user('bob');
    expect(
      (await call('POST', '/authenticate', undefined, { user: 'alice', apikey: 'god_nope' }))
        .status,
    ).toBe(401);
    expect(
      (await call('POST', '/authenticate', undefined, { user: 'alice', apikey: bob.key })).status,
    ).toBe(401);
  });

  it('takes any spelling of the user’s own login, answering with the one identity', async () => {
    const auth = await call('POST', '/authenticate', undefined, {
      user: 'ALICE',
      apikey: alice.key,
    });
    expect(auth.status).toBe(200);
    const token = auth.body!['token'] as string;
    const me = await call('GET', '/user/Alice', token);
    expect(me).toMatchObject({ status: 200, body: { id: 'alice' } });
    const job = await h.jobOf(alice);
    const killed = await call('DELETE', '/user/ALICE/task', token);
    expect(killed.body?.['msg']).toMatch(/^[1-9]\d* tasks will be killed$/);
    expect(job.user.id).toBe('alice');
  });

  it('lists finished tasks newest first with skip and limit, and shows exit codes', async () => {
    const token = (
      await call('POST', '/authenticate', undefined, { user: 'alice', apikey: alice.key })
    ).body!['token'] as string;
    const ended = [];
    for (const code of [0, 2, 0]) ended.push(await h.runToEnd(await h.jobOf(alice), code));
    type Task = {
      id: number;
      container: { meta: { State: { ExitCode: number } } };
      status: unknown;
    };
    const over = (await call('POST', '/task/over/0/2', token)).body as unknown as Task[];
    expect(over.map((t) => t.id)).toEqual([ended[2]!.id, ended[1]!.id]);
    expect(over[1]!.container.meta.State.ExitCode).toBe(2);
    expect(over[1]!.status).toMatchObject({ primary: 'over', exitcode: 2 });
    expect((await call('POST', '/task/over/all/0/10', token)).status).toBe(403);
  });

  it('serves the public config without credentials, and user details with them', async () => {
    const cfg = (await call('GET', '/config')).body!;
    expect(cfg['images']).toEqual([
      { name: 'busybox', url: 'god-test/busybox:latest', interactive: false, default: true },
    ]);
    expect(cfg['executor_features']).toContain('pause');
    const token = (
      await call('POST', '/authenticate', undefined, { user: 'alice', apikey: alice.key })
    ).body!['token'] as string;
    expect((await call('GET', '/user/alice', token)).body).toMatchObject({
      id: 'alice',
      uid: alice.uid,
      credentials: { apikey: '' },
    });
    expect((await call('GET', '/user/bob', token)).status).toBe(404);
    expect((await call('GET', '/user/alice/project', token)).body).toEqual([
      { id: 'default', prio: 50, description: 'Default project' },
    ]);
  });

  it('changes state only through POST/PUT/DELETE, never GET', async () => {
    const token = (
      await call('POST', '/authenticate', undefined, { user: 'alice', apikey: alice.key })
    ).body!['token'] as string;
    const job = await h.jobOf(alice);
    for (const path of [
      `/task/${job.id}/suspend`,
      `/task/${job.id}/resume`,
      `/task/${job.id}/archive`,
    ])
      expect((await call('GET', path, token)).status).toBe(404);
    expect(
      (await call('PUT', `/task/${job.id}`, token, { name: 'name', value: 'renamed' })).status,
    ).toBe(200);
    expect((await h.store.getJob(job.id))?.meta.name).toBe('renamed');
    expect(
      (await call('PUT', `/task/${job.id}`, token, { name: 'maxlifespan', value: 5 })).status,
    ).toBe(403);
  });
});
