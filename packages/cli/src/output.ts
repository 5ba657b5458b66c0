/** Where a command writes: injected so commands are testable without a terminal. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Raw bytes to standard output (logs, downloads); resolves once the chunk may be followed. */
export interface RawOutput {
  write(chunk: string | Uint8Array): Promise<void>;
}

/**
 * Exit status of a command: 0 ok, 1 failure (the server refused, could not be reached, or the
 * job did not succeed), 2 bad input or configuration. `submit --wait` and `logs --follow` exit
 * with the job's own exit code (1-255) when it ran and failed.
 */
export type ExitCode = number;
