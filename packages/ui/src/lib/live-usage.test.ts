import { describe, expect, it } from 'vitest';
import { chartData } from './live-usage.js';

const GB = 2 ** 30;

describe('live usage chart data', () => {
  it('plots cores busy between samples and memory in GB, from the second sample on', () => {
    expect(chartData([])).toEqual([[], [], []]);
    expect(chartData([{ t: 1000, cpuSeconds: 0, memBytes: GB }])).toEqual([[], [], []]);
    expect(
      chartData([
        { t: 10_000, cpuSeconds: 1, memBytes: GB },
        { t: 15_000, cpuSeconds: 11, memBytes: 2 * GB },
        { t: 20_000, cpuSeconds: 13.5, memBytes: GB / 2 },
      ]),
    ).toEqual([
      [15, 20],
      [2, 0.5],
      [2, 0.5],
    ]);
  });

  it('skips samples out of order and never plots negative cores', () => {
    expect(
      chartData([
        { t: 10_000, cpuSeconds: 5, memBytes: GB },
        { t: 10_000, cpuSeconds: 6, memBytes: GB },
        { t: 12_000, cpuSeconds: 1, memBytes: GB },
      ]),
    ).toEqual([[12], [0], [1]]);
  });
});
