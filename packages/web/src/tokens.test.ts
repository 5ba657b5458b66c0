/**
 * Tokens live no longer than their source (API key or password session), must expire, and keys
 * made with a key (or its token) expire with it: over HTTP on two real web processes sharing
 * one store and Redis.
 */
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebProcess, type WebProcess } from './main.js';
import { failure, quiet, WebHarness, type TestUser } from './test-helpers.js';

const SECRET = 'tokens-test-secret-'.padEnd(48, 'x');
const DAY = 86_400_000;

let h: WebHarness;
let other: WebProcess;
let alice: TestUser;
let admin: TestUser;

beforeAll(async () => {
  h = await WebHarness.start([`auth.token_secret=${SECRET}`]);
  // A second web process on the same store and Redis: revocations must reach it at once.
  other = await startWebProcess(h.config, quiet);
  alice = await h.user('alice', { password: 'correct horse' });
  admin = await h.user('root-admin');
});
afterAll(async () => {
  await other?.stop();
  await h?.stop();
});

/** A token signed with the server's own secret, with the claims given. */
function signed(claims: Record<string, unknown>, exp: number | null): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('alice')
    .setIssuer('god')
    .setAudience('god-api')
    .setIssuedAt();
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

describe('tokens and their source', () => {
  it('ends a token made with an API key when the key is revoked, on every web process', async () => {
    const made = await alice.client.createKey('stolen');
    const { token } = await h.client(made.key).token();
    expect((await h.client(token).me()).id).toBe('alice');
    await alice.client.revokeKey(made.id);
    expect((await failure(h.client(token).me())).status).toBe(401);
    const there = await fetch(`${other.url}/api/v1/auth/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(there.status).toBe(401);
    // Nor can it make itself a new key any more.
    expect((await failure(h.client(token).createKey('persist'))).status).toBe(401);
  });

  it('never lets a token outlive its API key', async () => {
    const made = await alice.client.createKey('short', { ttlDays: 1 });
    const record = await h.store.getApiKey(made.id);
    const soon = Date.now() + 120_000;
    await h.store.putApiKey({ ...record!, expiresAt: soon });
    const t = await h.client(made.key).token();
    expect(t.expiresAt).toBeLessThanOrEqual(soon);
  });

  it('gives a key made with an expiring key, or its token, that key’s expiry at most', async () => {
    const parent = await alice.client.createKey('parent', { ttlDays: 2 });
    const { token } = await h.client(parent.key).token();
    for (const credential of [token, parent.key]) {
      const child = await h.client(credential).createKey('child');
      expect(child.expiresAt).toBe(parent.expiresAt);
      const longer = await failure(h.client(credential).createKey('longer', { ttlDays: 30 }));
      expect(longer).toMatchObject({
        status: 400,
        issues: [expect.objectContaining({ path: 'ttl_days' })],
      });
      const shorter = await h.client(credential).createKey('shorter', { ttlDays: 1 });
      expect(shorter.expiresAt!).toBeLessThan(parent.expiresAt!);
    }
  });

  it('lets an administrator give a longer life explicitly, and a password login any', async () => {
    const parent = await admin.client.createKey('admin parent', { ttlDays: 1 });
    const { token } = await h.client(parent.key).token();
    const inherited = await h.client(token).createKey('inherits');
    expect(inherited.expiresAt).toBe(parent.expiresAt);
    const asked = await h.client(token).createKey('explicit', { ttlDays: 30 });
    expect(asked.expiresAt! - Date.now()).toBeGreaterThan(29 * DAY);
    // A password is no expiring credential: `god login` makes a lasting key this way.
    const session = await h.client().login('alice', 'correct horse');
    expect((await h.client(session.token).createKey('cli')).expiresAt).toBeNull();
  });

  it('ends a password session on logout, on every web process', async () => {
    const { token } = await h.client().login('alice', 'correct horse');
    const refreshed = await h.client(token).token();
    expect((await h.client(refreshed.token).me()).via).toBe('token');
    expect(await h.client(token).call('POST', '/auth/logout')).toEqual({ revoked: true });
    for (const t of [token, refreshed.token]) {
      expect((await failure(h.client(t).me())).status).toBe(401);
      const there = await fetch(`${other.url}/api/v1/auth/me`, {
        headers: { Authorization: `Bearer ${t}` },
      });
      expect(there.status).toBe(401);
    }
    // Another session of hers is untouched; an API key has no session to end.
    const again = await h.client().login('alice', 'correct horse');
    expect((await h.client(again.token).me()).id).toBe('alice');
    expect((await failure(alice.client.call('POST', '/auth/logout'))).status).toBe(400);
  });

  it('revokes the keys made with a key, or its token, together with it', async () => {
    const stolen = await alice.client.createKey('stolen');
    const { token } = await h.client(stolen.key).token();
    const spare = await h.client(token).createKey('spare');
    const spareOfSpare = await h.client(spare.key).createKey('spare of spare');
    const own = await alice.client.createKey('her own');
    const revoked = await alice.client.call<{ revoked: string; derived: string[] }>(
      'DELETE',
      `/keys/${stolen.id}`,
    );
    expect(revoked.revoked).toBe(stolen.id);
    expect(revoked.derived.sort()).toEqual([spare.id, spareOfSpare.id].sort());
    for (const k of [stolen.key, spare.key, spareOfSpare.key, token])
      expect((await failure(h.client(k).me())).status).toBe(401);
    expect((await h.client(own.key).me()).id).toBe('alice');
  });

  it('ends password sessions when the password changes, and leaves API keys alone', async () => {
    const erin = await h.user('erin', { password: 'erin’s old password' });
    const { token } = await h.client().login('erin', 'erin’s old password');
    expect((await h.client(token).me()).id).toBe('erin');
    await admin.client.updateUser('erin', { password: 'erin’s new password' });
    expect((await failure(h.client(token).me())).status).toBe(401);
    const there = await fetch(`${other.url}/api/v1/auth/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(there.status).toBe(401);
    expect((await erin.client.me()).id).toBe('erin');
    const fresh = await h.client().login('erin', 'erin’s new password');
    expect((await h.client(fresh.token).me()).id).toBe('erin');
  });

  it('refuses tokens without exp, unsigned, of an unknown source, or signed otherwise', async () => {
    const key = await alice.client.createKey('for sid');
    const now = Math.floor(Date.now() / 1000);
    const good = await signed({ sid: `k.${key.id}` }, now + 600);
    expect((await h.client(good).me()).id).toBe('alice');
    const refused = [
      await signed({ sid: `k.${key.id}` }, null),
      await signed({ sid: 'k.0123456789abcdef' }, now + 600),
      await signed({ sid: 'bogus' }, now + 600),
      await signed({}, now + 600),
      new UnsecuredJWT({ sid: `k.${key.id}` })
        .setSubject('alice')
        .setIssuer('god')
        .setAudience('god-api')
        .setIssuedAt()
        .setExpirationTime(now + 600)
        .encode(),
      await new SignJWT({ sid: `k.${key.id}` })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('alice')
        .setIssuer('god')
        .setAudience('god-api')
        .setIssuedAt()
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode('another-secret-'.padEnd(48, 'y'))),
      // A key's token names its owner: it cannot be re-aimed at another user.
      await new SignJWT({ sid: `k.${key.id}` })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('root-admin')
        .setIssuer('god')
        .setAudience('god-api')
        .setIssuedAt()
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(SECRET)),
    ];
    for (const [i, token] of refused.entries())
      expect((await failure(h.client(token).me())).status, `token ${i}`).toBe(401);
  });
});
