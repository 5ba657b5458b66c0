/**
 * The logging surface coord needs: a subset of pino's API (`logger.info({ jobId }, 'message')`),
 * so a pino child logger can be passed in without coord depending on pino.
 */

/** One log method: data in fields, a constant message. */
export type LogFn = (fields: object, msg: string) => void;

/** A pino-compatible logger (only the levels coord uses). */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => undefined;

/** A logger with pino's `child`, as the process roles take. */
export interface ChildLogger extends Logger {
  child(bindings: object): ChildLogger;
}

/** A logger that drops everything: the default when the caller gives none (children too). */
export const silentLogger: ChildLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
