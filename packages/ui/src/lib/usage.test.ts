import { describe, expect, it } from 'vitest';
import {
  bucketStarts,
  formatAmount,
  formatError,
  formatShare,
  quotaBars,
  seriesByProject,
  sortRows,
  totalsByProject,
} from './usage.js';

const HOUR = 3_600_000;
const zero = { ramGBSeconds: 0, gpuSeconds: 0, wallSeconds: 0, jobs: 1 };

describe('usage amounts', () => {
  it('reads in seconds up to 10 hours, then in hours, with the unit of the amount', () => {
    expect(formatAmount(0, 'cpuSeconds')).toBe('0 cpu·s');
    expect(formatAmount(9.84, 'cpuSeconds')).toBe('9.8 cpu·s');
    expect(formatAmount(9999, 'ramGBSeconds')).toBe('9999 GB·s');
    expect(formatAmount(35_999, 'ramGBSeconds')).toBe('36k GB·s');
    expect(formatAmount(36_000, 'gpuSeconds')).toBe('10 GPU·h');
    expect(formatAmount(3600 * 12_345, 'cpuSeconds')).toBe('12.3k cpu·h');
    expect(formatAmount(-1, 'cpuSeconds')).toBe('—');
  });

  it('shows shares and fairness errors in percent and points', () => {
    expect(formatShare(0.125)).toBe('12.5 %');
    expect(formatShare(null)).toBe('—');
    expect(formatError(0.032)).toBe('+3.2 pts');
    expect(formatError(-0.01)).toBe('−1.0 pts');
    expect(formatError(0)).toBe('±0.0 pts');
    expect(formatError(undefined)).toBe('—');
  });
});

describe('usage series', () => {
  it('cuts a range into epoch-aligned buckets, at most 1000', () => {
    expect(bucketStarts(10 * HOUR + 5, 13 * HOUR, HOUR)).toEqual([10 * HOUR, 11 * HOUR, 12 * HOUR]);
    expect(bucketStarts(0, 5000 * HOUR, HOUR)).toHaveLength(1000);
  });

  it('fills buckets without usage with zeros, one line per project, and totals per project', () => {
    const rows = [
      { start: 0, project: 'b', cpuSeconds: 1, ...zero },
      { start: 2 * HOUR, project: 'a', cpuSeconds: 5, ...zero },
      { start: 2 * HOUR, project: 'b', cpuSeconds: 2, ...zero },
      { start: 99 * HOUR, project: 'a', cpuSeconds: 7, ...zero }, // outside: left out
    ];
    expect(seriesByProject(rows, 'cpuSeconds', [0, HOUR, 2 * HOUR])).toEqual({
      xs: [0, 3600, 7200],
      projects: ['a', 'b'],
      values: [
        [0, 0, 5],
        [1, 0, 2],
      ],
    });
    expect(totalsByProject(rows).map((t) => [t.project, t.cpuSeconds, t.jobs])).toEqual([
      ['a', 12, 2],
      ['b', 3, 2],
    ]);
  });
});

describe('quota bars', () => {
  it('draws only the limited amounts, used / limit with units', () => {
    const quota = {
      cpuSeconds: 100,
      ramGBSeconds: 0,
      gpuSeconds: 72_000,
      wallSeconds: 0,
      windowSeconds: 86_400,
    };
    const used = { cpuSeconds: 150, ramGBSeconds: 9, gpuSeconds: 3600, wallSeconds: 1 };
    expect(quotaBars(quota, used)).toEqual([
      { metric: 'cpuSeconds', used: 150, limit: 100, text: '150 cpu·s / 100 cpu·s' },
      { metric: 'gpuSeconds', used: 3600, limit: 72_000, text: '3600 GPU·s / 20 GPU·h' },
    ]);
  });
});

describe('sorting the fairness table', () => {
  const rows = [
    { name: 'c', err: 0.1 },
    { name: 'a', err: null },
    { name: 'b', err: -0.2 },
    { name: 'd', err: 0.1 },
  ];
  it('orders both ways, ties by name, and rows without a value last', () => {
    const names = (dir: 'asc' | 'desc') =>
      sortRows(rows, { key: 'err', dir }, (r) => r.name).map((r) => r.name);
    expect(names('asc')).toEqual(['b', 'c', 'd', 'a']);
    expect(names('desc')).toEqual(['c', 'd', 'b', 'a']);
  });
});
