/**
 * `npm run services -- start [redis] [ferretdb] [dockerd]`: starts real services for local
 * development (all three when none is named; Redis with an ACL user and password, over a unix
 * socket), prints `export …` lines for a shell on stdout
 * (everything else goes to stderr), and stops them on Ctrl-C or SIGTERM.
 */
import type { RunningService } from './common.js';
import { startDockerd } from './dockerd.js';
import { startFerretDB } from './ferretdb.js';
import { startRedis, type RedisService } from './redis.js';

/** The services this command knows, by name, in start order. */
const SERVICES: Record<string, () => Promise<RunningService>> = {
  redis: () => startRedis({ secure: true }),
  ferretdb: startFerretDB,
  dockerd: startDockerd,
};

const USAGE = `usage: npm run services -- start [${Object.keys(SERVICES).join('] [')}]`;

/** The environment a god process (or the docker CLI) needs to use `service`. */
function exportsFor(service: RunningService): Record<string, string> {
  switch (service.name) {
    case 'redis': {
      const redis = service as RedisService;
      return {
        GODOCKER_REDIS_SOCKET: redis.socket,
        GODOCKER_REDIS_USERNAME: redis.username,
        GODOCKER_REDIS_PASSWORD_FILE: redis.passwordFile,
      };
    }
    case 'ferretdb':
      return { GODOCKER_MONGO_URL: service.url };
    case 'dockerd':
      return { DOCKER_HOST: service.url };
    default:
      return {};
  }
}

/** Starts the named services in parallel; if one fails, stops the others and throws. */
async function startAll(names: readonly string[]): Promise<RunningService[]> {
  const results = await Promise.allSettled(names.map((n) => SERVICES[n]!()));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw failed.reason;
  }
  return started;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** Entry point; returns the process exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const names = rest.length > 0 ? rest : Object.keys(SERVICES);
  const unknown = names.filter((n) => !(n in SERVICES));
  if (command !== 'start' || unknown.length > 0) {
    console.error(unknown.length > 0 ? `unknown service: ${unknown.join(', ')}\n${USAGE}` : USAGE);
    return 2;
  }
  // Registered first, so that a Ctrl-C during start-up is not lost.
  const signal = untilSignal();
  const t0 = Date.now();
  const services = await startAll(names);
  console.error(`started ${names.join(', ')} in ${Date.now() - t0} ms; Ctrl-C stops them`);
  for (const s of services) {
    console.error(`# ${s.name}: ${s.url} (files in ${s.dir})`);
    for (const [k, v] of Object.entries(exportsFor(s))) console.log(`export ${k}=${v}`);
  }
  console.error(`stopping after ${await signal}…`);
  const stops = await Promise.allSettled(services.map((s) => s.stop()));
  const failures = stops.filter((r) => r.status === 'rejected');
  for (const f of failures) console.error(`stop failed: ${String(f.reason)}`);
  return failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
