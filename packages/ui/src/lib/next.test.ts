import { describe, expect, it } from 'vitest';
import { loginUrl, safeNext } from './next.js';

describe('the login redirect', () => {
  it.each([
    [null, '/jobs'],
    ['/jobs/12', '/jobs/12'],
    ['/jobs?state=running', '/jobs?state=running'],
    ['//evil.example/x', '/jobs'],
    ['/\\evil.example', '/jobs'],
    ['https://evil.example', '/jobs'],
    ['/login?next=/x', '/jobs'],
  ])('next=%s goes to %s', (next, to) => expect(safeNext(next)).toBe(to));

  it('comes back to the page and its query', () => {
    expect(loginUrl('/jobs?state=running&q=a b')).toBe(
      '/login?next=%2Fjobs%3Fstate%3Drunning%26q%3Da%20b',
    );
    expect(loginUrl('/')).toBe('/login');
  });
});
