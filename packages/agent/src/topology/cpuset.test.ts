import { describe, expect, it } from 'vitest';
import { ValidationError } from '@god/core';
import { formatCpuset, parseCpuset } from './cpuset.js';

describe('parseCpuset', () => {
  it('reads an empty or blank list as no cpu (a memory-only node)', () => {
    expect(parseCpuset('')).toEqual([]);
    expect(parseCpuset('\n')).toEqual([]);
  });

  it('reads single ids, ranges and mixes, with the trailing newline of sysfs files', () => {
    expect(parseCpuset('5')).toEqual([5]);
    expect(parseCpuset('0-3\n')).toEqual([0, 1, 2, 3]);
    expect(parseCpuset('0-3,8-11')).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(parseCpuset('12-14,21-23')).toEqual([12, 13, 14, 21, 22, 23]);
    expect(parseCpuset('7-7')).toEqual([7]);
  });

  it('sorts and removes duplicates', () => {
    expect(parseCpuset('8, 0-2,1')).toEqual([0, 1, 2, 8]);
  });

  it.each(['a', '1,,2', '-1', '1-', '3-1', '0x3', '1 2', '0-100000'])(
    'refuses "%s" with an error naming the field',
    (bad) => {
      let caught: unknown;
      try {
        parseCpuset(bad, 'shards[2].cores');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      const err = caught as ValidationError;
      expect(err.issues[0]?.path).toBe('shards[2].cores');
      expect(err.message).toContain('shards[2].cores');
    },
  );
});

describe('formatCpuset', () => {
  it('joins runs into ranges', () => {
    expect(formatCpuset([0, 1, 2, 3, 8])).toBe('0-3,8');
    expect(formatCpuset([0, 16, 1, 17])).toBe('0-1,16-17');
    expect(formatCpuset([5])).toBe('5');
    expect(formatCpuset([])).toBe('');
    expect(formatCpuset([3, 3, 2])).toBe('2-3');
  });

  it('round-trips with parseCpuset', () => {
    for (const list of ['0-3,8', '0,2,4,6', '1-31', '12-14,21-23', '0', '']) {
      expect(formatCpuset(parseCpuset(list))).toBe(list);
    }
  });
});
