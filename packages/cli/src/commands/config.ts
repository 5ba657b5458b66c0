/**
 * `god config check [file]` and `god config show`: validate and print the resolved config
 * (`god config server` shows the server's, from info.ts).
 */
import type { Command } from 'commander';
import { ValidationError, redisAccess, type Config } from '@god/core';
import { ConfigFileError, findConfigFile, loadConfig } from '../config-file.js';
import type { Kit } from '../kit.js';
import type { ExitCode, Output } from '../output.js';
import { registerConfigServer } from './info.js';

/** What config commands need from the process. */
export interface ConfigContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  io: Output;
}

/** The part of the CLI context config commands read. */
export function configContext(kit: Kit): ConfigContext {
  return { env: kit.ctx.env, cwd: kit.ctx.cwd, io: kit.ctx.io };
}

/** Registers `god config check|show|server`. */
export function registerConfig(program: Command, kit: Kit): void {
  const config = program
    .command('config')
    .description('check or show the configuration (server side), or the server’s');
  config
    .command('check [file]')
    .description('validate a config file; list every problem with its path (exit 2 when invalid)')
    .action(
      kit.action((file: string | undefined) =>
        configCheck(configContext(kit), file ?? kit.globals().config, kit.globals().set),
      ),
    );
  config
    .command('show')
    .description(
      'print the resolved configuration (defaults, file, GODOCKER_* environment, --set), secrets masked',
    )
    .action(
      kit.action(() => configShow(configContext(kit), kit.globals().config, kit.globals().set)),
    );
  registerConfigServer(config, kit);
}

/** Resolves the config; on failure prints every problem and returns exit status 2. */
export function resolveOrReport(
  ctx: ConfigContext,
  file: string | undefined,
  sets: readonly string[],
): { config: Config; file: string | undefined } | ExitCode {
  const path = findConfigFile(file, ctx.env, ctx.cwd);
  try {
    return { config: loadConfig({ file: path, env: ctx.env, sets }), file: path };
  } catch (err) {
    if (err instanceof ConfigFileError) {
      ctx.io.err(`god: ${err.message}`);
      return 2;
    }
    if (!(err instanceof ValidationError)) throw err;
    ctx.io.err(
      `god: invalid configuration${path ? ` in ${path}` : ''} (${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}):`,
    );
    for (const issue of err.issues) ctx.io.err(`  ${issue.path || '-'}: ${issue.message}`);
    return 2;
  }
}

/** `god config check`: exit 0 and a one-line summary, or exit 2 with every problem. */
export function configCheck(
  ctx: ConfigContext,
  file: string | undefined,
  sets: readonly string[],
): ExitCode {
  const r = resolveOrReport(ctx, file, sets);
  if (typeof r === 'number') return r;
  ctx.io.out(`config ok: ${r.file ?? '(defaults only, no file found)'}`);
  const redis = r.config.redis;
  const where = redis.path !== '' ? redis.path : `${redis.host}:${redis.port}`;
  const open = redisAccess(redis) === 'authenticated' ? '' : ' (no password)';
  ctx.io.out(
    `  store: ${r.config.store.driver}, redis: ${where}${open} prefix ${redis.prefix}, executor: ${r.config.executor}, policy: ${r.config.scheduler.policy}`,
  );
  return 0;
}

/** `god config show`: the resolved config as JSON, secrets masked. */
export function configShow(
  ctx: ConfigContext,
  file: string | undefined,
  sets: readonly string[],
): ExitCode {
  const r = resolveOrReport(ctx, file, sets);
  if (typeof r === 'number') return r;
  const shown = {
    ...r.config,
    auth: { ...r.config.auth, token_secret: mask(r.config.auth.token_secret) },
    plugins: maskSecrets(r.config.plugins),
    redis: { ...r.config.redis, password: mask(r.config.redis.password) },
    store: {
      ...r.config.store,
      mongodb: { ...r.config.store.mongodb, url: maskUrl(r.config.store.mongodb.url) },
    },
  };
  ctx.io.out(JSON.stringify(shown, null, 2));
  return 0;
}

const mask = (secret: string): string => (secret === '' ? '' : '********');

/** Plugin settings with every value under a password, secret or token key masked, at any depth. */
function maskSecrets(value: unknown, key = ''): unknown {
  if (/password|secret|token|credential/i.test(key) && value !== null && value !== '')
    return typeof value === 'string' ? mask(value) : '********';
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  return value;
}

/** Hides the password of a `scheme://user:password@host` URL. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:/@]+:)[^@]*@/i, '$1********@');
}
