/**
 * ioredis clients from god's `redis` config section. Only the process's composition root calls
 * these; everything else in coord receives a client or connection options.
 */
import { isIP } from 'node:net';
import type { Config } from '@god/core';
import { EXPOSED_REDIS_MESSAGE, ValidationError, redisAccess } from '@god/core';
import { Redis, type RedisOptions } from 'ioredis';
import { readSecretFile } from './secret-file.js';

/** The `redis` section of god's configuration. */
export type RedisConfig = Config['redis'];

/** What `redisOptions` reads: the connection keys of the `redis` section (the rest default off). */
export type RedisConnection = Pick<RedisConfig, 'host' | 'port' | 'db' | 'password'> &
  Partial<
    Pick<RedisConfig, 'username' | 'password_file' | 'path' | 'tls' | 'allow_unauthenticated'>
  >;

/**
 * ioredis connection options (no key prefix: keys are built by `createKeys`). Every god process
 * connects through here, so this is where a Redis on another host without a password is refused
 * (unless `allow_unauthenticated`), and where `password_file` is read (owner-only files only).
 */
export function redisOptions(config: RedisConnection): RedisOptions {
  const path = config.path ?? '';
  const passwordFile = config.password_file ?? '';
  const endpoint = {
    host: config.host,
    path,
    password: config.password,
    password_file: passwordFile,
  };
  if (config.allow_unauthenticated !== true && redisAccess(endpoint) === 'exposed')
    throw new ValidationError(
      'invalid configuration',
      [{ path: 'redis.host', message: EXPOSED_REDIS_MESSAGE }],
      'INVALID_CONFIG',
    );
  // An empty password in the config means "no AUTH" (or the file's), not "AUTH with ''".
  const password =
    config.password !== ''
      ? config.password
      : passwordFile !== ''
        ? readSecretFile(passwordFile, 'redis.password_file')
        : '';
  return {
    ...(path !== '' ? { path } : { host: config.host, port: config.port }),
    db: config.db,
    ...(config.username !== undefined && config.username !== '' && { username: config.username }),
    ...(password !== '' && { password }),
    // SNI takes a host name, never an address; the certificate is checked against either.
    ...(config.tls === true && { tls: isIP(config.host) === 0 ? { servername: config.host } : {} }),
  };
}

/**
 * ioredis connection options from a `redis[s]://[user[:password]@]host[:port][/db]` URL (tests,
 * tools); `rediss://` is TLS.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidUrl(url, 'not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw invalidUrl(url, 'must start with redis:// or rediss://');
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw invalidUrl(url, 'the path must be a database number');
  return redisOptions({
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: db === '' ? 0 : Number(db),
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    tls: parsed.protocol === 'rediss:',
  });
}

/** A new ioredis client for the configured server; `overrides` adjust ioredis options. */
export function createRedis(config: RedisConnection, overrides: RedisOptions = {}): Redis {
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
