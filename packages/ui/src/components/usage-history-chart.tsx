/**
 * Usage per hour or day of one amount (CPU, RAM or GPU), a line per project (uPlot, loaded lazily by
 * the usage page).
 */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { jobColour } from '../lib/cluster.js';
import { METRIC_NAMES, unitOf, type Metric, type Series } from '../lib/usage.js';

/** The chart of `series` in `metric`'s unit. */
export default function UsageHistoryChart(props: {
  series: Series;
  metric: Metric;
  bucket: 'hour' | 'day';
}): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const { series, metric } = props;
  const unit = unitOf(metric);
  const key = series.projects.join('\n');

  useEffect(() => {
    if (box.current === null) return;
    const p = new uPlot(
      {
        width: Math.max(260, box.current.clientWidth),
        height: 200,
        series: [
          {},
          ...series.projects.map((name, i) => ({
            label: name,
            stroke: jobColour(i + 1),
            width: 2,
            points: { show: true, size: 5 },
          })),
        ],
        axes: [{}, { label: unit, size: 60 }],
        scales: { x: { time: true } },
      },
      [series.xs, ...series.values],
      box.current,
    );
    return () => p.destroy();
    // One plot per set of projects and days; the numbers themselves come with them.
  }, [key, series, unit]);

  return (
    <figure className="chart">
      <figcaption>
        {METRIC_NAMES[metric]} ({unit}) per {props.bucket}
      </figcaption>
      <div
        ref={box}
        role="img"
        aria-label={`${METRIC_NAMES[metric]} usage per ${props.bucket} and project, in ${unit}`}
      />
    </figure>
  );
}
