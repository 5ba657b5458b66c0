/** The `god` command line: builds the commander program and runs one invocation. */
import { Command, CommanderError } from 'commander';
import { configCheck, configShow, resolveOrReport, type ConfigContext } from './commands/config.js';
import { demo, type DemoUser } from './commands/demo.js';
import { maintenance } from './commands/maintenance.js';
import { runRoles, type RoleContext } from './commands/roles.js';
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
    .description('bring up the configured store and walk a sample job through the state machine')
    .action(async () => {
      const r = resolveOrReport(cfgCtx, globals().config, globals().set);
      code = typeof r === 'number' ? r : await demo(r.config, ctx.user, ctx.io);
    });

  const role = (name: string, description: string, roles: { scheduler: boolean; agent: boolean }) =>
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
  role('scheduler', 'run a scheduler (leader when it holds the lease, standby otherwise)', {
    scheduler: true,
    agent: false,
  });
  role('agent', 'run a host agent for the configured executor', { scheduler: false, agent: true });
  role('up', 'run every role in one process on the configured store', {
    scheduler: true,
    agent: true,
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
