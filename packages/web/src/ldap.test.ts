/** Logging in to the API with a directory account (the LDAP plugin against the test slapd). */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { browserCall, logIn, post } from './test-browser.js';
import { failure, WebHarness } from './test-helpers.js';

let h: WebHarness;
const ldap = inject('ldap');

beforeAll(async () => {
  h = await WebHarness.start([
    'auth.plugin=ldap',
    'auth.max_failures=50',
    // The config's spelling of an administrator need not be the directory's.
    'auth.admins=[root-admin, Dave]',
    `plugins.ldap.url=${ldap.url}`,
    `plugins.ldap.bind_dn=${ldap.bindDn}`,
    `plugins.ldap.bind_password=${ldap.bindPassword}`,
    `plugins.ldap.user_base=${ldap.peopleDn}`,
    `plugins.ldap.group_base=${ldap.groupsDn}`,
  ]);
});
afterAll(async () => {
  await h?.stop();
});

describe('LDAP login through the API', () => {
  it('logs a directory user in with their uid, gid and groups, and runs jobs as them', async () => {
    const t = await h.client().login('carol', ldap.passwords['carol']!);
    const carol = h.client(t.token);
    const me = await carol.me();
    expect(me).toMatchObject({ id: 'carol', via: 'token' });
    expect(me.uid).toBeGreaterThan(1000);
    expect(me.sgids.length).toBeGreaterThanOrEqual(2);
    expect(me.sgids).not.toContain(me.gid);
    // First login made her user record (where priority and quota live).
    expect(await h.store.getUser('carol')).toMatchObject({
      uid: me.uid,
      gid: me.gid,
      sgids: me.sgids,
    });
    const job = await carol.submit({
      container: { image: 'god-test/busybox:latest' },
      command: { cmd: 'id' },
    });
    expect(job.user).toMatchObject({ id: 'carol', uid: me.uid, gid: me.gid, sgids: me.sgids });
    // An API key made with the token works as her too.
    const key = await carol.createKey('laptop');
    expect((await h.client(key.key).me()).uid).toBe(me.uid);
  });

  it('opens a browser session with a directory password (the web UI’s login), and refuses a wrong one', async () => {
    const b = await logIn(h.url, { login: 'carol', password: ldap.passwords['carol']! });
    expect(b.body).toMatchObject({ user: 'carol', admin: false });
    const me = await browserCall(h.url, b, 'GET', '/auth/me');
    expect(((await me.json()) as { id: string }).id).toBe('carol');
    const wrong = await post(h.url, '/api/v1/auth/session', { login: 'carol', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a wrong password, and filter-injection login names, cleanly', async () => {
    expect((await failure(h.client().login('alice', 'not her password'))).status).toBe(401);
    for (const login of [
      '*',
      'alice)(uid=*',
      '*)(|(uid=*',
      'admin*',
      'alice\\00',
      'a'.repeat(200),
    ]) {
      const err = await failure(h.client().login(login, ldap.passwords['alice']!));
      expect(err.status, login).toBe(401);
      expect(err.message).toBe('wrong login or password');
    }
    const long = await failure(h.client().login('a'.repeat(300), 'x'));
    expect(long).toMatchObject({
      status: 400,
      issues: [expect.objectContaining({ path: 'login' })],
    });
  });
});

describe('one identity whatever the case typed', () => {
  it('logs ALICE in as alice, who sees the jobs ALICE submitted', async () => {
    const upper = await h.client().login('ALICE', ldap.passwords['alice']!);
    expect(upper.user).toBe('alice');
    const shouting = h.client(upper.token);
    expect((await shouting.me()).id).toBe('alice');
    const job = await shouting.submit({
      container: { image: 'god-test/busybox:latest' },
      command: { cmd: 'true' },
    });
    expect(job.user.id).toBe('alice');
    const lower = h.client((await h.client().login('alice', ldap.passwords['alice']!)).token);
    expect((await lower.getJob(job.id)).id).toBe(job.id);
    expect((await lower.listJobs()).jobs.map((j) => j.id)).toContain(job.id);
    // One store record, under the directory's spelling.
    expect(await h.store.getUser('ALICE')).toBeNull();
    expect(await h.store.getUser('alice')).not.toBeNull();
  });

  it('keeps an administrator an administrator in any spelling', async () => {
    for (const typed of ['dave', 'DAVE', 'Dave']) {
      const t = await h.client().login(typed, ldap.passwords['dave']!);
      expect(t, typed).toMatchObject({ user: 'dave', admin: true });
      expect((await h.client(t.token).me()).admin).toBe(true);
    }
    const made = await h
      .client((await h.client().login('alice', ldap.passwords['alice']!)).token)
      .createKey('laptop');
    const key = await h
      .client((await h.client().login('DAVE', ldap.passwords['dave']!)).token)
      .createKey('for alice', { user: 'ALICE' });
    expect(key.user).toBe('alice');
    expect((await h.client(key.key).me()).id).toBe('alice');
    expect(made.user).toBe('alice');
  });
});

describe('root decided by directory groups', () => {
  it('lets only members of plugins.ldap.root_gids run jobs as root', async () => {
    const groups = async (login: string) => {
      const me = await h.client((await h.client().login(login, ldap.passwords[login]!)).token).me();
      return [me.gid, ...me.sgids];
    };
    const alices = await groups('alice');
    const carolOnly = (await groups('carol')).filter((g) => !alices.includes(g));
    expect(carolOnly.length).toBeGreaterThan(0);
    const rooted = await WebHarness.start([
      'auth.plugin=ldap',
      `plugins.ldap.url=${ldap.url}`,
      `plugins.ldap.bind_dn=${ldap.bindDn}`,
      `plugins.ldap.bind_password=${ldap.bindPassword}`,
      `plugins.ldap.user_base=${ldap.peopleDn}`,
      `plugins.ldap.group_base=${ldap.groupsDn}`,
      `plugins.ldap.root_gids=[${carolOnly[0]}]`,
      'security.allow_root=true',
    ]);
    try {
      const as = async (login: string) =>
        rooted.client((await rooted.client().login(login, ldap.passwords[login]!)).token);
      const rootJob = {
        container: { image: 'god-test/busybox:latest', root: true },
        command: { cmd: 'id' },
      };
      expect((await (await as('carol')).submit(rootJob)).container.root).toBe(true);
      const refused = await failure((await as('alice')).submit(rootJob));
      expect(refused.issues).toEqual([
        { path: 'container.root', message: 'user alice may not run jobs as root' },
      ]);
    } finally {
      await rooted.stop();
    }
  });
});
