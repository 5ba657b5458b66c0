/**
 * Who can reach god's Redis. Whoever can write to it controls god (leases, queues, counters),
 * so god treats it as a trust boundary: a server on another host must ask for a password, and
 * one on this host without a password is reachable by every local account (worth a warning).
 * Pure: the config schema and coord's client factory both decide with this.
 */

/** The connection settings that decide how exposed a Redis is. */
export interface RedisEndpoint {
  host: string;
  /** Unix socket path ('' for TCP). */
  path: string;
  password: string;
  password_file: string;
}

/**
 * `authenticated`: god sends a password. `local`: no password, but the server is on this host
 * (loopback or unix socket). `exposed`: no password, and the server is on some network.
 */
export type RedisAccess = 'authenticated' | 'local' | 'exposed';

/** How exposed the Redis of `endpoint` is (see {@link RedisAccess}). */
export function redisAccess(endpoint: RedisEndpoint): RedisAccess {
  if (endpoint.password !== '' || endpoint.password_file !== '') return 'authenticated';
  if (endpoint.path !== '' || isLoopbackHost(endpoint.host)) return 'local';
  return 'exposed';
}

/**
 * True for names that can only mean this host: `localhost`, 127.0.0.0/8 and ::1 (also
 * IPv4-mapped). Any other name may resolve to a network address, so it counts as remote.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === 'localhost.') return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4 !== null) return v4.slice(1).every((o) => Number(o) <= 255) && v4[1] === '127';
  return /^(?:0{0,4}:){2,7}0{0,3}1$/.test(h);
}

/** Why god refuses an exposed Redis, with what to do about it. */
export const EXPOSED_REDIS_MESSAGE =
  'Redis on another host without a password: anyone who reaches it could take over god. ' +
  'Set redis.password (or redis.password_file, redis.username for an ACL user), ' +
  'or redis.allow_unauthenticated: true if no one else can reach that network';
