/** The ldap plugin against the real slapd of the global setup (scripts/services/slapd.ts). */
import { createServer, type Socket } from 'node:net';
import { GodError } from '@god/core';
import { waitFor } from '@god/testkit';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../scripts/services/common.js';
import { directoryTarget, withDirectory } from './directory.js';
import { createLdapAuth } from './ldap.js';
import { findUserEntries } from './search.js';
import { makeContext, makeSettings } from './test-directory.js';

const dir = inject('ldap');
const pw = (uid: string): string => dir.passwords[uid]!;

/** A plugin on the test directory with `extra` settings, and its log lines. */
function makePlugin(extra: Record<string, unknown> = {}): ReturnType<typeof makeContext> & {
  plugin: ReturnType<typeof createLdapAuth>;
} {
  const context = makeContext();
  return { ...context, plugin: createLdapAuth(makeSettings(dir, extra), context.ctx) };
}

/** Open TCP sockets of this process. */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

const ALICE = {
  id: 'alice',
  uid: 5001,
  gid: 5000,
  sgids: [6001],
  home: '/home/alice',
  email: 'alice@god.test',
};

// Login names that would widen or break an unescaped filter.
const HOSTILE = [
  '*',
  'alice)(uid=*',
  '*)(|(uid=*',
  'admin*',
  'ali*',
  'alice\\00',
  'alice\0',
  '(uid=alice)',
  'a'.repeat(300),
];

describe('ldap login', () => {
  it('logs a directory user in with uid, gid, supplementary groups, home and mail', async () => {
    const { plugin } = makePlugin();
    expect(await plugin.login('alice', pw('alice'))).toEqual(ALICE);
  });

  it('lists every group of a user in two, leaving out the primary group', async () => {
    const { plugin } = makePlugin();
    // carol is also a memberUid of "users", her primary group 5000.
    expect(await plugin.login('carol', pw('carol'))).toMatchObject({
      id: 'carol',
      uid: 5003,
      gid: 5000,
      sgids: [6001, 6002],
    });
  });

  it('gives an empty email to a user without mail, and the directory spelling of the name', async () => {
    const { plugin } = makePlugin();
    expect(await plugin.login('dave', pw('dave'))).toMatchObject({
      id: 'dave',
      email: '',
      sgids: [],
    });
    expect(await plugin.login('ALICE', pw('alice'))).toEqual(ALICE);
  });

  it('returns null for a wrong password, logging neither it nor the service password', async () => {
    const { plugin, lines } = makePlugin();
    expect(await plugin.login('alice', pw('bob'))).toBeNull();
    expect(await plugin.login('alice', `${pw('alice')}x`)).toBeNull();
    expect(lines.map((l) => l.split(' {')[0])).toEqual([
      'info ldap bind refused',
      'info ldap bind refused',
    ]);
    for (const secret of [pw('alice'), pw('bob'), dir.bindPassword])
      expect(lines.join('\n')).not.toContain(secret);
  });

  it('returns null for an unknown user and for an entry that is no posixAccount', async () => {
    const { plugin } = makePlugin();
    expect(await plugin.login('zoe', 'whatever')).toBeNull();
    expect(await plugin.login('plain', pw('plain'))).toBeNull();
  });

  it('returns null when the login names several entries, even with the right password', async () => {
    const { plugin, lines } = makePlugin();
    expect(await plugin.login('twin', pw('twin'))).toBeNull();
    expect(lines.some((l) => l.startsWith('warn ldap login matches several entries'))).toBe(true);
  });

  it('refuses an empty password before asking the directory, which would accept it', async () => {
    const { plugin } = makePlugin();
    expect(await plugin.login('alice', '')).toBeNull();
    // Pointed at nothing, it still answers null: no connection was attempted.
    const nowhere = makePlugin({ url: `ldap://127.0.0.1:${await freePort()}` }).plugin;
    expect(await nowhere.login('alice', '')).toBeNull();
    // The trap being avoided: this directory takes alice's DN with no password as a bind.
    const client = new Client({ url: dir.url, timeout: 2_000 });
    try {
      await client.bind(`uid=alice,${dir.peopleDn}`, '');
      expect(client.isBound).toBe(true);
    } finally {
      await client.unbind();
    }
  });

  it.each(HOSTILE.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    'refuses the login name %s without asking the directory',
    async (_label, name) => {
      const { plugin } = makePlugin();
      expect(await plugin.login(name, pw('alice'))).toBeNull();
      expect(await plugin.account(name)).toBeNull();
      const nowhere = makePlugin({ url: `ldap://127.0.0.1:${await freePort()}` }).plugin;
      expect(await nowhere.login(name, pw('alice'))).toBeNull();
    },
  );

  it('matches nothing with hostile names even past the pattern check, where raw filters would', async () => {
    const target = directoryTarget(makeSettings(dir));
    await withDirectory(target, async (client) => {
      for (const name of HOSTILE)
        expect(await findUserEntries(client, target, name), name).toEqual([]);
      // The same names pasted into a filter string unescaped match users: the test can fail.
      const raw = await client.search(dir.peopleDn, {
        filter: '(&(objectClass=posixAccount)(uid=ali*))',
      });
      expect(raw.searchEntries.map((e) => e.dn)).toEqual([`uid=alice,${dir.peopleDn}`]);
      const all = await client.search(dir.peopleDn, {
        filter: '(&(objectClass=posixAccount)(uid=*))',
      });
      expect(all.searchEntries.length).toBeGreaterThan(3);
    });
  });
});

