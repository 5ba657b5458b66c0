/**
 * Failed-login limits: at most `max` failures per login name and per client address within a
 * sliding `window` (a counter with a TTL set by the first failure, in one Lua script so a crash
 * never leaves a counter without its expiry). Counters are keyed by a digest, so neither login
 * names nor addresses end up in Redis key names. A success clears the login's counter.
 */
import { createHash } from 'node:crypto';
import type { Keys, Redis } from '@god/coord';
import { HttpError } from '../http/errors.js';

const FAIL_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** Checks and counts failed logins. */
export interface LoginLimiter {
  /** Throws a 429 HttpError when `login` or `addr` has failed too often lately. */
  check(login: string, addr: string): Promise<void>;
  /** Counts one failure of `login` from `addr`. */
  failed(login: string, addr: string): Promise<void>;
  /** Clears the failures of `login` after a success. */
  succeeded(login: string): Promise<void>;
}

/** Creates a limiter allowing `max` failures per `windowSeconds`. */
export function createLoginLimiter(opts: {
  redis: Redis;
  keys: Keys;
  max: number;
  windowSeconds: number;
}): LoginLimiter {
  const { redis, keys } = opts;
  const loginKey = (login: string): string =>
    keys.loginFailures('login', digest(login.toLowerCase()));
  const addrKey = (addr: string): string => keys.loginFailures('addr', digest(addr));
  return {
    async check(login, addr) {
      const [byLogin, byAddr] = await redis.mget(loginKey(login), addrKey(addr));
      const worst = Math.max(Number(byLogin ?? 0), Number(byAddr ?? 0));
      if (worst < opts.max) return;
      const ttls = await Promise.all([redis.pttl(loginKey(login)), redis.pttl(addrKey(addr))]);
      const wait = Math.max(1, Math.ceil(Math.max(...ttls) / 1000));
      throw new HttpError('LIMIT_EXCEEDED', `too many failed logins: try again in ${wait} s`, wait);
    },
    async failed(login, addr) {
      const ms = String(opts.windowSeconds * 1000);
      await Promise.all([
        redis.eval(FAIL_SCRIPT, 1, loginKey(login), ms),
        redis.eval(FAIL_SCRIPT, 1, addrKey(addr), ms),
      ]);
    },
    async succeeded(login) {
      await redis.del(loginKey(login));
    },
  };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
