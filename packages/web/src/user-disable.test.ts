/**
 * Disabling a user (`POST /users/{id}` with `disabled: true`): every credential of theirs is
 * refused — API key, token, password login — until an administrator enables them again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let admin: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  admin = await h.user('boss', { admin: true });
});
afterAll(async () => {
  await h?.stop();
});

describe('disabling a user', () => {
  it('refuses their key, token and password while disabled; enabling lets them back', async () => {
    const dora = await h.user('dora', { password: 'dora’s long password' });
    const { token } = await h.client().login('dora', 'dora’s long password');
    const byToken = h.client(token);
    expect((await dora.client.me()).id).toBe('dora');
    expect((await admin.client.user('dora'))['disabled']).toBe(false);

    const off = await admin.client.updateUser('dora', { disabled: true });
    expect(off).toMatchObject({ id: 'dora', disabled: true });
    expect((await failure(dora.client.me())).status).toBe(401);
    expect((await failure(byToken.me())).status).toBe(401);
    expect((await failure(h.client().login('dora', 'dora’s long password'))).status).toBe(401);
    expect((await admin.client.users()).users).toContainEqual(
      expect.objectContaining({ id: 'dora', disabled: true }),
    );

    await admin.client.updateUser('dora', { disabled: false });
    expect((await dora.client.me()).id).toBe('dora');
    expect((await h.client().login('dora', 'dora’s long password')).user).toBe('dora');
    // The token of before stays ended: disabling ended the user's sessions.
    expect((await failure(byToken.me())).status).toBe(401);
  });

  it('is for administrators only, and reads as a boolean', async () => {
    const eve = await h.user('eve');
    expect((await failure(eve.client.updateUser('eve', { disabled: true }))).status).toBe(403);
    const bad = await failure(admin.client.updateUser('eve', { disabled: 'yes' }));
    expect(bad.status).toBe(400);
    expect(bad.issues.map((i) => i.path)).toEqual(['disabled']);
  });
});
