/**
 * The live usage chart of a running job (uPlot, loaded lazily): cores busy (CPU seconds per
 * second between two samples) and memory, from the samples the agent publishes.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartData, type LiveUsageSample } from '../lib/live-usage.js';

/** The chart. */
export default function UsageChart(props: { samples: readonly LiveUsageSample[] }): ReactNode {
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
          { label: 'memory (GB)', stroke: '#db2777', scale: 'GB' },
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
    <figure className="chart" data-points={data[0].length}>
      <div ref={box} role="img" aria-label="CPU and memory use over time" />
      {data[0].length === 0 ? <figcaption className="muted">Collecting samples…</figcaption> : null}
    </figure>
  );
}
