/** Logins, tokens, API keys and failed-login limits over HTTP on a real web process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from './auth/tokens.js';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;

beforeAll(async () => {
  h = await WebHarness.start(['auth.max_failures=3', 'auth.window_s=60']);
  alice = await h.user('alice', { password: 'correct horse' });
});
afterAll(async () => {
  await h?.stop();
});

describe('password login and tokens', () => {
  it('gives a short-lived token for the right password and works with it', async () => {
    const t = await h.client().login('alice', 'correct horse');
    expect(t).toMatchObject({ user: 'alice', admin: false });
    expect(t.expiresAt - Date.now()).toBeGreaterThan(3_000_000);
    expect(t.expiresAt - Date.now()).toBeLessThanOrEqual(3_600_000);
    const me = await h.client(t.token).me();
    expect(me).toMatchObject({ id: 'alice', uid: alice.uid, via: 'token' });
  });

  it('refuses wrong passwords, unknown users and bad names alike', async () => {
    for (const [login, password] of [
      ['alice', 'wrong'],
      ['nobody', 'correct horse'],
      ['*)(uid=*', 'x'],
    ] as const) {
      const err = await failure(h.client().login(login, password));
      expect(err).toMatchObject({ status: 401, message: 'wrong login or password' });
    }
  });

  it('refuses a forged or expired token', async () => {
    const forged = createTokenService({
      secret: new TextEncoder().encode('x'.repeat(48)),
      ttlSeconds: 60,
    });
    const { token } = await forged.issue('alice', 's.forged');
    expect((await failure(h.client(token).me())).status).toBe(401);
    const old = createTokenService({
      secret: new TextEncoder().encode('y'.repeat(48)),
      ttlSeconds: 60,
      now: () => Date.now() - 3_600_000,
    });
    expect(await old.verify((await old.issue('alice', 's.x')).token)).toMatchObject({
      login: 'alice',
      sid: 's.x',
    });
    const past = createTokenService({
      secret: new TextEncoder().encode('y'.repeat(48)),
      ttlSeconds: 60,
    });
    expect(await past.verify((await old.issue('alice', 's.x')).token)).toBeNull();
  });

  it('limits failed logins per login name, with a wait in the answer, and keys still work', async () => {
    const carol = await h.user('carol', { password: 'carol password' });
    for (let i = 0; i < 3; i++) await failure(h.client().login('carol', 'nope'));
    const limited = await failure(h.client().login('carol', 'carol password'));
    expect(limited.status).toBe(429);
    expect(limited.message).toMatch(/too many failed logins: try again in \d+ s/);
    const raw = await fetch(`${h.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'carol', password: 'carol password' }),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    // Her API key still works: only password guessing is slowed down.
    expect((await carol.client.me()).id).toBe('carol');
  });
});

describe('API keys', () => {
  it('creates a key shown once, stores only its hash, and revokes it at once', async () => {
    const made = await alice.client.createKey('laptop');
    expect(made.key).toMatch(/^god_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const stored = await h.store.getApiKey(made.id);
    expect(stored).toMatchObject({ user: 'alice', name: 'laptop' });
    expect(JSON.stringify(stored)).not.toContain(made.key.slice(22));
    const listed = await alice.client.listKeys();
    expect(JSON.stringify(listed)).not.toContain(made.key.slice(22));
    expect(listed.keys.map((k) => k.id)).toContain(made.id);
    const withKey = h.client(made.key);
    expect((await withKey.me()).via).toBe('apikey');
    expect(await alice.client.revokeKey(made.id)).toEqual({ revoked: made.id, derived: [] });
    expect((await failure(withKey.me())).status).toBe(401);
  });

  it('lets only administrators make or revoke keys of others', async () => {
    const bob = await h.user('bob');
    const admin = await h.user('root-admin');
    expect((await failure(bob.client.createKey('x', { user: 'alice' }))).status).toBe(403);
    const forAlice = await admin.client.createKey('galaxy', { user: 'alice', ttlDays: 1 });
    expect(forAlice.expiresAt).not.toBeNull();
    expect((await failure(bob.client.revokeKey(forAlice.id))).status).toBe(404);
    expect((await h.client(forAlice.key).me()).id).toBe('alice');
    expect((await admin.client.revokeKey(forAlice.id)).revoked).toBe(forAlice.id);
  });

  it('refuses an expired key', async () => {
    const made = await alice.client.createKey('short', { ttlDays: 1 });
    const record = await h.store.getApiKey(made.id);
    await h.store.putApiKey({ ...record!, expiresAt: Date.now() - 1 });
    expect((await failure(h.client(made.key).me())).status).toBe(401);
  });
});
