/** The live usage chart's pure part: samples of a running job as uPlot columns. */
import type { LiveUsage } from '@god/client';

/** One sample the agent published: when (epoch ms), CPU time so far, memory now (bytes). */
export type LiveUsageSample = LiveUsage['samples'][number];

/**
 * Cores busy between consecutive samples (Δcpu/Δt) and memory in GB, as uPlot's columns (x in
 * epoch seconds). A drop of the CPU counter (a new attempt's fresh cgroup) counts as 0 busy.
 */
export function chartData(samples: readonly LiveUsageSample[]): [number[], number[], number[]] {
  const xs: number[] = [];
  const cores: number[] = [];
  const mem: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = (b.t - a.t) / 1000;
    if (dt <= 0) continue;
    xs.push(b.t / 1000);
    cores.push(Math.max(0, (b.cpuSeconds - a.cpuSeconds) / dt));
    mem.push(b.memBytes / 2 ** 30);
  }
  return [xs, cores, mem];
}
