/**
 * ioredis clients from god's `redis` config section. Only the process's composition root calls
 * these; everything else in coord receives a client or connection options.
 */
import type { Config } from '@god/core';
import { ValidationError } from '@god/core';
import { Redis, type RedisOptions } from 'ioredis';

/** The `redis` section of god's configuration. */
export type RedisConfig = Config['redis'];

/** ioredis connection options (no key prefix: keys are built by `createKeys`). */
export function redisOptions(
  config: Pick<RedisConfig, 'host' | 'port' | 'db' | 'password'>,
): RedisOptions {
  return {
    host: config.host,
    port: config.port,
    db: config.db,
    // An empty password in the config means "no AUTH", not "AUTH with ''".
    ...(config.password === '' ? {} : { password: config.password }),
  };
}

/** ioredis connection options from a `redis://[:password@]host[:port][/db]` URL (tests, tools). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidUrl(url, 'not a URL');
  }
  if (parsed.protocol !== 'redis:') throw invalidUrl(url, 'must start with redis://');
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw invalidUrl(url, 'the path must be a database number');
  return redisOptions({
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: db === '' ? 0 : Number(db),
    password: decodeURIComponent(parsed.password),
  });
}

/** A new ioredis client for the configured server; `overrides` adjust ioredis options. */
export function createRedis(config: RedisConfig, overrides: RedisOptions = {}): Redis {
  return new Redis({ ...redisOptions(config), ...overrides });
}

/** A new ioredis client from a `redis://` URL (what tests get from `inject('redisUrl')`). */
export function createRedisFromUrl(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis({ ...redisOptionsFromUrl(url), ...overrides });
}

function invalidUrl(url: string, message: string): ValidationError {
  // The URL may carry a password: never echo it back.
  const shown = url.replace(/\/\/[^@/]*@/, '//***@');
  return new ValidationError('invalid Redis URL', [
    { path: 'url', message: `${message}: ${shown}` },
  ]);
}
