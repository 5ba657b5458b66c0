import { describe, expect, it, afterEach } from 'vitest';
import { LIVE_USAGE_SAMPLES, publishLiveUsage, readLiveUsage } from './live-usage.js';
import { Clients, makeTestKeys } from './test-helpers.js';

const clients = new Clients();
afterEach(() => clients.closeAll());

describe('live usage samples', () => {
  it('appends one sample per job per call, oldest first, with a TTL a little over the window', async () => {
    const keys = makeTestKeys();
    const redis = clients.connect();
    expect(await readLiveUsage(redis, keys, 7)).toEqual([]);
    await publishLiveUsage(
      redis,
      keys,
      new Map([
        [7, { t: 1000, cpuSeconds: 1, memBytes: 10 }],
        [8, { t: 1000, cpuSeconds: 2, memBytes: 20 }],
      ]),
      5,
    );
    await publishLiveUsage(
      redis,
      keys,
      new Map([[7, { t: 6000, cpuSeconds: 3, memBytes: 11 }]]),
      5,
    );
    expect(await readLiveUsage(redis, keys, 7)).toEqual([
      { t: 1000, cpuSeconds: 1, memBytes: 10 },
      { t: 6000, cpuSeconds: 3, memBytes: 11 },
    ]);
    expect(await readLiveUsage(redis, keys, 8)).toEqual([{ t: 1000, cpuSeconds: 2, memBytes: 20 }]);
    const ttl = await redis.ttl(keys.liveUsage(7));
    expect(ttl).toBeGreaterThan(5 * LIVE_USAGE_SAMPLES);
    expect(ttl).toBeLessThanOrEqual(Math.ceil(5 * LIVE_USAGE_SAMPLES * 1.1));
  });

  it('keeps only the last 360 samples of a job', async () => {
    const keys = makeTestKeys();
    const redis = clients.connect();
    for (let i = 0; i < LIVE_USAGE_SAMPLES + 5; i++)
      await publishLiveUsage(redis, keys, new Map([[3, { t: i, cpuSeconds: i, memBytes: 1 }]]), 1);
    const samples = await readLiveUsage(redis, keys, 3);
    expect(samples).toHaveLength(LIVE_USAGE_SAMPLES);
    expect(samples[0]!.t).toBe(5);
    expect(samples.at(-1)!.t).toBe(LIVE_USAGE_SAMPLES + 4);
  });

  it('skips entries that are not samples', async () => {
    const keys = makeTestKeys();
    const redis = clients.connect();
    await redis.rpush(keys.liveUsage(4), 'nope', JSON.stringify({ t: 1, cpuSeconds: 'x' }));
    await publishLiveUsage(redis, keys, new Map([[4, { t: 2, cpuSeconds: 0, memBytes: 0 }]]), 1);
    expect(await readLiveUsage(redis, keys, 4)).toEqual([{ t: 2, cpuSeconds: 0, memBytes: 0 }]);
  });
});
