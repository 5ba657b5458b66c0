/**
 * What a refused request must not have changed: every job of every user (active and finished,
 * whole documents), users, projects, API keys, and every Redis key under god's prefix with its
 * value, except the login-failure counters, which exist precisely to count refusals.
 */
import Database from 'better-sqlite3';
import type { Keys, Redis } from '@god/coord';
import type { Store } from '@god/store';

/** A comparable picture of the store and Redis. */
export interface Snapshot {
  store: string;
  redis: Record<string, string>;
}

async function allJobs(store: Store): Promise<unknown[]> {
  const out: unknown[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listJobs({}, { limit: 10_000, cursor });
    out.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

async function storeJson(store: Store): Promise<string> {
  const users = await store.listUsers();
  const apiKeys = await Promise.all(users.map((u) => store.listApiKeys(u.id)));
  return JSON.stringify({
    jobs: await allJobs(store),
    users,
    projects: await store.listProjects(),
    apiKeys,
  });
}

/** Takes a snapshot. */
export async function snapshot(store: Store, redis: Redis, keys: Keys): Promise<Snapshot> {
  return { store: await storeJson(store), redis: await redisJson(redis, keys) };
}

/** Snapshots taken often: the store is read again only when SQLite says a commit happened. */
export interface Snapshots {
  take(): Promise<Snapshot>;
  close(): void;
}

/**
 * Snapshots of the SQLite store at `dbPath`: `PRAGMA data_version` changes when another
 * connection commits, so thousands of snapshots cost a read of every job only when something
 * was written.
 */
export function createSnapshots(dbPath: string, store: Store, redis: Redis, keys: Keys): Snapshots {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  let version = -1;
  let json = '';
  return {
    async take() {
      const v = db.pragma('data_version', { simple: true }) as number;
      if (v !== version) {
        json = await storeJson(store);
        version = v;
      }
      return { store: json, redis: await redisJson(redis, keys) };
    },
    close: () => db.close(),
  };
}

async function redisJson(redis: Redis, keys: Keys): Promise<Record<string, string>> {
  const prefix = keys.events().slice(0, -'events'.length);
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    // Counting refused logins is what these keys are for (whatever they are named).
    names.push(...batch.filter((k) => !/fail|throttl/i.test(k.slice(prefix.length))));
  } while (cursor !== '0');
  const out: Record<string, string> = {};
  for (const name of names.sort()) out[name] = await valueOf(redis, name);
  return out;
}

async function valueOf(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return `s:${await redis.get(key)}`;
    case 'hash':
      return `h:${JSON.stringify(Object.entries(await redis.hgetall(key)).sort())}`;
    case 'list':
      return `l:${JSON.stringify(await redis.lrange(key, 0, -1))}`;
    case 'set':
      return `S:${JSON.stringify((await redis.smembers(key)).sort())}`;
    case 'zset':
      return `z:${JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'))}`;
    case 'stream':
      return `x:${await redis.xlen(key)}:${JSON.stringify(await redis.xrevrange(key, '+', '-', 'COUNT', 1))}`;
    default:
      return type;
  }
}

/** What differs between two snapshots, for a failure message ([] when nothing). */
export function differences(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  if (a.store !== b.store) out.push('store');
  for (const k of new Set([...Object.keys(a.redis), ...Object.keys(b.redis)]))
    if (a.redis[k] !== b.redis[k]) out.push(`redis ${k}`);
  return out;
}
