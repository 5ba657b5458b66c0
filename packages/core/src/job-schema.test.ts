import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { newJobFromSubmission, parseJobSubmission } from './job-schema.js';
import { arrayTaskIds, parseArraySpec, parseDurationSeconds, parseSizeBytes } from './units.js';

const GiB = 2 ** 30;

const minimal = { container: { image: 'busybox' }, command: { cmd: 'echo hi' } };

/** The paths named by a ValidationError thrown by `fn`. */
function badPaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues.map((i) => i.path).sort();
  }
  throw new Error('expected a ValidationError');
}

describe('job submission', () => {
  it('fills defaults for a minimal job', () => {
    const sub = parseJobSubmission(minimal);
    expect(sub.requirements).toMatchObject({
      cpu: 1,
      ram: GiB,
      gpus: 0,
      array: null,
      tasks: [],
      maxlifespan: 0,
    });
    expect(sub).toMatchObject({ project: 'default', hold: false, env: {} });
    expect(sub.container).toEqual({ image: 'busybox', volumes: [], root: false });
  });

  it('accepts RAM as 8G, 512M or a number of GB, as bytes, and durations as text', () => {
    const ram = (v: number | string): number =>
      parseJobSubmission({ ...minimal, requirements: { ram: v } }).requirements.ram;
    expect(ram('8G')).toBe(8 * GiB);
    expect(ram('512M')).toBe(GiB / 2);
    expect(ram(2.5)).toBe(2.5 * GiB);
    expect(ram('6291456B')).toBe(6 * 2 ** 20);
    expect(
      parseJobSubmission({ ...minimal, requirements: { maxlifespan: '1h30m' } }).requirements
        .maxlifespan,
    ).toBe(5400);
  });

  it('normalises dependencies: a bare id means afterok', () => {
    const sub = parseJobSubmission({
      ...minimal,
      requirements: { tasks: [4, { id: 5, kind: 'afterany' }] },
    });
    expect(sub.requirements.tasks).toEqual([
      { id: 4, kind: 'afterok' },
      { id: 5, kind: 'afterany' },
    ]);
  });

  it('names every bad field at once, including unknown ones', () => {
    const paths = badPaths(() =>
      parseJobSubmission({
        requirments: {},
        requirements: { cpu: 0, ram: '8X', mem: 4, array: '5:1', tasks: [-1], label: ['gpu=1'] },
        container: { image: 'Bad Image!', volumes: [{ name: 'home', acl: 'rwx' }] },
        command: { cmd: '' },
        env: { GODOCKER_JID: '1', 'bad-name': 'x' },
      }),
    );
    expect(paths).toEqual([
      'command.cmd',
      'container.image',
      'container.volumes[0].acl',
      'env.GODOCKER_JID',
      'env.bad-name',
      'requirements.array',
      'requirements.cpu',
      'requirements.label[0]',
      'requirements.mem',
      'requirements.ram',
      'requirements.tasks[0]',
      'requirments',
    ]);
  });

  it('refuses a payload that is not an object, naming the missing parts', () => {
    expect(badPaths(() => parseJobSubmission({}))).toEqual(['command', 'container']);
    expect(badPaths(() => parseJobSubmission('job'))).toEqual(['']);
  });

  it('builds a new job owned by the authenticated user, held when asked', () => {
    const sub = parseJobSubmission({
      ...minimal,
      project: 'bio',
      hold: true,
      meta: { name: 'align', tags: ['t1'] },
    });
    const job = newJobFromSubmission(sub, { id: 'alice', uid: 1001, gid: 100, sgids: [10] }, 5);
    expect(job).toMatchObject({
      state: 'held',
      submitted: 5,
      user: { id: 'alice', uid: 1001, gid: 100, sgids: [10], project: 'bio' },
      meta: { name: 'align', tags: ['t1'] },
      why: { code: 'HELD' },
    });
  });
});

describe('units', () => {
  it('parses arrays with exact bounds', () => {
    const cases: Array<[string, number[]]> = [
      ['3', [1, 2, 3]],
      ['1:9:3', [1, 4, 7]],
      ['1:10:3', [1, 4, 7, 10]],
      ['0:0', [0]],
      ['5:7', [5, 6, 7]],
    ];
    for (const [spec, ids] of cases) {
      const parsed = parseArraySpec(spec);
      if (typeof parsed === 'string') throw new Error(parsed);
      expect(arrayTaskIds(parsed)).toEqual(ids);
      expect(parsed.count).toBe(ids.length);
      expect(parsed.last).toBe(ids.at(-1));
    }
    expect(parseArraySpec('1:100:10%4')).toMatchObject({
      first: 1,
      last: 91,
      step: 10,
      count: 10,
      limit: 4,
    });
  });

  it('refuses bad arrays with a reason', () => {
    for (const bad of ['0', '5:1', '1:5:0', '1:5%0', 'a:b', '1:20000000', '-1:3']) {
      expect(typeof parseArraySpec(bad), bad).toBe('string');
    }
  });

  it('parses sizes and durations', () => {
    expect(parseSizeBytes('1T')).toBe(1024 * GiB);
    expect(parseSizeBytes('2048K')).toBe(2048 * 1024);
    expect(parseSizeBytes('4GiB')).toBe(4 * GiB);
    expect(parseSizeBytes('0G')).toBe(0);
    expect(typeof parseSizeBytes(-1)).toBe('string');
    expect(parseDurationSeconds('2d')).toBe(172800);
    expect(parseDurationSeconds('90')).toBe(90);
    expect(typeof parseDurationSeconds('1.5h')).toBe('string');
    expect(typeof parseDurationSeconds('')).toBe('string');
  });
});
