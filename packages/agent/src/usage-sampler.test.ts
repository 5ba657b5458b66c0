import { readLiveUsage, silentLogger } from '@god/coord';
import { makeJob, waitFor } from '@god/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './test-helpers.js';
import { createUsageSampler } from './usage-sampler.js';

/** Long enough that the job is still running whatever the test does meanwhile. */
const LONG = { FAKE_RUNTIME_MS: '600000' };
const GB2 = 2 * 2 ** 30;

let h: Harness;
beforeEach(async () => {
  h = await Harness.create();
});
afterEach(async () => {
  await h.close();
});

describe('agent: live usage samples', () => {
  it('publishes samples of a running job whose CPU time grows, and stops when it ends', async () => {
    // 10 ms: the list's TTL is then 4 s (360 samples and a tenth), short enough to see it expire.
    await h.startAgent({ usageSampleMs: 10 });
    const [ending, staying] = [await h.submit(LONG), await h.submit(LONG)];
    for (const j of [ending, staying]) await h.result(await h.dispatch(await h.place(j.id)));
    const samples = await waitFor('three samples', async () => {
      const s = await readLiveUsage(h.redis, h.keys, ending.id);
      return s.length >= 3 ? s : null;
    });
    for (const s of samples) expect(s.memBytes).toBe(GB2);
    for (let i = 1; i < samples.length; i++) {
      expect(samples[i]!.t).toBeGreaterThan(samples[i - 1]!.t);
      expect(samples[i]!.cpuSeconds).toBeGreaterThan(samples[i - 1]!.cpuSeconds);
    }

    await h.executor.kill(ending.id, 'test');
    await h.waitState(ending.id, 'over');
    const last = (await readLiveUsage(h.redis, h.keys, ending.id)).length;
    // The other job keeps being sampled meanwhile; the ended one gets nothing more.
    const before = (await readLiveUsage(h.redis, h.keys, staying.id)).length;
    await waitFor('more samples of the running job', async () => {
      return (await readLiveUsage(h.redis, h.keys, staying.id)).length >= before + 5;
    });
    expect(await readLiveUsage(h.redis, h.keys, ending.id)).toHaveLength(last);
    expect(await h.redis.ttl(h.keys.liveUsage(ending.id))).toBeGreaterThan(0);
    await waitFor(
      'the ended job’s samples to expire',
      async () => (await h.redis.exists(h.keys.liveUsage(ending.id))) === 0,
      { timeoutMs: 8_000, everyMs: 200 },
    );
    expect((await readLiveUsage(h.redis, h.keys, staying.id)).length).toBeGreaterThan(before);
  });

  it('samples 100 running jobs in one cheap tick (one pipeline)', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => 1_000 + i);
    for (const id of ids) {
      const started = await h.executor.start(
        makeJob(id, { env: LONG, requirements: { ...makeJob(id).requirements, ram: GB2 } }),
      );
      expect(started.ok).toBe(true);
    }
    const sampler = createUsageSampler({
      executor: h.executor,
      redis: h.redis,
      keys: h.keys,
      jobs: () => ids,
      intervalMs: 5_000,
      logger: silentLogger,
      now: Date.now,
    });
    await sampler.tick(); // warm-up (connection, script cache)
    const ticks = 20;
    const t0 = performance.now();
    for (let i = 0; i < ticks; i++) await sampler.tick();
    const msPerTick = (performance.now() - t0) / ticks;
    process.stdout.write(`usage sampler: ${msPerTick.toFixed(2)} ms per tick of 100 jobs\n`);
    for (const id of [ids[0]!, ids[99]!]) {
      const s = await readLiveUsage(h.redis, h.keys, id);
      expect(s).toHaveLength(ticks + 1);
      expect(s[0]!.memBytes).toBe(GB2);
    }
    // Generous for a shared 2-core machine; one round trip per job would be far slower.
    expect(msPerTick).toBeLessThan(100);
  });
});
