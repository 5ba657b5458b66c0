import { describe, expect, it } from 'vitest';
import {
  apiErrors,
  NO_QUOTA,
  parseIds,
  parseLimitRam,
  quotaFromForm,
  quotaSummary,
  quotaToForm,
  type Errors,
} from './admin-form.js';

describe('administration form values', () => {
  it('reads a quota typed with units, and gives it back as typed', () => {
    const errors: Errors = {};
    const q = quotaFromForm(
      { cpu: '100h', ramGBHours: '1.5', gpu: '', wall: '1d12h', window: '7d' },
      errors,
    );
    expect(errors).toEqual({});
    expect(q).toEqual({
      cpuSeconds: 360_000,
      ramGBSeconds: 5400,
      gpuSeconds: 0,
      wallSeconds: 129_600,
      windowSeconds: 604_800,
    });
    expect(quotaToForm(q)).toEqual({
      cpu: '100h',
      ramGBHours: '1.5',
      gpu: '',
      wall: '36h',
      window: '7d',
    });
    expect(quotaSummary(q)).toBe('CPU 100 h, RAM 1.5 GB·h, wall 36 h per 7 d');
    expect(quotaFromForm(NO_QUOTA, errors)).toBeNull();
  });

  it('names the quota field that is wrong, and wants a window', () => {
    const errors: Errors = {};
    quotaFromForm({ ...NO_QUOTA, cpu: 'lots', ramGBHours: '-1' }, errors);
    expect(Object.keys(errors).sort()).toEqual([
      'quota.cpuSeconds',
      'quota.ramGBSeconds',
      'quota.windowSeconds',
    ]);
    expect(errors['quota.cpuSeconds']).toMatch(/is not a duration/);
  });

  it('reads group ids and RAM limits, and maps API paths to fields', () => {
    const errors: Errors = {};
    expect(parseIds('1001, 1002 1003', 'sgids', errors)).toEqual([1001, 1002, 1003]);
    expect(parseLimitRam('512M', errors)).toBe(0.5);
    expect(errors).toEqual({});
    parseIds('7, x', 'sgids', errors);
    expect(errors.sgids).toBe('"x" is not a group id');
    expect(
      apiErrors(
        [
          { path: 'id', message: 'taken' },
          { path: 'sgids[3]', message: 'too big' },
          { path: '', message: 'bad' },
        ],
        { id: 'login' },
      ),
    ).toEqual({ login: 'taken', sgids: 'too big', form: 'bad' });
  });
});
