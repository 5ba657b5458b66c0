export { buildProgram, runCli, type CliContext, type Clock } from './cli.js';
export type { ExitCode, Output, RawOutput } from './output.js';
