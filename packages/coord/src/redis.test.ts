import { ValidationError } from '@god/core';
import { describe, expect, inject, it } from 'vitest';
import { createRedis, createRedisFromUrl, redisOptions, redisOptionsFromUrl } from './redis.js';

describe('redis clients', () => {
  it('maps the config section to ioredis options, an empty password meaning none', () => {
    expect(redisOptions({ host: 'h', port: 7000, db: 2, password: '' })).toEqual({
      host: 'h',
      port: 7000,
      db: 2,
    });
    expect(redisOptions({ host: 'h', port: 7000, db: 2, password: 's3cret' })).toMatchObject({
      password: 's3cret',
    });
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
      prefix: 'god',
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
});
