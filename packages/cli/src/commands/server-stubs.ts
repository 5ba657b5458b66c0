/**
 * The server-side commands as the workstation build of `god` has them: listed, so that `god
 * --help` is the same everywhere, but each only says where it runs. Their modules (store,
 * Redis, Docker, native add-ons) are not in that build.
 */
import type { Command } from 'commander';
import { usage } from '../errors.js';
import type { Kit } from '../kit.js';
import { SERVER_COMMANDS, type ServerCommand } from './server-commands.js';

/** The help heading of the stubs. */
export const STUB_GROUP = 'Server side, in the full install only (on a server):';

/** What a server-side command says in the workstation build. */
export function needsFullInstall(name: ServerCommand): string {
  return (
    `\`god ${name}\` runs on a server, from the full install (bash scripts/install.sh in a ` +
    `checkout of god); this god is the workstation build, with only the commands that talk ` +
    `to a server`
  );
}

/** Registers every server-side command as a stub that exits 2 with `needsFullInstall`. */
export function registerServerStubs(program: Command, kit: Kit): void {
  program.commandsGroup(STUB_GROUP);
  for (const name of Object.keys(SERVER_COMMANDS) as ServerCommand[])
    program
      .command(name)
      .description(SERVER_COMMANDS[name])
      // Whatever follows (flags, --help) gets the same answer.
      .allowExcessArguments()
      .allowUnknownOption()
      .helpOption(false)
      .action(
        kit.action(() => {
          throw usage(needsFullInstall(name));
        }),
      );
}
