/**
 * Lua scripts run by SHA (EVALSHA) with a fallback to EVAL when the server does not know the
 * script yet (fresh or restarted Redis, SCRIPT FLUSH). Every multi-step Redis change in coord is
 * one script so that no crash or concurrent client can observe half of it.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script that can be run on any connection. */
export interface LuaScript {
  /** Runs the script with `keys` (KEYS[]) and `args` (ARGV[]); resolves to Redis' raw reply. */
  run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/** Wraps Lua source as a runnable script. */
export function defineScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}

/** Reads an integer reply, or throws: a script returning something else is a bug. */
export function toInt(reply: unknown): number {
  if (typeof reply === 'number' && Number.isSafeInteger(reply)) return reply;
  if (typeof reply === 'string' && /^-?\d+$/.test(reply)) return Number(reply);
  throw new TypeError(`expected an integer reply from Redis, got ${JSON.stringify(reply)}`);
}

/** Reads an array-of-integers reply, or throws. */
export function toInts(reply: unknown): number[] {
  if (!Array.isArray(reply)) {
    throw new TypeError(`expected an array reply from Redis, got ${JSON.stringify(reply)}`);
  }
  return reply.map(toInt);
}
