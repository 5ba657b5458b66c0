/**
 * The leader lease's Redis side: Lua scripts (each one atomic step) and read-only helpers that
 * any process may use, e.g. to fence a write by the writer's epoch or to show who leads.
 *
 * The lease key holds `<token>:<holderId>`; the token (random, per term) is what proves
 * ownership, the holder id is there for people. The epoch key is only ever incremented, by the
 * same script that takes the lease, so every term has its own, larger epoch.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { defineScript, toInt } from './lua.js';

/**
 * KEYS: lease, epoch. ARGV: value, ttl ms, epoch floor. Returns the term's epoch, or 0 when
 * someone else holds the lease. Taking the lease and incrementing the epoch happen in one script
 * so that a crash can never leave a lease without a fresh epoch (GO-Docker's SETNX-then-EXPIRE
 * could leave a lock forever). The floor lets the caller keep epochs above any epoch the Store
 * has seen, should Redis have lost its data.
 */
export const ACQUIRE = defineScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local epoch = redis.call('INCR', KEYS[2])
  local floor = tonumber(ARGV[3])
  if epoch <= floor then
    epoch = floor + 1
    redis.call('SET', KEYS[2], epoch)
  end
  return epoch
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  -- An earlier attempt of this same term got through but its reply was lost.
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
return 0
`);

/** KEYS: lease. ARGV: value, ttl ms. Extends the lease only if it is still ours: 1, else 0. */
export const RENEW = defineScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`);

/** KEYS: lease. ARGV: value. Deletes the lease only if it is still ours: 1, else 0. */
export const RELEASE = defineScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

/** KEYS: lease, epoch. ARGV: epoch, value. 1 if the epoch is current and the lease still ours. */
export const CHECK_TERM = defineScript(`
if redis.call('GET', KEYS[2]) == ARGV[1] and redis.call('GET', KEYS[1]) == ARGV[2] then
  return 1
end
return 0
`);

/** The current fencing epoch of lease `name` (0 if it was never taken). */
export async function currentEpoch(redis: Redis, keys: Keys, name: string): Promise<number> {
  const value = await redis.get(keys.leaseEpoch(name));
  return value === null ? 0 : toInt(value);
}

/**
 * Whether `epoch` is still the current epoch of lease `name`, i.e. no other holder has taken the
 * lease since. A writer fences a write by checking this (or by letting the Store compare the
 * epoch it carries) right before the write.
 */
export async function isEpochCurrent(
  redis: Redis,
  keys: Keys,
  name: string,
  epoch: number,
): Promise<boolean> {
  return (await currentEpoch(redis, keys, name)) === epoch;
}

/** Who holds lease `name`, for how much longer, at which epoch; null when nobody does. */
export async function leaseHolder(
  redis: Redis,
  keys: Keys,
  name: string,
): Promise<{ holderId: string; ttlMs: number; epoch: number } | null> {
  const [value, ttlMs, epoch] = await Promise.all([
    redis.get(keys.lease(name)),
    redis.pttl(keys.lease(name)),
    currentEpoch(redis, keys, name),
  ]);
  if (value === null || ttlMs < 0) return null;
  return { holderId: value.slice(value.indexOf(':') + 1), ttlMs, epoch };
}
