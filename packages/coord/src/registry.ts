/**
 * The node registry: which agent hosts exist, what they offer (their HostInfo: shards, labels,
 * reservations) and when each last proved alive. The scheduler places jobs only on hosts whose
 * heartbeat is fresh; what to do with the jobs of a host that went quiet is the watcher's call.
 *
 * Layout: `nodes()` is a sorted set of host names scored by last heartbeat (ms), `node(host)` a
 * hash with `info` (HostInfo JSON), `registeredAt`, and for an executor that places jobs itself
 * the free capacity of its last heartbeat (`free`, ExecutorCapacity JSON, and `freeAt`). Times are Redis server time (`TIME` inside
 * the scripts, `TIME` before range reads), so agents' clocks and readers' clocks never disagree.
 *
 * Events: the registry publishes nothing. The caller (the agent) publishes `hosts.changed` after
 * `register` / `remove`: it owns the event publisher and knows whether anything changed.
 */
import type { ExecutorCapacity, HostInfo, ReportedCapacity } from '@god/core';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { silentLogger, type Logger } from './logger.js';
import { defineScript, toInt } from './lua.js';

/** One registered host and its last heartbeat (epoch ms, Redis server time). */
export interface NodeEntry {
  host: HostInfo;
  lastSeen: number;
}

/** Registers agent hosts, records their heartbeats, and lists them. */
export interface NodeRegistry {
  /**
   * Adds or replaces `host` and counts as a heartbeat (with `free`, the capacity it has free
   * now, for an executor that places jobs itself); resolves to the heartbeat time.
   */
  register(host: HostInfo, free?: ExecutorCapacity): Promise<number>;
  /**
   * Records a heartbeat of a registered host, with its free capacity when it reports one;
   * resolves to false when the host is not registered (removed, or Redis lost its data): the
   * agent then registers again.
   */
  heartbeat(name: string, free?: ExecutorCapacity): Promise<boolean>;
  /** Every registered host, fresh or not, ordered by name. */
  list(): Promise<NodeEntry[]>;
  /** Hosts whose last heartbeat is at most `maxAgeMs` old, ordered by name. */
  alive(maxAgeMs: number): Promise<NodeEntry[]>;
  /** Unregisters a host (decommission, drain); false when it was not registered. */
  remove(name: string): Promise<boolean>;
}

/** Redis server time in ms, as the scripts compute it. */
const NOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Records the free capacity in ARGV[2] ('' for none) at `now`. */
const FREE_LUA = `
if ARGV[2] == '' then redis.call('HDEL', KEYS[2], 'free', 'freeAt')
else redis.call('HSET', KEYS[2], 'free', ARGV[2], 'freeAt', now) end
`;

/**
 * KEYS: nodes, node. ARGV: name, free JSON or '', info JSON. Writes info, free capacity and
 * heartbeat together; returns now.
 */
const REGISTER = defineScript(`${NOW_LUA}
redis.call('HSET', KEYS[2], 'info', ARGV[3], 'registeredAt', now)
${FREE_LUA}
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
`);

/**
 * KEYS: nodes, node. ARGV: name, free JSON or ''. Heartbeat only for a host whose description
 * exists: a bare heartbeat would make a host "alive" that readers cannot describe. Returns
 * now, or 0.
 */
const HEARTBEAT = defineScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
${NOW_LUA}
${FREE_LUA}
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
`);

/** Creates the registry on `redis` (any connection; it never blocks). */
export function createNodeRegistry(deps: {
  redis: Redis;
  keys: Keys;
  logger?: Logger;
}): NodeRegistry {
  const { redis, keys } = deps;
  const log = deps.logger ?? silentLogger;

  /** Entries for `[name, score, name, score, …]`, skipping hosts removed meanwhile. */
  async function describe(flat: string[]): Promise<NodeEntry[]> {
    const scored: Array<{ name: string; lastSeen: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      scored.push({ name: flat[i] as string, lastSeen: Number(flat[i + 1]) });
    }
    if (scored.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const s of scored) pipeline.hmget(keys.node(s.name), 'info', 'free', 'freeAt');
    const replies = (await pipeline.exec()) ?? [];
    const entries: NodeEntry[] = [];
    scored.forEach((s, i) => {
      const [err, fields] = replies[i] ?? [null, null];
      if (err !== null) throw err;
      const [json, freeJson, freeAt] = (fields as Array<string | null> | null) ?? [null];
      const host = parseHost(json);
      // Null: removed between the two reads (skip quietly), or not ours to read (say so).
      if (host === null) {
        if (json !== null) log.warn({ host: s.name }, 'malformed node entry skipped');
        return;
      }
      const free = parseFree(freeJson, freeAt);
      if (free !== null) host.free = free;
      entries.push({ host, lastSeen: s.lastSeen });
    });
    return entries.sort((a, b) => (a.host.name < b.host.name ? -1 : 1));
  }

  return {
    async register(host, free) {
      const { free: _reported, ...info } = host; // a report is a heartbeat's, not the host's
      const name = host.name;
      const argv = [name, freeArg(free), JSON.stringify(info)];
      return toInt(await REGISTER.run(redis, [keys.nodes(), keys.node(name)], argv));
    },
    async heartbeat(name, free) {
      const argv = [name, freeArg(free)];
      return toInt(await HEARTBEAT.run(redis, [keys.nodes(), keys.node(name)], argv)) > 0;
    },
    async list() {
      return describe(await redis.zrange(keys.nodes(), 0, -1, 'WITHSCORES'));
    },
    async alive(maxAgeMs) {
      const [seconds, micros] = await redis.time();
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      return describe(
        await redis.zrangebyscore(keys.nodes(), now - maxAgeMs, '+inf', 'WITHSCORES'),
      );
    },
    async remove(name) {
      const replies = await redis.multi().zrem(keys.nodes(), name).del(keys.node(name)).exec();
      const removed = replies?.[0]?.[1];
      return typeof removed === 'number' && removed > 0;
    },
  };
}

/** The HostInfo in a stored JSON value, or null when it is missing or not a host. */
function parseHost(json: unknown): HostInfo | null {
  if (typeof json !== 'string') return null;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null) return null;
    const h = value as Partial<HostInfo>;
    if (typeof h.name !== 'string' || !Array.isArray(h.shards)) return null;
    return value as HostInfo;
  } catch {
    return null;
  }
}

/** The script argument of a free capacity: its JSON, or '' for none. */
function freeArg(free: ExecutorCapacity | undefined): string {
  if (free === undefined) return '';
  const { cpu, ram, gpus, jobs } = free;
  return JSON.stringify({ cpu, ram, gpus, jobs });
}

/** A stored free capacity, or null when there is none or it is not one. */
function parseFree(
  json: string | null | undefined,
  at: string | null | undefined,
): ReportedCapacity | null {
  if (typeof json !== 'string' || typeof at !== 'string') return null;
  try {
    const v = JSON.parse(json) as Partial<ExecutorCapacity>;
    const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
    const [cpu, ram, gpus, jobs] = [n(v.cpu), n(v.ram), n(v.gpus), n(v.jobs)];
    if (cpu === null || ram === null || gpus === null || jobs === null) return null;
    return { cpu, ram, gpus, jobs, at: Number(at) };
  } catch {
    return null; // not ours to read: the host is then treated as reporting nothing
  }
}
