/**
 * GET /admin/config: the resolved configuration for administrators with every secret masked,
 * over HTTP on a real web process; refused to users.
 */
import { resolveConfig } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK, maskSecrets } from './api/admin-config.js';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

const TOKEN_SECRET = 'tok-SECRET-0123456789abcdef0123456789';
const BIND_PASSWORD = 'bind-PW-4f1e9a';
const MONGO_PASSWORD = 'mongo-PW-77c2';
const PLUGIN_KEY = 'plugin-KEY-9d3b';

let h: WebHarness;
let alice: TestUser;
let admin: TestUser;

beforeAll(async () => {
  h = await WebHarness.start([
    `auth.token_secret=${TOKEN_SECRET}`,
    `plugins.ldap.bind_password=${BIND_PASSWORD}`,
    `plugins.notify.api_key=${PLUGIN_KEY}`,
    `store.mongodb.url=mongodb://god:${MONGO_PASSWORD}@db.example:27017`,
  ]);
  alice = await h.user('alice');
  admin = await h.user('boss', { admin: true });
});
afterAll(async () => {
  await h?.stop();
});

describe('GET /admin/config', () => {
  it('gives administrators the resolved configuration with no secret in it', async () => {
    const c = await admin.client.adminConfig();
    const text = JSON.stringify(c);
    for (const secret of [TOKEN_SECRET, BIND_PASSWORD, MONGO_PASSWORD, PLUGIN_KEY])
      expect(text).not.toContain(secret);
    expect(c).toMatchObject({
      auth: { token_secret: MASK, token_ttl_s: h.config.auth.token_ttl_s },
      plugins: { ldap: { bind_password: MASK }, notify: { api_key: MASK } },
      store: { mongodb: { url: `mongodb://god:${MASK}@db.example:27017` } },
      web: { port: 0 },
    });
  });

  it('refuses users, and callers without credentials', async () => {
    expect((await failure(alice.client.adminConfig())).status).toBe(403);
    expect((await failure(h.client().adminConfig())).status).toBe(401);
  });
});

describe('maskSecrets', () => {
  it('masks every secret a configuration can set: passwords, their files, secrets, keys', () => {
    const secrets = {
      'redis.password': 'redis-PW-1',
      'redis.password_file': '/etc/god/redis-PW-file',
      'auth.token_secret': 'x'.repeat(16) + 'tok-SECRET-2' + 'y'.repeat(16),
      'auth.token_secret_file': '/etc/god/tok-SECRET-file',
      'plugins.ldap.bind_password': 'bind-PW-3',
      'plugins.ldap.client_key': 'client-KEY-4',
      'plugins.x.private': 'private-5',
      'store.mongodb.url': 'mongodb://u:mongo-PW-6@h/db',
    };
    const config = resolveConfig({
      sets: [...Object.entries(secrets).map(([k, v]) => `${k}=${v}`), 'redis.host=127.0.0.1'],
    });
    const text = JSON.stringify(maskSecrets(config));
    for (const v of Object.values(secrets)) expect(text).not.toContain(v);
    // Nothing else is hidden: durations, booleans and empty values read as they are.
    const masked = maskSecrets(config) as typeof config;
    expect(masked.auth.token_ttl_s).toBe(config.auth.token_ttl_s);
    expect(masked.redis.allow_unauthenticated).toBe(config.redis.allow_unauthenticated);
    expect(masked.redis.host).toBe('127.0.0.1');
  });
});
