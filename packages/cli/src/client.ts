/**
 * The workstation build of `god` (bundled into one file by scripts/bundle-cli.ts): the commands
 * that talk to a server, `config` and `completion`; the server-side commands are stubs. Nothing
 * here may import a role, the store or Redis: the bundle's build refuses them.
 */
import type { CliContext } from './context.js';
import { registerServerStubs } from './commands/server-stubs.js';
import type { ExitCode } from './output.js';
import { runProgram } from './program.js';

/** Runs `god <args>` as the workstation build and resolves to its exit status. */
export function runClientCli(args: readonly string[], ctx: CliContext): Promise<ExitCode> {
  return runProgram(args, ctx, registerServerStubs);
}
