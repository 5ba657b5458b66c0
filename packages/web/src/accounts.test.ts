/** Users, projects and usage over HTTP: administrators manage, users read what is theirs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  admin = await h.user('boss', { admin: true });
  alice = await h.user('alice');
});
afterAll(async () => {
  await h?.stop();
});

describe('users', () => {
  it('creates a user with a password that can log in, never showing the hash', async () => {
    const made = await admin.client.createUser({
      id: 'carol',
      uid: 3001,
      gid: 3001,
      sgids: [7, 8],
      password: 'long enough',
    });
    expect(made).toMatchObject({
      id: 'carol',
      uid: 3001,
      sgids: [7, 8],
      hasPassword: true,
      admin: false,
      priority: 50,
    });
    expect(JSON.stringify(made)).not.toContain('scrypt');
    expect((await h.client().login('carol', 'long enough')).user).toBe('carol');
    expect((await failure(admin.client.createUser({ id: 'carol', uid: 1, gid: 1 }))).status).toBe(
      409,
    );
  });

  it('keeps one login per person: no second spelling, any spelling logs in as the one', async () => {
    await admin.client.createUser({ id: 'erin', uid: 3005, gid: 3005, password: 'erin’s secret' });
    for (const id of ['Erin', 'ERIN']) {
      const refused = await failure(admin.client.createUser({ id, uid: 3006, gid: 3006 }));
      expect(refused).toMatchObject({
        status: 409,
        message: 'user erin exists: logins differing only in case are the same user',
      });
    }
    expect(
      (await admin.client.users()).users.filter((u) => /^erin$/i.test((u as { id: string }).id)),
    ).toHaveLength(1);
    const t = await h.client().login('ERIN', 'erin’s secret');
    expect(t.user).toBe('erin');
    expect((await h.client(t.token).me()).id).toBe('erin');
    // Changing a user in another spelling changes the one record.
    await admin.client.updateUser('Erin', { email: 'erin@example.org' });
    expect(await h.store.getUser('erin')).toMatchObject({ email: 'erin@example.org' });
  });

  it('changes only the fields given', async () => {
    await admin.client.createUser({
      id: 'dave',
      uid: 3002,
      gid: 3002,
      sgids: [9],
      email: 'd@x',
      priority: 70,
    });
    const changed = await admin.client.updateUser('dave', { priority: 90 });
    expect(changed).toMatchObject({ uid: 3002, sgids: [9], email: 'd@x', priority: 90 });
    expect(await h.store.getUser('dave')).toMatchObject({ sgids: [9], email: 'd@x', priority: 90 });
  });

  it('lets a user read only themselves, and refuses them the admin routes', async () => {
    expect((await alice.client.user('alice'))['id']).toBe('alice');
    expect((await failure(alice.client.user('boss'))).status).toBe(404);
    expect((await failure(alice.client.createUser({ id: 'eve', uid: 1, gid: 1 }))).status).toBe(
      403,
    );
    expect((await failure(alice.client.updateUser('alice', { admin: true }))).status).toBe(403);
  });

  it('deletes a user and revokes their keys at once', async () => {
    const frank = await h.user('frank');
    expect(await admin.client.deleteUser('frank')).toEqual({ deleted: 'frank' });
    expect((await failure(frank.client.me())).status).toBe(401);
    expect(await h.store.listApiKeys('frank')).toEqual([]);
  });
});

describe('projects', () => {
  it('creates projects, changes members, and keeps what an update does not name', async () => {
    await admin.client.createProject({
      id: 'genomics',
      members: ['alice'],
      priority: 80,
      limits: { cpu: 64 },
    });
    const after = await admin.client.updateProject('genomics', { description: 'sequencing' });
    expect(after).toMatchObject({
      members: ['alice'],
      priority: 80,
      description: 'sequencing',
      limits: { cpu: 64, ram: 0 },
    });
    const members = await admin.client.projectMembers('genomics', {
      add: ['bob'],
      remove: ['alice'],
    });
    expect(members['members']).toEqual(['bob']);
    expect((await failure(admin.client.deleteProject('default'))).status).toBe(409);
  });

  it('shows users the default project and those they are members of', async () => {
    await admin.client.createProject({ id: 'physics', members: ['alice'] });
    await admin.client.createProject({ id: 'secret', members: [] });
    const ids = (await alice.client.projects()).projects.map((p) => p['id']);
    expect(ids).toEqual(expect.arrayContaining(['default', 'physics']));
    expect(ids).not.toContain('secret');
    expect((await failure(alice.client.project('secret'))).status).toBe(404);
    expect((await failure(alice.client.createProject({ id: 'mine' }))).status).toBe(403);
  });
});

describe('usage', () => {
  it('gives usage per day: your own, anyone’s for administrators', async () => {
    const at = Date.parse('2026-11-20T10:00:00Z');
    await h.store.recordUsage({
      jobId: 9001,
      user: 'alice',
      project: 'default',
      at,
      cpuSeconds: 10,
      ramGBSeconds: 5,
      gpuSeconds: 0,
      wallSeconds: 10,
    });
    await h.store.recordUsage({
      jobId: 9002,
      user: 'bob',
      project: 'default',
      at,
      cpuSeconds: 99,
      ramGBSeconds: 9,
      gpuSeconds: 0,
      wallSeconds: 99,
    });
    const mine = await alice.client.usage({ since: '2026-11-01' });
    expect(mine.days).toEqual([
      expect.objectContaining({ day: '2026-11-20', user: 'alice', cpuSeconds: 10 }),
    ]);
    expect(mine.totals).toMatchObject({ cpuSeconds: 10, jobs: 1 });
    expect((await failure(alice.client.usage({ user: 'bob', since: '2026-11-01' }))).status).toBe(
      403,
    );
    expect((await admin.client.usage({ since: '2026-11-01' })).totals).toMatchObject({
      cpuSeconds: 109,
      jobs: 2,
    });
    expect((await failure(alice.client.usage({ since: 'yesterday' }))).issues[0]?.path).toBe(
      'query.since',
    );
  });
});
