import { describe, expect, it } from 'vitest';
import {
  formatAbsolute,
  formatBytes,
  formatCores,
  formatDuration,
  formatRelative,
  runSeconds,
} from './format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [100, '100 B'],
    [1024, '1 KB'],
    [512 * 2 ** 20, '512 MB'],
    [8 * 2 ** 30, '8 GB'],
    [1.5 * 2 ** 30, '1.5 GB'],
    [2 ** 40, '1 TB'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('%s bytes is %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [90, '1 min 30 s'],
    [180, '3 min'],
    [7980, '2 h 13 min'],
    [7200, '2 h'],
    [86_400 * 3 + 3600 * 4, '3 d 4 h'],
    [-5, '—'],
  ])('%s s is %s', (s, text) => expect(formatDuration(s)).toBe(text));
});

describe('formatRelative', () => {
  const now = Date.UTC(2026, 11, 6, 12, 0, 0);
  it.each([
    [now - 3_000, 'just now'],
    [now - 30_000, '30 s ago'],
    [now - 3 * 60_000, '3 min ago'],
    [now - 2 * 3_600_000, '2 h ago'],
    [now - 2 * 86_400_000, '2 d ago'],
    [now + 5 * 60_000, 'in 5 min'],
    [now - 30 * 86_400_000, '2026-11-06'],
  ])('%s is %s', (at, text) => expect(formatRelative(at, now, 'UTC')).toBe(text));
});

describe('formatAbsolute', () => {
  it('writes the time in the given zone', () => {
    const at = Date.UTC(2026, 11, 6, 15, 4, 5);
    expect(formatAbsolute(at, 'UTC')).toBe('2026-12-06 15:04:05 UTC');
    expect(formatAbsolute(at, 'Europe/Paris')).toMatch(/^2026-12-06 16:04:05 /);
  });
});

describe('formatCores and runSeconds', () => {
  it('counts cores and run time', () => {
    expect(formatCores(1)).toBe('1 core');
    expect(formatCores(8)).toBe('8 cores');
    expect(runSeconds({ started: null, ended: null }, 10)).toBeNull();
    expect(runSeconds({ started: 1000, ended: null }, 61_000)).toBe(60);
    expect(runSeconds({ started: 1000, ended: 11_000 }, 99_999)).toBe(10);
  });
});
