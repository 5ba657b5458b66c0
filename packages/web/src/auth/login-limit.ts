/**
 * Failed password logins slow a guesser down without locking the owner out. Failures are counted
 * per (login, client address) pair and, with a much larger allowance, per address; past its
 * allowance each further failure makes that counter wait twice as long before the next try
 * (2 s, 4 s, 8 s, ... up to `maxDelaySeconds`). A guess sent in bob's name from elsewhere never
 * delays bob on his own address, and nothing here ever touches API keys or tokens: only
 * password checks ask this limiter.
 *
 * Each counter is a Redis hash (`n` failures, `until` epoch ms) changed by one Lua script on
 * Redis's clock, so web processes agree and a crash never leaves a counter without its expiry.
 * Counters are keyed by a digest, so neither login names nor addresses end up in key names.
 */
import { createHash } from 'node:crypto';
import type { Keys, Redis } from '@god/coord';
import { HttpError } from '../http/errors.js';

/** KEYS: counters. ARGV: allowance of each key, base ms, cap ms, window ms. Returns nothing. */
const FAIL_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  local free = tonumber(ARGV[i])
  local n = redis.call('HINCRBY', key, 'n', 1)
  local wait = 0
  if n >= free then
    wait = math.min(tonumber(ARGV[#KEYS + 2]), tonumber(ARGV[#KEYS + 1]) * 2 ^ (n - free))
    redis.call('HSET', key, 'until', now + wait)
  end
  redis.call('PEXPIRE', key, math.max(tonumber(ARGV[#KEYS + 3]), wait))
end
return 0`;

/** KEYS: counters. Returns the ms to wait before the next try (0: try now). */
const WAIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local worst = 0
for _, key in ipairs(KEYS) do
  local u = tonumber(redis.call('HGET', key, 'until') or '0')
  if u - now > worst then worst = u - now end
end
return worst`;

/** The first delay once a counter's allowance is spent. */
const BASE_DELAY_MS = 2_000;

/** Checks and counts failed password logins. */
export interface LoginLimiter {
  /** Throws a 429 HttpError (with Retry-After) while `login` from `addr` must wait. */
  check(login: string, addr: string): Promise<void>;
  /** Counts one failure of `login` from `addr`. */
  failed(login: string, addr: string): Promise<void>;
  /** Clears the failures of `login` from `addr` after a success. */
  succeeded(login: string, addr: string): Promise<void>;
}

/** Settings of the limiter (config `auth.*`). */
export interface LoginLimits {
  /** Failures of one (login, address) pair before delays start. */
  perLogin: number;
  /** Failures from one address (all logins) before delays start. */
  perAddress: number;
  /** Longest delay, in seconds. */
  maxDelaySeconds: number;
  /** How long a counter is remembered after its last failure, in seconds. */
  windowSeconds: number;
}

/** Creates a limiter over Redis. */
export function createLoginLimiter(opts: LoginLimits & { redis: Redis; keys: Keys }): LoginLimiter {
  const { redis, keys } = opts;
  // Logins are case-insensitive (one person, one counter whatever the spelling).
  const pairKey = (login: string, addr: string): string =>
    keys.loginFailures('pair', digest(`${login.toLowerCase()}\n${addr}`));
  const addrKey = (addr: string): string => keys.loginFailures('addr', digest(addr));
  return {
    async check(login, addr) {
      const ms = Number(await redis.eval(WAIT_SCRIPT, 2, pairKey(login, addr), addrKey(addr)));
      if (ms <= 0) return;
      const wait = Math.max(1, Math.ceil(ms / 1000));
      throw new HttpError('LIMIT_EXCEEDED', `too many failed logins: try again in ${wait} s`, wait);
    },
    async failed(login, addr) {
      await redis.eval(
        FAIL_SCRIPT,
        2,
        pairKey(login, addr),
        addrKey(addr),
        opts.perLogin,
        opts.perAddress,
        BASE_DELAY_MS,
        opts.maxDelaySeconds * 1000,
        opts.windowSeconds * 1000,
      );
    },
    async succeeded(login, addr) {
      await redis.del(pairKey(login, addr));
    },
  };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
