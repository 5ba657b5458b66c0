/** The full `god` command line: every command, the server-side ones and the roles included. */
import type { Command } from 'commander';
import { registerLocal } from './commands/local.js';
import type { CliContext } from './context.js';
import type { ExitCode } from './output.js';
import { buildCommandTree, runProgram } from './program.js';

export type { CliContext, Clock } from './context.js';

/** Runs `god <args>` and resolves to its exit status. */
export function runCli(args: readonly string[], given: CliContext): Promise<ExitCode> {
  return runProgram(args, given, registerLocal);
}

/** The whole command tree; `setCode` receives the exit status of the action that ran. */
export function buildProgram(ctx: CliContext, setCode: (code: ExitCode) => void): Command {
  return buildCommandTree(ctx, setCode, registerLocal);
}
