// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ALICE, fakeClient, makeJob, renderApp } from '../test-app.js';

const config = {
  images: [
    { name: 'busybox', url: 'god-test/busybox:latest', interactive: false, default: true },
    { name: 'python', url: 'python:3.12', interactive: false, default: false },
  ],
  volumes: [{ name: 'home', acl: 'rw', path: '$HOME', mount: '/home' }],
  constraints: [{ name: 'zone', values: ['a', 'b'] }],
  defaults: { image: 'god-test/busybox:latest', cpu: 1, ram: 2 ** 30 },
  limits: { job: { max_cpu: 64, max_ram: 2 ** 40, max_gpus: 4 } },
  allow_root: false,
};
const maintenanceOff = { body: { maintenance: false } };

describe('the submit form', () => {
  it('previews array task ids as the spec is typed, and says why a spec is bad', async () => {
    const { client } = fakeClient({
      'GET /config': { body: config },
      'GET /maintenance': maintenanceOff,
    });
    renderApp('/submit', client, ALICE);
    const user = userEvent.setup();
    const array = await screen.findByLabelText('Array');
    await user.type(array, '1:9:3');
    expect(screen.getByTestId('array-preview').textContent).toBe('1, 4, 7 (3 tasks)');
    await user.clear(array);
    await user.type(array, '1-10%2');
    expect(screen.getByTestId('array-preview').textContent).toMatch(
      /is not an array: use N, start:end/,
    );
  });

  it('shows the API field errors next to their fields', async () => {
    const { client, seen } = fakeClient({
      'GET /config': { body: config },
      'GET /maintenance': maintenanceOff,
      'POST /jobs': {
        status: 400,
        body: {
          error: {
            code: 'INVALID_INPUT',
            message: 'invalid job',
            issues: [
              { path: 'requirements.cpu', message: 'must be at most 64 cores (limits.job)' },
              { path: 'container.volumes[0].name', message: 'home is not granted to you' },
              { path: 'requirements.tasks[0].id', message: 'job 99 not found' },
              { path: 'env.X', message: 'unknown' },
            ],
          },
        },
      },
    });
    renderApp('/submit', client, ALICE);
    const user = userEvent.setup();
    await user.click(await screen.findByLabelText('Plain text editor'));
    await user.type(screen.getByLabelText('Script'), 'echo hi');
    await user.clear(screen.getByLabelText('CPUs'));
    await user.type(screen.getByLabelText('CPUs'), '128');
    await user.clear(screen.getByLabelText('RAM'));
    await user.type(screen.getByLabelText('RAM'), '8G');
    expect(screen.getByText('= 8 GB')).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('home → /home'), 'rw');
    await user.type(screen.getByLabelText('afterok'), '99');
    await user.click(screen.getByTestId('submit-button'));

    expect((await screen.findByTestId('cpu-error')).textContent).toBe(
      'must be at most 64 cores (limits.job)',
    );
    expect(screen.getByLabelText('CPUs').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('CPUs').getAttribute('aria-describedby')).toContain('cpu-error');
    expect(screen.getByTestId('volumes-error').textContent).toBe('home is not granted to you');
    expect(screen.getByTestId('dependencies-error').textContent).toBe('job 99 not found');
    expect(screen.getByTestId('submit-error').textContent).toBe('env.X: unknown');

    const sent = seen.find((s) => s.method === 'POST')!;
    expect(sent.body).toMatchObject({
      requirements: { cpu: 128, ram: '8G', tasks: [{ id: 99, kind: 'afterok' }] },
      container: { image: 'god-test/busybox:latest', volumes: [{ name: 'home', acl: 'rw' }] },
      command: { cmd: '#!/bin/sh\necho hi' },
    });
    expect(sent.headers.get('X-CSRF-Token')).toBe('csrf-1');
  });

  it('refuses a bad RAM before asking the API, with the parser’s reason', async () => {
    const { client, seen } = fakeClient({
      'GET /config': { body: config },
      'GET /maintenance': maintenanceOff,
    });
    renderApp('/submit', client, ALICE);
    const user = userEvent.setup();
    const ram = await screen.findByLabelText('RAM');
    await user.clear(ram);
    await user.type(ram, 'lots');
    await user.click(screen.getByTestId('submit-button'));
    expect((await screen.findByTestId('ram-error')).textContent).toMatch(/is not a size/);
    expect(seen.some((s) => s.method === 'POST')).toBe(false);
  });

  it('submits again from a job, prefilled, and opens the new job', async () => {
    const source = makeJob({ id: 5, meta: { name: 'again', description: '', tags: [] } });
    source.requirements.ram = 512 * 2 ** 20;
    source.requirements.label = ['zone==b'];
    const { client, seen } = fakeClient({
      'GET /config': { body: config },
      'GET /maintenance': maintenanceOff,
      'GET /jobs/5': { body: source },
      'POST /jobs': { status: 201, body: { job: makeJob({ id: 6 }) } },
      'GET /jobs/6': { body: makeJob({ id: 6 }) },
      'GET /jobs/6/why': { body: { jobId: 6, state: 'pending', code: 'NEW', message: 'new' } },
    });
    const { router } = renderApp('/submit?from=5', client, ALICE);
    expect(await screen.findByLabelText('Name')).toHaveProperty('value', 'again');
    expect(screen.getByLabelText('RAM')).toHaveProperty('value', '512M');
    expect(screen.getByLabelText('zone')).toHaveProperty('value', 'b');
    await userEvent.setup().click(screen.getByTestId('submit-button'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/jobs/6'));
    expect(seen.find((s) => s.method === 'POST')?.body).toMatchObject({
      meta: { name: 'again' },
      requirements: { ram: '512M', label: ['zone==b'] },
      command: { cmd: 'echo hi' },
    });
  });
});
