/**
 * Rate-limit counters (pending jobs overall and per user), all fields of one Redis hash so that
 * `rebuild` can replace every counter at once from the Store's truth and none is left stale.
 * Every read-check-write is one Lua script: concurrent submitters can never push a counter past
 * its limit, and a decrement can never drive one below zero.
 */
import { ValidationError } from '@god/core';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { defineScript, toInt, toInts } from './lua.js';

/** A counter and its limit; a limit of 0 means unlimited. */
export interface CounterLimit {
  name: string;
  max: number;
}

/** Outcome of a bounded increment: an expected outcome, so a value rather than an exception. */
export type IncrResult =
  | { ok: true; values: number[] }
  /** `blockedBy` is the first counter that would have gone over its limit; nothing changed. */
  | { ok: false; blockedBy: string; value: number; max: number };

/** Atomic counters on Redis. */
export interface Counters {
  /** Adds `by` to counter `name` if it stays <= `max` (0 = unlimited). */
  incrWithin(name: string, by: number, max: number): Promise<IncrResult>;
  /** Adds `by` to every counter if each stays within its limit; otherwise changes none. */
  incrAllWithin(limits: readonly CounterLimit[], by: number): Promise<IncrResult>;
  /** Subtracts `by` (default 1), flooring at 0; returns the new value. */
  decr(name: string, by?: number): Promise<number>;
  /** The value of counter `name` (0 if unset). */
  get(name: string): Promise<number>;
  /** All non-zero counters. */
  getAll(): Promise<Map<string, number>>;
  /** Sets one counter. */
  set(name: string, value: number): Promise<void>;
  /** Replaces all counters at once with `values`; counters not listed become 0. */
  rebuild(values: ReadonlyMap<string, number> | Readonly<Record<string, number>>): Promise<void>;
}

/**
 * KEYS: hash. ARGV: by, then name/max pairs. Checks every limit first, then increments all:
 * returns {1, new values...} or {0, index of the blocking pair, its current value}.
 */
const INCR_ALL_WITHIN = defineScript(`
local by = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  local max = tonumber(ARGV[i + 1])
  if max > 0 and cur + by > max then
    return {0, i / 2, cur}
  end
end
local out = {1}
for i = 2, #ARGV, 2 do
  out[#out + 1] = redis.call('HINCRBY', KEYS[1], ARGV[i], by)
end
return out
`);

/** KEYS: hash. ARGV: name, by. Zero counters are deleted so the hash only holds live ones. */
const DECR_FLOOR = defineScript(`
local v = redis.call('HINCRBY', KEYS[1], ARGV[1], -tonumber(ARGV[2]))
if v <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 0
end
return v
`);

/** KEYS: hash. ARGV: name/value pairs (values > 0). */
const REBUILD = defineScript(`
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
`);

/** Counters stored in `keys.counters()`; counter names come from `counterNames`. */
export function createCounters(deps: { redis: Redis; keys: Keys }): Counters {
  const { redis } = deps;
  const hash = deps.keys.counters();

  async function incrAllWithin(limits: readonly CounterLimit[], by: number): Promise<IncrResult> {
    checkInt('by', by, 1);
    if (limits.length === 0) return { ok: true, values: [] };
    const args: (string | number)[] = [by];
    const seen = new Set<string>();
    for (const l of limits) {
      checkName(l.name);
      // A counter listed twice would be checked against `by` but incremented by twice that.
      if (seen.has(l.name)) throw invalid('name', `counter '${l.name}' listed twice`);
      seen.add(l.name);
      checkInt('max', l.max, 0);
      args.push(l.name, l.max);
    }
    const [ok, ...rest] = toInts(await INCR_ALL_WITHIN.run(redis, [hash], args));
    if (ok === 1) return { ok: true, values: rest };
    const blocked = limits[(rest[0] ?? 0) - 1];
    if (blocked === undefined) throw new TypeError('counter script named no blocking counter');
    return { ok: false, blockedBy: blocked.name, value: rest[1] ?? 0, max: blocked.max };
  }

  return {
    incrAllWithin,
    incrWithin: (name, by, max) => incrAllWithin([{ name, max }], by),
    async decr(name, by = 1) {
      checkName(name);
      checkInt('by', by, 1);
      return toInt(await DECR_FLOOR.run(redis, [hash], [name, by]));
    },
    async get(name) {
      checkName(name);
      const v = await redis.hget(hash, name);
      return v === null ? 0 : toInt(v);
    },
    async getAll() {
      const all = await redis.hgetall(hash);
      return new Map(Object.entries(all).map(([k, v]) => [k, toInt(v)]));
    },
    async set(name, value) {
      checkName(name);
      checkInt('value', value, 0);
      if (value === 0) await redis.hdel(hash, name);
      else await redis.hset(hash, name, value);
    },
    async rebuild(values) {
      const entries: [string, number][] = isMap(values)
        ? [...values.entries()]
        : Object.entries(values);
      const args: (string | number)[] = [];
      for (const [name, value] of entries) {
        checkName(name);
        checkInt('value', value, 0);
        if (value > 0) args.push(name, value);
      }
      await REBUILD.run(redis, [hash], args);
    },
  };
}

function isMap(
  v: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
): v is ReadonlyMap<string, number> {
  return v instanceof Map;
}

function checkName(name: string): void {
  if (name.length === 0 || name.length > 300) throw invalid('name', 'must be 1 to 300 characters');
}

function checkInt(path: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalid(path, `must be an integer >= ${min}, got ${value}`);
  }
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError('invalid counter operation', [{ path, message }]);
}
