/**
 * The live usage chart of a running job (uPlot, loaded lazily): cores busy (CPU seconds per
 * second between two polls) and peak memory, from the samples the job page collects.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One poll of the job's usage. */
export interface UsageSample {
  /** Epoch ms. */
  at: number;
  cpuSeconds: number;
  maxRamBytes: number;
}

/** Cores busy between consecutive samples, and memory in GB, as uPlot's columns. */
export function chartData(samples: readonly UsageSample[]): [number[], number[], number[]] {
  const xs: number[] = [];
  const cores: number[] = [];
  const ram: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = (b.at - a.at) / 1000;
    if (dt <= 0) continue;
    xs.push(b.at / 1000);
    cores.push(Math.max(0, (b.cpuSeconds - a.cpuSeconds) / dt));
    ram.push(b.maxRamBytes / 2 ** 30);
  }
  return [xs, cores, ram];
}

/** The chart. */
export default function UsageChart(props: { samples: readonly UsageSample[] }): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = chartData(props.samples);

  useEffect(() => {
    if (box.current === null) return;
    const p = new uPlot(
      {
        width: Math.max(280, box.current.clientWidth),
        height: 220,
        series: [
          {},
          { label: 'cores busy', stroke: '#2563eb' },
          { label: 'peak memory (GB)', stroke: '#db2777', scale: 'GB' },
        ],
        axes: [{}, { label: 'cores' }, { side: 1, scale: 'GB', label: 'GB' }],
      },
      [[], [], []],
      box.current,
    );
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <figure className="chart">
      <div ref={box} role="img" aria-label="CPU and memory use over time" />
      {data[0].length === 0 ? <figcaption className="muted">Collecting samples…</figcaption> : null}
    </figure>
  );
}
