/**
 * The server-side commands of the full install, which read god's configuration and open its
 * store or Redis directly: demo, maintenance, bootstrap-admin and the long-running roles
 * (`config check|show` need only the configuration: config.ts, in both builds). Their modules
 * (scheduler, agent, web, …) load only when one of them runs, so that user commands and --help
 * start in a fraction of the time.
 */
import type { Command } from 'commander';
import type { Config } from '@god/core';
import { intOption } from '../format.js';
import type { Kit } from '../kit.js';
import type { ExitCode } from '../output.js';
import { configContext, resolveOrReport } from './config.js';
import type { DemoUser } from './demo.js';
import type { RoleSet } from './roles.js';
import { SERVER_COMMANDS, type ServerCommand } from './server-commands.js';

/** An action that needs the configuration; it exits 2 (problems printed) when that is invalid. */
type WithConfig = <A extends unknown[]>(
  fn: (config: Config, ...args: A) => Promise<ExitCode>,
) => (...args: A) => Promise<void>;

interface BootstrapFlags {
  uid?: string;
  gid?: string;
  allowRootUid?: boolean;
  passwordStdin?: boolean;
}

/** Registers the server-side commands. */
export function registerLocal(program: Command, kit: Kit): void {
  const resolved = (): Config | null => {
    const r = resolveOrReport(configContext(kit), kit.globals().config, kit.globals().set);
    return typeof r === 'number' ? null : r.config;
  };
  const withConfig: WithConfig = (fn) =>
    kit.action(async (...args) => {
      const c = resolved();
      return c === null ? 2 : fn(c, ...args);
    });
  const { ctx } = kit;
  program
    .command('demo')
    .description(SERVER_COMMANDS.demo)
    .action(
      withConfig(async (c) => {
        const { demo } = await import('./demo.js');
        // Roles log at warn and above: the demo's own lines are what a user reads.
        return demo(
          c,
          demoUser(ctx.user),
          ctx.io,
          ctx.roles.logger({ ...c, log: { level: 'warn' } }),
        );
      }),
    );
  program
    .command('maintenance <on|off|status>')
    .description(SERVER_COMMANDS.maintenance)
    .action(
      withConfig(async (c, action: string) =>
        (await import('./maintenance.js')).maintenance(c, action, ctx.io),
      ),
    );
  registerBootstrap(program, kit, withConfig);
  registerRoles(program, kit, withConfig, resolved);
}

function registerBootstrap(program: Command, kit: Kit, withConfig: WithConfig): void {
  const { ctx } = kit;
  program
    .command('bootstrap-admin <login>')
    .description(SERVER_COMMANDS['bootstrap-admin'])
    .option('--uid <uid>', 'their uid (default: an existing account’s, else this process’s)')
    .option('--gid <gid>', 'their gid (default: an existing account’s, else this process’s)')
    .option('--allow-root-uid', 'accept uid 0 (their jobs would run as root)')
    .option('--password-stdin', 'also set a password (local auth plugin), read from standard input')
    .action(
      withConfig(async (c, login: string, opts: BootstrapFlags) => {
        const password = opts.passwordStdin === true ? await kit.passwordFromStdin() : undefined;
        const flags = {
          ...(opts.uid !== undefined && { uid: intOption('--uid', opts.uid) }),
          ...(opts.gid !== undefined && { gid: intOption('--gid', opts.gid) }),
          ...(opts.allowRootUid === true && { allowRootUid: true }),
          ...(password !== undefined && { password }),
        };
        const local = { uid: ctx.user.uid, gid: ctx.user.gid, hostname: ctx.hostname };
        const { bootstrapAdmin } = await import('./bootstrap-admin.js');
        return bootstrapAdmin(c, login, flags, local, ctx.io, ctx.clock.now());
      }),
    );
}

const ROLES: ReadonlyArray<[ServerCommand, Partial<RoleSet>]> = [
  ['scheduler', { scheduler: true }],
  ['agent', { agent: true }],
  ['watcher', { watcher: true }],
  ['archiver', { archiver: true }],
  ['web', { web: true }],
  ['up', { scheduler: true, agent: true, watcher: true, archiver: true, web: true }],
];

function registerRoles(
  program: Command,
  kit: Kit,
  withConfig: WithConfig,
  reread: () => Config | null,
): void {
  const none: RoleSet = {
    scheduler: false,
    agent: false,
    watcher: false,
    archiver: false,
    web: false,
  };
  const roleCtx = { ...kit.ctx.roles, io: kit.ctx.io };
  for (const [name, roles] of ROLES)
    program
      .command(name)
      .description(SERVER_COMMANDS[name])
      .option('--host <name>', 'agent: serve only this host of the executor')
      .action(
        withConfig(async (c, opts: { host?: string }) => {
          const set = { ...none, ...roles, ...(opts.host !== undefined && { host: opts.host }) };
          const { runRoles } = await import('./roles.js');
          return runRoles(c, set, roleCtx, reread);
        }),
      );
}

/**
 * The demo job's owner: the local account, unless that is root (as on a fresh CI machine), which
 * god does not run ordinary jobs as: then an unprivileged demo account.
 */
function demoUser(local: DemoUser): DemoUser {
  return local.uid === 0 ? { id: 'god-demo', uid: 1000, gid: 1000 } : local;
}
