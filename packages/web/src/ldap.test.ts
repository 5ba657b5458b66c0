/** Logging in to the API with a directory account (the LDAP plugin against the test slapd). */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { failure, WebHarness } from './test-helpers.js';

let h: WebHarness;
const ldap = inject('ldap');

beforeAll(async () => {
  h = await WebHarness.start([
    'auth.plugin=ldap',
    'auth.max_failures=50',
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