describe('ldap account', () => {
  it('returns the same identity as login, without a password', async () => {
    const { plugin } = makePlugin();
    expect(await plugin.account('alice')).toEqual(ALICE);
    expect(await plugin.account('zoe')).toBeNull();
    expect(await plugin.account('plain')).toBeNull();
    expect(await plugin.account('twin')).toBeNull();
  });

  it('reads groups by member DN when configured so', async () => {
    const { plugin } = makePlugin({ group_membership: 'member' });
    expect(await plugin.account('bob')).toMatchObject({ id: 'bob', sgids: [7001] });
    expect(await plugin.account('alice')).toMatchObject({ sgids: [] });
    expect(await makePlugin().plugin.account('bob')).toMatchObject({ sgids: [] });
  });

  it('looks no groups up when group_base is empty', async () => {
    expect(await makePlugin({ group_base: '' }).plugin.account('carol')).toMatchObject({
      sgids: [],
    });
  });

  it('throws, not null, when anonymous search cannot see the user base', async () => {
    const { plugin } = makePlugin({ bind_dn: '', bind_password: '' });
    // This directory hides everything from anonymous binds: the base itself is noSuchObject.
    const err: unknown = await plugin.account('alice').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
    expect((err as Error).message).toMatch(/user search .*NoSuchObjectError \(result code 32\)/);
  });
});

describe('ldap over TLS', () => {
  it('logs in over StartTLS and over ldaps with the CA file', async () => {
    const startTls = makePlugin({ start_tls: true, ca_file: dir.caFile }).plugin;
    expect(await startTls.login('alice', pw('alice'))).toEqual(ALICE);
    const ldaps = makePlugin({ url: dir.ldapsUrl, ca_file: dir.caFile }).plugin;
    expect(await ldaps.login('alice', pw('alice'))).toEqual(ALICE);
  });

  it('throws a non-retryable UNAVAILABLE for a certificate it cannot verify', async () => {
    for (const extra of [{ url: dir.ldapsUrl }, { start_tls: true }]) {
      const err: unknown = await makePlugin(extra)
        .plugin.login('alice', pw('alice'))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GodError);
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
    }
  });

  it('connects without verification only when told to', async () => {
    const { plugin } = makePlugin({ url: dir.ldapsUrl, reject_unauthorized: false });
    expect(await plugin.account('alice')).toEqual(ALICE);
  });
});

describe('ldap directory failures', () => {
  // Accepts connections, reads (so it notices when the client hangs up) and never answers.
  const held: Socket[] = [];
  const silent = createServer((sock) => {
    held.push(sock.resume());
  });
  let silentPort = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const addr = silent.address();
    silentPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  /** What `fn` throws, and after how many ms. */
  async function failure(fn: () => Promise<unknown>): Promise<{ err: unknown; ms: number }> {
    const t0 = Date.now();
    const err = await fn().then(
      () => null,
      (e: unknown) => e,
    );
    return { err, ms: Date.now() - t0 };
  }

  it('throws a retryable UNAVAILABLE for a closed port, for login and account', async () => {
    const { plugin } = makePlugin({
      url: `ldap://127.0.0.1:${await freePort()}`,
      timeout_ms: 1_000,
    });
    for (const call of [() => plugin.login('alice', pw('alice')), () => plugin.account('alice')]) {
      const { err, ms } = await failure(call);
      expect(err).toBeInstanceOf(GodError);
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect((err as Error).message).toMatch(/ECONNREFUSED/);
      expect(ms).toBeLessThan(1_000);
    }
  });

  it('throws a retryable UNAVAILABLE within the timeout for a directory that does not answer', async () => {
    for (const extra of [{}, { start_tls: true }]) {
      const { plugin } = makePlugin({
        url: `ldap://127.0.0.1:${silentPort}`,
        timeout_ms: 300,
        ...extra,
      });
      const { err, ms } = await failure(() => plugin.login('alice', pw('alice')));
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(1_000);
    }
  });

  it('throws, not null, when the service account is refused', async () => {
    const { plugin } = makePlugin({ bind_password: 'not-the-password' });
    const { err } = await failure(() => plugin.login('alice', pw('alice')));
    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
    expect((err as Error).message).toMatch(/service account bind/);
    expect((err as Error).message).not.toContain('not-the-password');
  });

  it('closes every connection it opens', async () => {
    const before = openSockets();
    const { plugin } = makePlugin();
    const failing = makePlugin({ url: `ldap://127.0.0.1:${silentPort}`, timeout_ms: 200 }).plugin;
    await Promise.all([
      ...['alice', 'bob', 'carol', 'zoe', 'twin'].map((u) => plugin.login(u, pw('alice'))),
      ...['alice', 'plain'].map((u) => plugin.account(u)),
      failing.account('alice').catch(() => null),
    ]);
    await waitFor('the sockets to close', () => openSockets() <= before, {
      timeoutMs: 2_000,
      everyMs: 20,
    });
    expect(openSockets()).toBe(before);
  });
});
