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

/** A logger that drops everything: the default when the caller gives none. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
