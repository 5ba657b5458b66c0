/**
 * The command tree both builds of `god` share: every command that talks to a server, `config`
 * and `completion`. What fills the server-side group is given: the full install's commands
 * (cli.ts) or, in the workstation build, stubs that say those need the full install (client.ts).
 */
import { Command, CommanderError, Help } from 'commander';
import { registerActions } from './commands/actions.js';
import { completionScript } from './commands/completion.js';
import { registerConfig } from './commands/config.js';
import { registerFiles } from './commands/files.js';
import { registerUsage } from './commands/info.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerProjects } from './commands/projects.js';
import { registerRead } from './commands/read.js';
import { registerSubmit } from './commands/submit.js';
import { registerUsers } from './commands/users.js';
import type { CliContext } from './context.js';
import { usage } from './errors.js';
import { collect, createKit, type Kit } from './kit.js';
import type { ExitCode } from './output.js';
import { visibleOutput } from './visible.js';

/** Registers the server-side commands (after `config`, under the server-side heading). */
export type ServerSide = (program: Command, kit: Kit) => void;

const FOOTER = `
Environment:
  GOD_SERVER       the server to talk to, instead of the stored login's
  GOD_API_KEY      the API key to use, instead of the stored one
  XDG_CONFIG_HOME  god login keeps its key in $XDG_CONFIG_HOME/god/credentials.json
                   (default ~/.config/god/credentials.json, mode 0600)
  GODOCKER_CONFIG  server side: the config file; GODOCKER_* variables override its keys

Exit status:
  0 success; 1 failure (the server refused or could not be reached); 2 bad usage or input.
  submit --wait and logs --follow: 0 when the job succeeded, its exit code when it ran and
  failed, 1 when it ended without one (killed, lost, over quota, rejected; the reason is on
  stderr). An array succeeds only when every task did.`;

const plainHelp = new Help();

/** Runs `god <args>` with the given server side and resolves to its exit status. */
export async function runProgram(
  args: readonly string[],
  given: CliContext,
  serverSide: ServerSide,
): Promise<ExitCode> {
  let code: ExitCode = 0;
  // Every line printed, from any command or error, shows control characters as escapes.
  const ctx: CliContext = { ...given, io: visibleOutput(given.io) };
  const program = buildCommandTree(ctx, (c) => (code = c), serverSide);
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return code;
}

/** The whole command tree; `setCode` receives the exit status of the action that ran. */
export function buildCommandTree(
  ctx: CliContext,
  setCode: (code: ExitCode) => void,
  serverSide: ServerSide,
): Command {
  const program = new Command('god')
    .description('god: a multi-user batch job scheduler for Docker')
    .option(
      '-c, --config <file>',
      'server side: config file (default: $GODOCKER_CONFIG, ./god.yaml, ./config/god.yaml, /etc/god/god.yaml)',
    )
    .option('--set <path=value>', 'server side: override one config key (repeatable)', collect, [])
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s.trimEnd()),
      writeErr: (s) => ctx.io.err(s.trimEnd()),
    })
    .configureHelp({
      // Repeatable flags start from an empty list: "(default: [])" would only be noise.
      optionDescription: (o) =>
        Array.isArray(o.defaultValue) && o.defaultValue.length === 0
          ? o.description
          : plainHelp.optionDescription(o),
    })
    .addHelpText('after', FOOTER);
  const kit = createKit(ctx, setCode, () => program.opts());

  program.commandsGroup('Jobs:');
  registerSubmit(program, kit);
  registerRead(program, kit);
  registerFiles(program, kit);
  registerActions(program, kit);
  program.commandsGroup('Account:');
  registerLogin(program, kit);
  registerUsage(program, kit);
  registerKeys(program, kit);
  program.commandsGroup('Administration:');
  registerUsers(program, kit);
  registerProjects(program, kit);
  program.commandsGroup('Server side (with the server configuration, no web process needed):');
  registerConfig(program, kit);
  serverSide(program, kit);
  program.commandsGroup('Shell:');
  registerCompletion(program, kit);
  return program;
}

function registerCompletion(program: Command, kit: Kit): void {
  program
    .command('completion <shell>')
    .description('print a completion script for bash, zsh or fish')
    .addHelpText(
      'after',
      '\nbash: source <(god completion bash)\nzsh:  source <(god completion zsh)\nfish: god completion fish | source',
    )
    .action(
      kit.action((shell: string) => {
        const script = completionScript(shell, program);
        if (script === null) throw usage(`completion for bash, zsh or fish, not "${shell}"`);
        kit.ctx.io.out(script.trimEnd());
        return 0;
      }),
    );
}
