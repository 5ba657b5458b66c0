/** What every command's registration gets: the context, its exit code, a client, JSON output. */
import type { CliContext } from './context.js';
import { CliError, reportError, usage } from './errors.js';
import type { ExitCode } from './output.js';
import { connect, type Remote } from './remote.js';

/** The tools commands are written with. */
export interface Kit {
  readonly ctx: CliContext;
  /** Wraps an action: runs it, prints its errors as one line each, and keeps its exit code. */
  action<A extends unknown[]>(
    fn: (...args: A) => Promise<ExitCode> | ExitCode,
  ): (...args: A) => Promise<void>;
  /**
   * A client of the configured server with the configured credential; without one, a CliError
   * saying to log in (unless `anonymous`: for the public routes).
   */
  remote(opts?: { anonymous?: boolean }): Promise<Remote>;
  /** Prints an API answer as JSON, as it came. */
  json(value: unknown): void;
  /** The program's global options. */
  globals(): { config?: string; set: string[] };
  /** A password given on standard input (`--password-stdin`): one trailing newline dropped. */
  passwordFromStdin(): Promise<string>;
}

/** Makes the kit; `setCode` receives each action's exit code. */
export function createKit(
  ctx: CliContext,
  setCode: (code: ExitCode) => void,
  globals: () => { config?: string; set: string[] },
): Kit {
  return {
    ctx,
    action:
      (fn) =>
      async (...args) => {
        try {
          setCode(await fn(...args));
        } catch (err) {
          setCode(reportError(err, ctx.io));
        }
      },
    remote: async (opts = {}) => {
      const r = await connect(ctx);
      if (!r.authenticated && opts.anonymous !== true)
        throw new CliError(`not logged in to ${r.server}: run \`god login\` (or set GOD_API_KEY)`);
      return r;
    },
    json: (value) => ctx.io.out(JSON.stringify(value, null, 2)),
    globals,
    passwordFromStdin: async () => {
      const password = (await ctx.readStdin()).toString('utf8').replace(/\r?\n$/, '');
      if (password === '') throw usage('the password on standard input is empty');
      return password;
    },
  };
}

/** Collects a repeatable option into a list. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Collects a repeatable option whose values may also be comma lists. */
export const collectList = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== ''),
];
