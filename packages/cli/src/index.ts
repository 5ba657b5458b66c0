export { runCli, type CliContext } from './cli.js';
export type { ExitCode, Output } from './output.js';
