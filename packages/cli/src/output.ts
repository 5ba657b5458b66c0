/** Where a command writes: injected so commands are testable without a terminal. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Exit status of a command: 0 ok, 1 failure, 2 bad input or configuration. */
export type ExitCode = 0 | 1 | 2;
