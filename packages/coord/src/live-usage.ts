/**
 * Live usage of running jobs, for the web UI's chart: the agent appends one sample per job
 * every `agent.usage_sample_s` seconds to a capped list per job, all jobs of a tick in one
 * pipeline (one round trip), and the list expires a little after the job stops being sampled.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

/** One sample: when (epoch ms), CPU time so far (s) and memory now (bytes, no page cache). */
export interface LiveUsageSample {
  t: number;
  cpuSeconds: number;
  memBytes: number;
}

/** Samples kept per job: 30 minutes at the default 5 s period. */
export const LIVE_USAGE_SAMPLES = 360;

/** Appends one sample per job (one pipeline), keeps the last 360, and sets the lists' TTL. */
export async function publishLiveUsage(
  redis: Redis,
  keys: Keys,
  samples: ReadonlyMap<number, LiveUsageSample>,
  periodS: number,
): Promise<void> {
  if (samples.size === 0) return;
  // A little over the window, so a list outlives its last sample by one window, then goes.
  const ttl = Math.ceil(periodS * LIVE_USAGE_SAMPLES * 1.1);
  const pipe = redis.pipeline();
  for (const [jobId, s] of samples) {
    const key = keys.liveUsage(jobId);
    const value = JSON.stringify({ t: s.t, cpuSeconds: s.cpuSeconds, memBytes: s.memBytes });
    pipe.rpush(key, value).ltrim(key, -LIVE_USAGE_SAMPLES, -1).expire(key, ttl);
  }
  const results = (await pipe.exec()) ?? [];
  const failed = results.find(([err]) => err !== null)?.[0];
  if (failed !== undefined && failed !== null) throw failed;
}

/** The job's samples, oldest first; empty when none (never sampled, or expired). */
export async function readLiveUsage(
  redis: Redis,
  keys: Keys,
  jobId: number,
): Promise<LiveUsageSample[]> {
  const raw = await redis.lrange(keys.liveUsage(jobId), 0, -1);
  const out: LiveUsageSample[] = [];
  for (const item of raw) {
    const s = parseSample(item);
    if (s !== null) out.push(s);
  }
  return out;
}

function parseSample(item: string): LiveUsageSample | null {
  try {
    const v = JSON.parse(item) as Partial<LiveUsageSample>;
    const ok = [v.t, v.cpuSeconds, v.memBytes].every(
      (n) => typeof n === 'number' && Number.isFinite(n),
    );
    return ok ? (v as LiveUsageSample) : null;
  } catch {
    // A malformed entry (never written by god) is skipped rather than failing the whole read.
    return null;
  }
}
