import { describe, expect, it } from 'vitest';
import {
  filtersFromQuery,
  filtersToApi,
  filtersToQuery,
  NO_FILTERS,
  type JobFilters,
} from './filters.js';

describe('job filters in the URL', () => {
  it('round-trips every filter through the query string', () => {
    const f: JobFilters = {
      states: ['running', 'pending'],
      q: 'align & sort',
      project: 'genomics',
      user: 'bob',
      from: '2026-12-01',
      to: '2026-12-06',
      order: 'asc',
    };
    const query = filtersToQuery(f).toString();
    expect(filtersFromQuery(new URLSearchParams(query))).toEqual(f);
  });

  it('writes nothing for no filter, and reads nothing as no filter', () => {
    expect(filtersToQuery(NO_FILTERS).toString()).toBe('');
    expect(filtersFromQuery(new URLSearchParams(''))).toEqual(NO_FILTERS);
  });

  it('drops what is malformed instead of guessing', () => {
    const f = filtersFromQuery(
      new URLSearchParams('state=running,nope,running&from=yesterday&order=up'),
    );
    expect(f).toEqual({ ...NO_FILTERS, states: ['running'] });
  });

  it('asks the API for whole local days', () => {
    const api = filtersToApi({ ...NO_FILTERS, from: '2026-12-01', to: '2026-12-01', q: ' x ' });
    const after = Number(api['submitted_after']);
    const before = Number(api['submitted_before']);
    expect(new Date(after).getHours()).toBe(0);
    expect(new Date(after).getDate()).toBe(1);
    expect(new Date(before).getDate()).toBe(2);
    expect(api).toMatchObject({ q: 'x', order: 'desc', top_level: 'true' });
    expect(api['state']).toBeUndefined();
  });
});
