import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { ValidationError } from './errors.js';
import { isLoopbackHost, redisAccess } from './redis-access.js';

const endpoint = { host: '127.0.0.1', path: '', password: '', password_file: '' };

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.8.9.10', '::1', '[::1]', '0:0:0:0:0:0:0:1'])(
    '%s is this host',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );
  it.each([
    '0.0.0.0',
    '10.0.0.5',
    '192.0.2.2',
    '128.0.0.1',
    '127.0.0.256',
    '::',
    'fd00::2',
    'redis',
    'localhost.example.org',
    '127.0.0.1.nip.io',
  ])('%s may be another host', (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe('redisAccess', () => {
  it('is authenticated with a password or a password file, wherever the server is', () => {
    expect(redisAccess({ ...endpoint, host: '10.0.0.5', password: 'x' })).toBe('authenticated');
    expect(redisAccess({ ...endpoint, host: '10.0.0.5', password_file: '/etc/god/p' })).toBe(
      'authenticated',
    );
  });

  it('is local without a password on loopback or a unix socket, exposed elsewhere', () => {
    expect(redisAccess(endpoint)).toBe('local');
    expect(redisAccess({ ...endpoint, host: '10.0.0.5', path: '/run/god/redis.sock' })).toBe(
      'local',
    );
    expect(redisAccess({ ...endpoint, host: '10.0.0.5' })).toBe('exposed');
    expect(redisAccess({ ...endpoint, host: 'redis' })).toBe('exposed');
  });
});

describe('the redis config section', () => {
  const problems = (sets: string[]): string[] => {
    try {
      resolveConfig({ sets });
      return [];
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    }
  };

  it('refuses a Redis on another host without a password, naming redis.host', () => {
    const found = problems(['redis.host=10.0.0.5']);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^redis\.host: Redis on another host without a password/);
    expect(found[0]).toMatch(/allow_unauthenticated/);
  });

  it('accepts it with a password, a password file, or when told to', () => {
    expect(problems(['redis.host=10.0.0.5', 'redis.password=s3cret'])).toEqual([]);
    expect(problems(['redis.host=10.0.0.5', 'redis.password_file=/etc/god/p'])).toEqual([]);
    expect(problems(['redis.host=10.0.0.5', 'redis.allow_unauthenticated=true'])).toEqual([]);
  });

  it('reads the new connection keys from the environment as strings', () => {
    const c = resolveConfig({
      env: {
        GODOCKER_REDIS_USERNAME: '1234',
        GODOCKER_REDIS_PASSWORD_FILE: '/etc/god/redis-password',
        GODOCKER_REDIS_SOCKET: '/run/god/redis.sock',
        GODOCKER_TOKEN_SECRET_FILE: '/etc/god/token-secret',
      },
    });
    expect(c.redis).toMatchObject({
      username: '1234',
      password_file: '/etc/god/redis-password',
      path: '/run/god/redis.sock',
      tls: false,
      allow_unauthenticated: false,
    });
    expect(c.auth.token_secret_file).toBe('/etc/god/token-secret');
    expect(resolveConfig().auth.token_secret_file).toBe('.god/token-secret');
  });
});
