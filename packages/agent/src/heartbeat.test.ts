import {
  createEventPublisher,
  createKeys,
  createNodeRegistry,
  createRedisFromUrl,
  silentLogger,
} from '@god/coord';
import type { ExecutorCapacity, HostInfo } from '@god/core';
import { services, uniqueName, waitFor } from '@god/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeartbeat, type Heartbeat } from './heartbeat.js';

const GB = 2 ** 30;
const swarm: HostInfo = {
  name: 'swarm',
  labels: { 'god.delegated': 'true' },
  shards: [{ id: 'delegated', mems: '0', cores: [0, 1, 2, 3], ramGB: 8, gpus: [] }],
  reservedFor: null,
  portRange: null,
};

const closing: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

function start(capacity: () => Promise<ExecutorCapacity>): {
  beat: Heartbeat;
  registry: ReturnType<typeof createNodeRegistry>;
} {
  const redis = createRedisFromUrl(services.redisUrl());
  closing.push(() => redis.quit());
  const keys = createKeys(uniqueName());
  const registry = createNodeRegistry({ redis, keys });
  const beat = createHeartbeat({
    registry,
    events: createEventPublisher({ redis, keys }),
    hosts: [swarm],
    intervalMs: 30,
    logger: silentLogger,
    capacity,
  });
  closing.push(() => beat.stop());
  return { beat, registry };
}

describe('heartbeat of an executor that reports its free capacity', () => {
  it('sends the capacity with the registration and with every beat', async () => {
    let cpu = 4;
    const { beat, registry } = start(() =>
      Promise.resolve({ cpu, ram: 8 * GB, gpus: 0, jobs: 100 }),
    );
    await beat.start();
    expect((await registry.list())[0]?.host.free).toMatchObject({ cpu: 4, ram: 8 * GB });
    cpu = 1;
    await waitFor('the next beat', async () => (await registry.list())[0]?.host.free?.cpu === 1);
  });

  it('reports itself full while the executor cannot say what it has free', async () => {
    let fail = false;
    const { beat, registry } = start(() =>
      fail
        ? Promise.reject(new Error('orchestrator away'))
        : Promise.resolve({ cpu: 4, ram: GB, gpus: 0, jobs: 9 }),
    );
    await beat.start();
    fail = true;
    const full = { cpu: 0, ram: 0, gpus: 0, jobs: 0 };
    await waitFor('a full report', async () => {
      const free = (await registry.list())[0]?.host.free;
      return free !== undefined && free.cpu === 0 && free.jobs === 0;
    });
    expect((await registry.alive(60_000))[0]?.host.free).toMatchObject(full);
  });
});
