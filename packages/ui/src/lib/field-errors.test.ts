import { describe, expect, it } from 'vitest';
import { fieldErrors, fieldOf } from './field-errors.js';

describe('field issues of the API on the submit form', () => {
  it.each([
    ['requirements.cpu', 'cpu'],
    ['requirements.ram', 'ram'],
    ['requirements.gpus', 'gpus'],
    ['requirements.array', 'array'],
    ['requirements.tasks[0].id', 'dependencies'],
    ['requirements.label[1]', 'labels'],
    ['container.image', 'image'],
    ['container.volumes[0].name', 'volumes'],
    ['command.cmd', 'script'],
    ['meta.name', 'name'],
    ['project', 'project'],
    ['requirements.cpuset', 'form'],
    ['env.X', 'form'],
  ])('%s goes to %s', (path, field) => expect(fieldOf(path)).toBe(field));

  it('joins several issues of one field, and names the path of unmatched ones', () => {
    expect(
      fieldErrors([
        { path: 'container.volumes[0].name', message: 'not granted' },
        { path: 'container.volumes[1].acl', message: 'read-only' },
        { path: 'env.X', message: 'bad' },
      ]),
    ).toEqual({ volumes: 'not granted; read-only', form: 'env.X: bad' });
  });
});
