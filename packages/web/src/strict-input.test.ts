/**
 * Nothing a client sends is silently changed: `/api/1.0` refuses the fields god would have to
 * drop (as `/api/v1` does), and no API stores text it could not keep exactly (real web process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let token: string;

beforeAll(async () => {
  h = await WebHarness.start(['volumes=[{name: scratch, path: /srv/scratch/$USERID, acl: rw}]']);
  alice = await h.user('alice');
  const auth = await send(
    '/api/1.0/authenticate',
    JSON.stringify({ user: 'alice', apikey: alice.key }),
  );
  token = (JSON.parse(auth.body) as { token: string }).token;
});
afterAll(async () => {
  await h?.stop();
});

/** POSTs `body` (a string or raw bytes) as JSON; status and exact answer. */
async function send(
  path: string,
  body: string | Buffer,
  credential?: string,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(credential !== undefined && { authorization: `Bearer ${credential}` }),
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}

const jobCount = async () => (await h.store.listJobs({}, { limit: 10_000 })).jobs.length;

/** A GO-Docker task document as Galaxy's runner sends it, with the echoed server fields. */
const task = (over: { [k: string]: unknown } = {}) => ({
  date: 1_700_000_000,
  meta: { name: 'bowtie2', description: 'galaxy job', tags: ['galaxy'] },
  requirements: { cpu: 1, ram: 1, array: { values: null }, label: [], tasks: [], tmpstorage: null },
  container: {
    image: 'god-test/busybox:latest',
    volumes: [{ name: 'scratch', acl: 'rw', path: null, mount: null }],
    network: true,
    id: null,
    meta: null,
    stats: null,
    ports: [],
    root: false,
  },
  command: { interactive: false, cmd: 'echo hi' },
  status: { primary: null, secondary: null },
  ...over,
});

describe('GO-Docker /api/1.0 refuses what it would have had to drop', () => {
  it('names each forbidden or unknown field in a 400 and stores nothing', async () => {
    const t = task();
    const cases: Array<[string, unknown]> = [
      [
        'container.volumes[0].path',
        { ...t, container: { ...t.container, volumes: [{ name: 'scratch', path: '/etc' }] } },
      ],
      [
        'container.volumes[0].mount',
        { ...t, container: { ...t.container, volumes: [{ name: 'scratch', mount: '/x' }] } },
      ],
      ['container.privileged', { ...t, container: { ...t.container, privileged: true } }],
      ['privileged', { ...t, privileged: true }],
      ['user.uid', { ...t, user: { id: 'alice', uid: 0 } }],
      ['user.gid', { ...t, user: { gid: 0 } }],
      ['user.id', { ...t, user: { id: 'bob' } }],
      ['user.sgids', { ...t, user: { sgids: [0] } }],
      ['requirements.mem', { ...t, requirements: { ...t.requirements, mem: 4 } }],
      [
        'requirements.tmpstorage.path',
        { ...t, requirements: { ...t.requirements, tmpstorage: { size: null, path: '/etc' } } },
      ],
      ['container.network', { ...t, container: { ...t.container, network: 'host' } }],
      ['container.ports', { ...t, container: { ...t.container, ports: [22] } }],
      ['command.entrypoint', { ...t, command: { ...t.command, entrypoint: '/bin/sh' } }],
    ];
    const before = await jobCount();
    for (const [field, doc] of cases) {
      const r = await send('/api/1.0/task', JSON.stringify(doc), token);
      expect({ field, status: r.status }).toEqual({ field, status: 400 });
      const body = JSON.parse(r.body) as { error: { issues: Array<{ path: string }> } };
      expect(body.error.issues.map((i) => i.path)).toEqual([field]);
    }
    expect(await jobCount()).toBe(before);
  });

  it('still takes the document GO-Docker clients send, echoed server fields included', async () => {
    const echoed = task({
      id: 12,
      user: { id: 'alice', uid: alice.uid, gid: alice.uid, project: 'default' },
      status: { primary: 'over', secondary: '', reason: null, exitcode: 0 },
    });
    const r = await send('/api/1.0/task', JSON.stringify(echoed), token);
    expect(r.status).toBe(200);
    const id = (JSON.parse(r.body) as { id: number }).id;
    expect(await h.store.getJob(id)).toMatchObject({
      state: 'pending',
      user: { id: 'alice', uid: alice.uid },
      container: { volumes: [{ name: 'scratch', acl: 'rw' }] },
    });
  });
});

describe('request bodies are kept exactly or refused', () => {
  const v1Job = (name: string) =>
    `{"container":{"image":"god-test/busybox:latest"},"command":{"cmd":"true"},"meta":{"name":${name}}}`;

  it('refuses bytes that are not UTF-8 on every API, storing nothing', async () => {
    const before = await jobCount();
    const bad = Buffer.concat([
      Buffer.from(v1Job('"caf').slice(0, -2)),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('"}}'),
    ]);
    for (const [path, credential] of [
      ['/api/v1/jobs', alice.key],
      ['/api/1.0/task', token],
    ] as const) {
      const r = await send(path, bad, credential);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({
        error: { code: 'INVALID_INPUT', message: expect.stringContaining('UTF-8') as unknown },
      });
    }
    expect(await jobCount()).toBe(before);
  });

  it('refuses lone surrogates, naming the field, and keeps real non-ASCII text exactly', async () => {
    const lone = await send('/api/v1/jobs', v1Job('"x\\ud800y"'), alice.key);
    expect(lone.status).toBe(400);
    expect(JSON.parse(lone.body)).toMatchObject({ error: { issues: [{ path: 'meta.name' }] } });
    const name = '日本-café-🧬';
    const ok = await send('/api/v1/jobs', v1Job(JSON.stringify(name)), alice.key);
    expect(ok.status).toBe(201);
    const id = (JSON.parse(ok.body) as { job: { id: number } }).job.id;
    expect((await h.store.getJob(id))?.meta.name).toBe(name);
  });

  it('refuses bodies nested past the depth limit with a 400, however deep, on every API', async () => {
    for (const depth of [65, 20_000, 200_000]) {
      for (const body of [
        '['.repeat(depth) + ']'.repeat(depth),
        '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
      ])
        for (const [path, credential] of [
          ['/api/v1/jobs', alice.key],
          ['/api/1.0/task', token],
          ['/api/v1/auth/login', undefined],
        ] as const) {
          const r = await send(path, body, credential);
          expect(r.status).toBe(400);
          expect(r.body).toContain('nested deeper than 64 levels');
        }
    }
  });
});
