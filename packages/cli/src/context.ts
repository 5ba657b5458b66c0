/** What the CLI needs from its process: read by entry.ts for both builds, made of buffers in tests. */
import type { DemoUser } from './commands/demo.js';
import type { RoleContext } from './commands/roles.js';
import type { Output, RawOutput } from './output.js';

/** Time, injected so waits are testable. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The process as the commands see it. */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  io: Output;
  /** Standard output for bytes as they are (logs, downloads). */
  stdout: RawOutput;
  /** Standard error as a stream: only for the progress bar, and only when it is a terminal. */
  stderr: NodeJS.WritableStream;
  /** Which standard streams are terminals. */
  isTTY: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** Reads all of standard input. */
  readStdin(): Promise<Buffer>;
  /** Asks for a secret on the terminal without echoing it (only when stdin is a terminal). */
  promptSecret(prompt: string): Promise<string>;
  /** The user's home directory: credentials go under $XDG_CONFIG_HOME, else ~/.config. */
  home: string;
  /** This machine's name, in the names of the API keys `god login` makes. */
  hostname: string;
  /** The local account (the demo's job owner, `bootstrap-admin`'s default uid/gid). */
  user: DemoUser;
  clock: Clock;
  /** For long-running roles: logging and shutdown signals (none in the workstation build). */
  roles: Omit<RoleContext, 'io'>;
}
