/**
 * The server-side commands by name, with their one-line description: the full install runs them
 * (local.ts); the workstation build, which has none of their modules, lists them and says so
 * (server-stubs.ts). One table, so the two builds cannot disagree on what exists.
 */
export const SERVER_COMMANDS = {
  demo: 'bring every role up in this process, run a sample script as a real job and show its output',
  maintenance: 'pause or resume scheduling cluster-wide (jobs are still accepted)',
  'bootstrap-admin':
    'create (or promote) an administrator in the configured store and print a new API key for it, once; ' +
    'run on the server, no web process needed: how a fresh install gets its first administrator',
  scheduler: 'run a scheduler (leader when it holds the lease, standby otherwise)',
  agent: 'run a host agent for the configured executor',
  watcher: 'run a watcher (kill/suspend/resume/reschedule requests, max lifespan, lost hosts)',
  archiver: 'run an archiver (archives finished jobs after clean_old days, on request)',
  web: 'run the web API (/api/v1, GO-Docker /api/1.0, metrics) on web.host:web.port',
  up: 'run every role (scheduler, agent, watcher, archiver, web) in one process',
} as const;

/** The name of a server-side command. */
export type ServerCommand = keyof typeof SERVER_COMMANDS;
