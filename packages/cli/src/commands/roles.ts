/**
 * `god scheduler`, `god agent`, `god watcher`, `god archiver`, `god web` and `god up`: run god's
 * long-lived roles until a shutdown signal. `god up` runs the scheduler, an agent, a watcher, an
 * archiver and the web API in one process on the configured (embedded) store.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { redisAccess, type Config } from '@god/core';
import { startAgentProcess } from '@god/agent';
import { startArchiverProcess } from '@god/archiver';
import { startSchedulerProcess } from '@god/scheduler';
import { startWatcherProcess } from '@god/watcher';
import { startWebProcess } from '@god/web';
import type { ExitCode, Output } from '../output.js';

/** A pino-compatible logger with child loggers per component. */
export interface RoleLogger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  child(bindings: object): RoleLogger;
}

/** What a role needs from its process. */
export interface RoleContext {
  io: Output;
  logger(config: Config): RoleLogger;
  /** Resolves with the signal's name when the process is asked to stop. */
  untilSignal(): Promise<string>;
  /** Calls `handler` each time the process is asked to reload its configuration (SIGHUP). */
  onReload(handler: () => void): void;
}

/** Which roles to run in this process. */
export interface RoleSet {
  scheduler: boolean;
  agent: boolean;
  watcher: boolean;
  archiver: boolean;
  web: boolean;
  /** For `agent`: serve only this host of the executor's hosts. */
  host?: string;
}

/** Runs the roles until a signal, then stops them in reverse order. */
export async function runRoles(
  config: Config,
  roles: RoleSet,
  ctx: RoleContext,
  /** Resolves the configuration again (null when it is now invalid: problems were printed). */
  reread: () => Config | null = () => null,
): Promise<ExitCode> {
  const log = ctx.logger(config);
  warnIfRedisOpen(config, log);
  const stops: Array<() => Promise<void>> = [];
  try {
    if (roles.agent) {
      const agent = await startAgentProcess(config, log.child({ role: 'agent' }), roles.host);
      stops.push(() => agent.stop());
      log.info(
        { hosts: agent.agent.hosts().map((h) => h.name), executor: config.executor },
        'agent started',
      );
    }
    if (roles.scheduler) {
      const s = await startSchedulerProcess(config, log.child({ role: 'scheduler' }));
      stops.push(() => s.stop());
      ctx.onReload(() => {
        const next = reread();
        if (next === null) return log.warn({}, 'configuration not reloaded: it is invalid');
        try {
          s.scheduler.reload(next);
          log.info({ policy: next.scheduler.policy }, 'configuration reloaded');
        } catch (err) {
          log.warn({ err }, 'configuration not reloaded');
        }
      });
      log.info({ policy: config.scheduler.policy }, 'scheduler started');
    }
    if (roles.watcher) {
      const w = await startWatcherProcess(config, log.child({ role: 'watcher' }));
      stops.push(() => w.stop());
      log.info({ plugins: config.watcher.plugins }, 'watcher started');
    }
    if (roles.archiver) {
      const a = await startArchiverProcess(config, log.child({ role: 'archiver' }));
      stops.push(() => a.stop());
      log.info({ clean_old: config.clean_old }, 'archiver started');
    }
    if (roles.web) {
      const w = await startWebProcess(config, log.child({ role: 'web' }));
      stops.push(() => w.stop());
      log.info({ url: w.url, auth: config.auth.plugin }, 'web started');
    }
    const signal = await ctx.untilSignal();
    log.info({ signal }, 'stopping');
    return 0;
  } finally {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
  }
}

/**
 * A Redis on this host without a password is reachable by every local account, and whoever
 * writes to it controls god: said once at start (a remote one without a password is refused
 * by the configuration itself).
 */
function warnIfRedisOpen(config: Config, log: RoleLogger): void {
  const r = config.redis;
  if (redisAccess(r) !== 'local' || (r.path !== '' && privateSocket(r.path))) return;
  log.warn(
    { redis: r.path !== '' ? r.path : `${r.host}:${r.port}` },
    'Redis has no password: any local account that can connect to it can take over god; set redis.password_file or redis.password',
  );
}

/** True when only its owner can connect to the unix socket at `path` (socket or directory 0700). */
function privateSocket(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) === 0 || (statSync(dirname(path)).mode & 0o077) === 0;
  } catch {
    return false;
  }
}
