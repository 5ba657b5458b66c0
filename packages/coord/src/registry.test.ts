import type { HostInfo } from '@god/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeRegistry, type NodeRegistry } from './registry.js';
import { waitFor } from '@god/testkit';
import { Clients, makeTestKeys } from './test-helpers.js';

const clients = new Clients();
afterEach(() => clients.closeAll());

/** A host with one shard; `over` replaces top-level fields. */
function makeHost(name: string, over: Partial<HostInfo> = {}): HostInfo {
  return {
    name,
    labels: { zone: 'a' },
    shards: [{ id: 'numa0', mems: '0', cores: [0, 1, 2, 3], ramGB: 16, gpus: [] }],
    reservedFor: null,
    portRange: [20000, 20010],
    ...over,
  };
}

function makeRegistry(): { registry: NodeRegistry; keys: ReturnType<typeof makeTestKeys> } {
  const keys = makeTestKeys();
  return { registry: createNodeRegistry({ redis: clients.connect(), keys }), keys };
}

describe('node registry', () => {
  it('registers hosts with their description and lists them by name', async () => {
    const { registry } = makeRegistry();
    const before = Date.now();
    await registry.register(makeHost('node-b'));
    await registry.register(makeHost('node-a', { labels: { gpu: 'a100' } }));
    const listed = await registry.list();
    expect(listed.map((e) => e.host)).toEqual([
      makeHost('node-a', { labels: { gpu: 'a100' } }),
      makeHost('node-b'),
    ]);
    // Redis server time and ours are the same clock here; allow a little drift anyway.
    for (const e of listed) expect(Math.abs(e.lastSeen - before)).toBeLessThan(5_000);
  });

  it('replaces a host that registers again (new capacity) without duplicating it', async () => {
    const { registry } = makeRegistry();
    await registry.register(makeHost('n1'));
    const bigger = makeHost('n1', {
      shards: [{ id: 'numa0', mems: '0', cores: [0, 1, 2, 3, 4, 5], ramGB: 32, gpus: [0] }],
    });
    await registry.register(bigger);
    expect((await registry.list()).map((e) => e.host)).toEqual([bigger]);
  });

  it('heartbeats move lastSeen forward; alive keeps only fresh hosts', async () => {
    const { registry } = makeRegistry();
    await registry.register(makeHost('old'));
    await registry.register(makeHost('new'));
    const [first] = await registry.list();
    // Wait until "old" is at least 50 ms stale, then refresh only "new".
    await waitFor('time to pass', () => Date.now() >= first!.lastSeen + 60);
    expect(await registry.heartbeat('new')).toBe(true);
    const fresh = await registry.alive(50);
    expect(fresh.map((e) => e.host.name)).toEqual(['new']);
    expect(fresh[0]!.lastSeen).toBeGreaterThan(first!.lastSeen);
    expect((await registry.alive(60_000)).map((e) => e.host.name)).toEqual(['new', 'old']);
  });

  it('refuses a heartbeat for a host that is not registered, so the agent registers again', async () => {
    const { registry } = makeRegistry();
    expect(await registry.heartbeat('ghost')).toBe(false);
    expect(await registry.list()).toEqual([]);
    await registry.register(makeHost('ghost'));
    expect(await registry.heartbeat('ghost')).toBe(true);
  });

  it('keeps the free capacity of the last heartbeat with its time, apart from the description', async () => {
    const { registry, keys } = makeRegistry();
    const GB = 2 ** 30;
    const at = await registry.register(makeHost('swarm'), {
      cpu: 4,
      ram: 8 * GB,
      gpus: 0,
      jobs: 9,
    });
    expect((await registry.list())[0]!.host.free).toEqual({
      cpu: 4,
      ram: 8 * GB,
      gpus: 0,
      jobs: 9,
      at,
    });
    expect(await registry.heartbeat('swarm', { cpu: 1, ram: GB, gpus: 0, jobs: 2 })).toBe(true);
    const [entry] = await registry.alive(60_000);
    expect(entry!.host.free).toEqual({ cpu: 1, ram: GB, gpus: 0, jobs: 2, at: entry!.lastSeen });
    // A host description read back (with its report) and registered again stores no stale report.
    await registry.register(entry!.host);
    expect((await registry.list())[0]!.host).toEqual(makeHost('swarm'));
    const info = await clients.connect().hget(keys.node('swarm'), 'info');
    expect(info).not.toContain('free');
    // A report that is not one (another writer) is ignored, not trusted.
    await clients.connect().hset(keys.node('swarm'), 'free', '{"cpu":"lots"}', 'freeAt', '1');
    expect((await registry.list())[0]!.host.free).toBeUndefined();
  });

  it('removes a host and all its keys', async () => {
    const { registry, keys } = makeRegistry();
    await registry.register(makeHost('gone'));
    await registry.register(makeHost('kept'));
    expect(await registry.remove('gone')).toBe(true);
    expect(await registry.remove('gone')).toBe(false);
    expect((await registry.list()).map((e) => e.host.name)).toEqual(['kept']);
    const redis = clients.connect();
    expect(await redis.exists(keys.node('gone'))).toBe(0);
    expect(await registry.heartbeat('gone')).toBe(false);
  });

  it('skips entries whose description is missing or malformed', async () => {
    const { registry, keys } = makeRegistry();
    await registry.register(makeHost('ok'));
    const redis = clients.connect();
    await redis.zadd(keys.nodes(), Date.now(), 'bare');
    await redis.zadd(keys.nodes(), Date.now(), 'bad');
    await redis.hset(keys.node('bad'), 'info', '{"name":1}');
    expect((await registry.list()).map((e) => e.host.name)).toEqual(['ok']);
  });

  it('refuses host names that are not key segments', async () => {
    const { registry } = makeRegistry();
    await expect(registry.register(makeHost('a:b'))).rejects.toThrow(/host/);
  });
});
