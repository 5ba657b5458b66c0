import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { resolveConfig } from './config.js';

/** The issues (path: message) of a config resolution that must fail. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('INVALID_CONFIG');
    return (err as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected an invalid configuration');
}

describe('config', () => {
  it('resolves defaults with nothing given, and freezes the result', () => {
    const cfg = resolveConfig();
    expect(cfg.store.driver).toBe('sqlite');
    expect(cfg.redis).toMatchObject({ host: '127.0.0.1', port: 6379, prefix: 'god' });
    expect(cfg.scheduler.lease).toEqual({
      ttl_ms: 15000,
      renew_deadline_ms: 10000,
      retry_ms: 2000,
    });
    expect(Object.isFrozen(cfg.scheduler.lease)).toBe(true);
    expect(() => {
      (cfg.redis as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('layers defaults, then file, then GODOCKER_* environment, then --set flags', () => {
    const cfg = resolveConfig({
      file: {
        name: 'god.yaml',
        text: 'redis:\n  host: redis.lan\n  port: 7000\nscheduler:\n  policy: FairShare\n',
      },
      env: {
        GODOCKER_REDIS_PORT: '7001',
        GODOCKER_MONGO_URL: 'mongodb://db:27017',
        GODOCKER_REDIS_PASSWORD: '0123',
      },
      sets: ['scheduler.policy=FIFO', 'clean_old=7'],
    });
    expect(cfg.redis).toMatchObject({ host: 'redis.lan', port: 7001, password: '0123' });
    expect(cfg.store.mongodb.url).toBe('mongodb://db:27017');
    expect(cfg.scheduler.policy).toBe('FIFO');
    expect(cfg.clean_old).toBe(7);
  });

  it('reports every problem with its path and where the value came from', () => {
    const found = problems(() =>
      resolveConfig({
        file: {
          name: 'god.yaml',
          text: 'store:\n  driver: postgres\nredis:\n  prot: 1\nscheduler:\n  lease:\n    ttl_ms: 1000\n    renew_deadline_ms: 2000\n',
        },
        env: { GODOCKER_REDIS_PORT: 'seventy' },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^store\.driver: /),
        'redis.prot: unknown field',
        expect.stringMatching(/^redis\.port: .*\(from GODOCKER_REDIS_PORT\)$/),
        'scheduler.lease.renew_deadline_ms: must be less than ttl_ms',
        // The default retry (2000) is no longer below the file's renew deadline (2000) either.
        'scheduler.lease.retry_ms: must be less than renew_deadline_ms',
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it('refuses a lease whose retry is not shorter than its renew deadline', () => {
    expect(problems(() => resolveConfig({ sets: ['scheduler.lease.retry_ms=10000'] }))).toEqual([
      'scheduler.lease.retry_ms: must be less than renew_deadline_ms (from --set scheduler.lease.retry_ms)',
    ]);
  });

  it('reports YAML syntax errors with file and line, and a non-mapping top level', () => {
    expect(
      problems(() => resolveConfig({ file: { name: 'g.yaml', text: 'redis: [1,\n' } }))[0],
    ).toMatch(/^: g\.yaml:\d+:\d+: /);
    expect(problems(() => resolveConfig({ file: { name: 'g.yaml', text: '- a\n' } }))).toEqual([
      ': g.yaml: the top level must be a mapping of keys',
    ]);
    expect(problems(() => resolveConfig({ sets: ['novalue'] }))).toEqual([
      ': --set novalue: expected path=value',
    ]);
  });

  it('keeps string settings as strings even when they look like numbers', () => {
    expect(resolveConfig({ env: { GODOCKER_SQLITE_PATH: '2024' } }).store.sqlite.path).toBe('2024');
    // Secrets anywhere, plugin settings included, stay exactly as typed.
    const c = resolveConfig({
      env: { GODOCKER_REDIS_PASSWORD: '123' },
      sets: ['plugins.ldap.bind_password=true', `auth.token_secret=${'1'.repeat(40)}`],
    });
    expect(c.redis.password).toBe('123');
    expect(c.plugins['ldap']?.['bind_password']).toBe('true');
    expect(c.auth.token_secret).toBe('1'.repeat(40));
  });

  it('defaults and checks the auth, web and catalogue sections', () => {
    const c = resolveConfig({});
    expect(c.auth).toMatchObject({
      plugin: 'local',
      token_ttl_s: 3600,
      max_failures: 5,
      share_project_tasks: false,
    });
    expect(c.web.dynamic_fields.map((f) => f.name)).toEqual([
      'name',
      'description',
      'tags',
      'maxlifespan',
    ]);
    expect(c.images).toEqual([]);
    let issues: string[] = [];
    try {
      resolveConfig({
        sets: [
          'auth.token_secret=short',
          'web.dynamic_fields=[{name: owner}]',
          'constraints=[{name: zone, values: []}]',
        ],
      });
    } catch (err) {
      issues = (err as ValidationError).issues.map((i) => i.path);
    }
    expect(issues.sort()).toEqual([
      'auth.token_secret',
      'constraints[0].values',
      'web.dynamic_fields[0].name',
    ]);
  });

  it('defaults the watcher, archiver and failure policy, and checks them', () => {
    const cfg = resolveConfig();
    expect(cfg.failure_policy).toEqual({ retries: 1, on_lost: 'retry' });
    expect(cfg.watcher.plugins).toEqual(['maxlifespan']);
    expect(cfg.archiver.interval_ms).toBe(3_600_000);
    expect(
      problems(() =>
        resolveConfig({ sets: ['failure_policy.retries=-1', 'failure_policy.on_lost=ignore'] }),
      ),
    ).toEqual([
      expect.stringMatching(/^failure_policy\.retries: .*\(from --set failure_policy\.retries\)$/),
      expect.stringMatching(/^failure_policy\.on_lost: /),
    ]);
  });
});
