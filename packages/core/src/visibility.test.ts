import { describe, expect, it } from 'vitest';
import { isAdministrator, jobVisibility, mayViewJob } from './visibility.js';

const job = { user: { id: 'alice', project: 'genomics' } };
const members = new Set(['carol@genomics']);
const isMember = (u: string, p: string) => members.has(`${u}@${p}`);

describe('who may see a job', () => {
  it.each([
    ['the owner', { id: 'alice', admin: false }, false, true],
    ['an administrator', { id: 'boss', admin: true }, false, true],
    ['a project member, shared', { id: 'carol', admin: false }, true, true],
    ['a project member, not shared', { id: 'carol', admin: false }, false, false],
    ['a stranger, shared', { id: 'eve', admin: false }, true, false],
    ['a stranger', { id: 'eve', admin: false }, false, false],
  ])('%s', (_name, viewer, share, expected) => {
    expect(mayViewJob(viewer, job, share, isMember)).toBe(expected);
  });

  it('asks for a membership only when sharing could decide', () => {
    expect(jobVisibility({ id: 'eve', admin: false }, job, false)).toBe('hidden');
    expect(jobVisibility({ id: 'eve', admin: false }, job, true)).toEqual({
      ifMemberOf: 'genomics',
    });
  });

  it('knows administrators from the config or the store', () => {
    expect(isAdministrator(['root-admin'], 'root-admin', null)).toBe(true);
    expect(isAdministrator([], 'boss', { admin: true })).toBe(true);
    expect(isAdministrator([], 'eve', { admin: false })).toBe(false);
  });
});
