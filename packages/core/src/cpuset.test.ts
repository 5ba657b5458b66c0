import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cpusetOrProblem, formatCpuset } from './cpuset.js';

describe('cpuset lists', () => {
  it('formats compact ranges, sorted', () => {
    expect(formatCpuset([12, 4, 5, 6, 7])).toBe('4-7,12');
    expect(formatCpuset([0])).toBe('0');
    expect(formatCpuset([1, 3, 5])).toBe('1,3,5');
    expect(formatCpuset([2, 3])).toBe('2-3');
    expect(formatCpuset([])).toBe('');
  });

  it('parses what it formats', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 1 }), (ids) => {
        expect(cpusetOrProblem(formatCpuset(ids))).toEqual([...ids].sort((a, b) => a - b));
      }),
    );
  });

  it('refuses what is not a cpuset list', () => {
    for (const bad of ['a', '3-1', '1,,2', '0-99999999', '-1']) {
      expect(typeof cpusetOrProblem(bad)).toBe('string');
    }
    // sysfs writes an empty list for a memory-only NUMA node: the empty set, not an error.
    expect(cpusetOrProblem(' ')).toEqual([]);
  });
});
