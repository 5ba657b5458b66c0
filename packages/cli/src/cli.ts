/** The `god` command line: builds the commander program and runs one invocation. */
import { Command, CommanderError } from 'commander';
import { configCheck, configShow, resolveOrReport, type ConfigContext } from './commands/config.js';
import { demo, type DemoUser } from './commands/demo.js';
import { maintenance } from './commands/maintenance.js';
import { runRoles, type RoleContext, type RoleSet } from './commands/roles.js';
import type { Config } from '@god/core';
import type { ExitCode, Output } from './output.js';

/** What the CLI needs from its process (given by main.ts, faked by nothing in tests but streams). */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  io: Output;
  user: DemoUser;
  /** For long-running roles: logging and shutdown signals. */
  roles: Omit<RoleContext, 'io'>;
}

/** Runs `god <args>` and resolves to its exit status. */
export async function runCli(args: readonly string[], ctx: CliContext): Promise<ExitCode> {
  let code: ExitCode = 0;
  const cfgCtx: ConfigContext = { env: ctx.env, cwd: ctx.cwd, io: ctx.io };
  const collect = (value: string, previous: string[]): string[] => [...previous, value];

  const program = new Command('god')
    .description('god: a multi-user batch job scheduler for Docker')
    .option(
      '-c, --config <file>',
      'config file (default: $GODOCKER_CONFIG, ./god.yaml, ./config/god.yaml, /etc/god/god.yaml)',
    )
    .option('--set <path=value>', 'override one config key (repeatable)', collect, [])
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s.trimEnd()),
      writeErr: (s) => ctx.io.err(s.trimEnd()),
    });
  const globals = (): { config?: string; set: string[] } => program.opts();

  const config = program.command('config').description('check or show the configuration');
  config
    .command('check [file]')
    .description('validate a config file; list every problem with its path (exit 2 when invalid)')
    .action((file: string | undefined) => {
      code = configCheck(cfgCtx, file ?? globals().config, globals().set);
    });
  config
    .command('show')
    .description(
      'print the resolved configuration (defaults, file, GODOCKER_* environment, --set), secrets masked',
    )
    .action(() => {
      code = configShow(cfgCtx, globals().config, globals().set);
    });

  program
    .command('demo')
    .description(
      'bring every role up in this process, run a sample script as a real job and show its output',
    )
    .action(async () => {
      const r = resolveOrReport(cfgCtx, globals().config, globals().set);
      // Roles log at warn and above: the demo's own lines are what a user reads.
      const logger = (c: Config) => ctx.roles.logger({ ...c, log: { level: 'warn' } });
      code =
        typeof r === 'number'
          ? r
          : await demo(r.config, demoUser(ctx.user), ctx.io, logger(r.config));
    });

  const role = (name: string, description: string, roles: Omit<RoleSet, 'host'>) =>
    program
      .command(name)
      .description(description)
      .option('--host <name>', 'agent: serve only this host of the executor')
      .action(async (opts: { host?: string }) => {
        const r = resolveOrReport(cfgCtx, globals().config, globals().set);
        code =
          typeof r === 'number'
            ? r
            : await runRoles(
                r.config,
                { ...roles, ...(opts.host !== undefined && { host: opts.host }) },
                { ...ctx.roles, io: ctx.io },
                () => {
                  const again = resolveOrReport(cfgCtx, globals().config, globals().set);
                  return typeof again === 'number' ? null : again.config;
                },
              );
      });
  const none = { scheduler: false, agent: false, watcher: false, archiver: false };
  role('scheduler', 'run a scheduler (leader when it holds the lease, standby otherwise)', {
    ...none,
    scheduler: true,
  });
  role('agent', 'run a host agent for the configured executor', { ...none, agent: true });
  role(
    'watcher',
    'run a watcher (kill/suspend/resume/reschedule requests, max lifespan, lost hosts)',
    {
      ...none,
      watcher: true,
    },
  );
  role('archiver', 'run an archiver (archives finished jobs after clean_old days, on request)', {
    ...none,
    archiver: true,
  });
  role('up', 'run every role in one process on the configured store', {
    scheduler: true,
    agent: true,
    watcher: true,
    archiver: true,
  });

  program
    .command('maintenance <on|off|status>')
    .description('pause or resume scheduling cluster-wide (jobs are still accepted)')
    .action(async (action: string) => {
      const r = resolveOrReport(cfgCtx, globals().config, globals().set);
      code = typeof r === 'number' ? r : await maintenance(r.config, action, ctx.io);
    });

  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return code;
}

/**
 * The demo job's owner: the local account, unless that is root (as on a fresh CI machine), which
 * god does not run ordinary jobs as: then an unprivileged demo account.
 */
function demoUser(local: DemoUser): DemoUser {
  return local.uid === 0 ? { id: 'god-demo', uid: 1000, gid: 1000 } : local;
}
