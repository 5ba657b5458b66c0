import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@god/core';
import type { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { createRedis, createRedisFromUrl, redisOptions, redisOptionsFromUrl } from './redis.js';

const base = { host: '127.0.0.1', port: 6379, db: 0, password: '' };

describe('redis clients', () => {
  it('maps the config section to ioredis options, an empty password meaning none', () => {
    expect(redisOptions({ host: 'localhost', port: 7000, db: 2, password: '' })).toEqual({
      host: 'localhost',
      port: 7000,
      db: 2,
    });
    expect(redisOptions({ host: 'h', port: 7000, db: 2, password: 's3cret' })).toMatchObject({
      password: 's3cret',
    });
  });

  it('maps an ACL user, a unix socket and TLS', () => {
    expect(
      redisOptions({ ...base, username: 'god', password: 'pw', path: '/run/god/redis.sock' }),
    ).toEqual({ path: '/run/god/redis.sock', db: 0, username: 'god', password: 'pw' });
    expect(redisOptions({ ...base, host: 'redis.lan', password: 'pw', tls: true })).toMatchObject({
      host: 'redis.lan',
      tls: { servername: 'redis.lan' },
    });
    expect(redisOptions({ ...base, password: 'pw', tls: true }).tls).toEqual({});
    expect(redisOptionsFromUrl('rediss://god:p%40ss@redis.lan:6380')).toMatchObject({
      host: 'redis.lan',
      port: 6380,
      username: 'god',
      password: 'p@ss',
      tls: { servername: 'redis.lan' },
    });
  });

  it('refuses a Redis on another host without a password, unless told to', () => {
    const exposed = { ...base, host: '192.0.2.2' };
    expect(() => redisOptions(exposed)).toThrow(/redis\.host: Redis on another host/);
    expect(() => redisOptionsFromUrl('redis://redis:6379')).toThrow(ValidationError);
    expect(redisOptions({ ...exposed, allow_unauthenticated: true })).toEqual({
      host: '192.0.2.2',
      port: 6379,
      db: 0,
    });
    expect(redisOptions({ ...exposed, password: 'pw' })).toMatchObject({ password: 'pw' });
    expect(redisOptions({ ...base, path: '/run/god/redis.sock' })).toEqual({
      path: '/run/god/redis.sock',
      db: 0,
    });
  });

  it('reads the password from an owner-only file, and refuses a readable one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'god-redis-pw-'));
    try {
      const file = join(dir, 'pw');
      await copyFile(inject('redisSecure').passwordFile, file);
      await chmod(file, 0o600);
      const opts = redisOptions({ ...base, host: '192.0.2.2', password_file: file });
      expect(opts.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      await chmod(file, 0o644);
      expect(() => redisOptions({ ...base, password_file: file })).toThrow(
        /redis\.password_file: .* has mode 0644/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('parses redis:// URLs', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6380/3')).toEqual({
      host: '127.0.0.1',
      port: 6380,
      db: 3,
    });
    expect(redisOptionsFromUrl('redis://:p%40ss@redis')).toEqual({
      host: 'redis',
      port: 6379,
      db: 0,
      password: 'p@ss',
    });
  });

  it('refuses bad URLs without echoing the password', () => {
    expect(() => redisOptionsFromUrl('http://x')).toThrow(ValidationError);
    expect(() => redisOptionsFromUrl('redis://h/abc')).toThrow(/database number/);
    expect(() => redisOptionsFromUrl('redis://:secret@h/abc')).toThrow(/\*\*\*@h/);
    expect(() => redisOptionsFromUrl('redis://:secret@h/abc')).not.toThrow(/secret/);
  });

  it('connects to the test Redis from a URL and from the config section', async () => {
    const url = new URL(inject('redisUrl'));
    const a = createRedisFromUrl(url.href);
    const b = createRedis({
      host: url.hostname,
      port: Number(url.port),
      db: 1,
      password: '',
    });
    try {
      expect(await a.ping()).toBe('PONG');
      await b.set('db-check', '1');
      expect(await a.exists('db-check')).toBe(0); // b is on db 1, a on db 0
      await b.del('db-check');
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it('logs in to a Redis with an ACL user over its unix socket and TCP; without, it is refused', async () => {
    const secure = inject('redisSecure');
    const login = { username: secure.username, password_file: secure.passwordFile };
    const open: Redis[] = [];
    const client = (c: Parameters<typeof createRedis>[0]): Redis => {
      const r = createRedis(c, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      open.push(r);
      return r;
    };
    const url = new URL(secure.url);
    const tcp = { ...base, port: Number(url.port) };
    try {
      expect(await client({ ...base, path: secure.socket, ...login }).ping()).toBe('PONG');
      expect(await client({ ...tcp, ...login }).ping()).toBe('PONG');
      const fromUrl = createRedisFromUrl(secure.url);
      open.push(fromUrl);
      expect(await fromUrl.ping()).toBe('PONG');
      await expect(client(tcp).ping()).rejects.toThrow(/NOAUTH|Authentication required/);
      await expect(client({ ...tcp, username: 'god', password: 'wrong' }).ping()).rejects.toThrow(
        /WRONGPASS/,
      );
    } finally {
      for (const r of open) r.disconnect();
    }
  });
});
