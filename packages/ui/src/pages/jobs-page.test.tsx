// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ALICE, fakeClient, makeJob, renderApp } from '../test-app.js';

const maintenanceOff = { body: { maintenance: false } };

describe('the jobs list', () => {
  it('asks the API for the filters of the URL, and writes changed filters back to it', async () => {
    const { client, seen } = fakeClient({
      'GET /jobs': { body: { jobs: [makeJob({ id: 7, state: 'running' })], nextCursor: null } },
      'GET /maintenance': maintenanceOff,
    });
    const { router } = renderApp('/jobs?state=running&q=align&order=asc', client, ALICE);
    const row = await screen.findByText('job', { selector: 'a' });
    expect(row.closest('tr')?.getAttribute('data-job-id')).toBe('7');
    const asked = seen.find((s) => s.url.pathname === '/api/v1/jobs')!.url.searchParams;
    // Top-level jobs only, with a state filter too (an array is running while its tasks run).
    expect(Object.fromEntries(asked)).toMatchObject({
      state: 'running',
      q: 'align',
      order: 'asc',
      top_level: 'true',
    });
    // The filter bar shows what the URL says.
    expect(screen.getByRole('checkbox', { name: 'running' })).toHaveProperty('checked', true);
    expect(screen.getByLabelText('Name')).toHaveProperty('value', 'align');

    const user = userEvent.setup();
    await user.click(screen.getByRole('checkbox', { name: 'held' }));
    await waitFor(() =>
      expect(router.state.location.search).toBe('?state=running%2Cheld&q=align&order=asc'),
    );
    const last = seen.filter((s) => s.url.pathname === '/api/v1/jobs').at(-1)!.url.searchParams;
    expect(last.get('state')).toBe('running,held');
  });

  it('renders a job name as text, never as markup', async () => {
    const { client } = fakeClient({
      'GET /jobs': {
        body: {
          jobs: [
            makeJob({
              id: 1,
              meta: { name: '<img src=x onerror=alert(1)>', description: '', tags: [] },
            }),
          ],
          nextCursor: null,
        },
      },
      'GET /maintenance': maintenanceOff,
    });
    const { container } = renderApp('/jobs', client, ALICE);
    await screen.findByText('<img src=x onerror=alert(1)>');
    expect(container.querySelector('img')).toBeNull();
  });

  it('pages with the cursor forward and back', async () => {
    const { client, seen } = fakeClient({
      'GET /jobs': ({ url }) =>
        url.searchParams.get('cursor') === 'c2'
          ? { body: { jobs: [makeJob({ id: 2 })], nextCursor: null } }
          : { body: { jobs: [makeJob({ id: 3 })], nextCursor: 'c2' } },
      'GET /maintenance': maintenanceOff,
    });
    renderApp('/jobs', client, ALICE);
    const user = userEvent.setup();
    await screen.findByText('3', { selector: 'a' });
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText('2', { selector: 'a' });
    expect(screen.getByRole('button', { name: 'Next' })).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('button', { name: 'Previous' }));
    await screen.findByText('3', { selector: 'a' });
    expect(seen.some((s) => s.url.searchParams.get('cursor') === 'c2')).toBe(true);
  });

  it('kills the selected jobs one by one and says which were refused', async () => {
    const { client, seen } = fakeClient({
      'GET /jobs': { body: { jobs: [makeJob({ id: 4 }), makeJob({ id: 5 })], nextCursor: null } },
      'POST /jobs/4/kill': {
        status: 202,
        body: { jobId: 4, action: 'kill', requested: true, messageId: '1' },
      },
      'POST /jobs/5/kill': {
        status: 409,
        body: { error: { code: 'CONFLICT', message: 'job 5 is already over' } },
      },
      'GET /maintenance': maintenanceOff,
    });
    renderApp('/jobs', client, ALICE);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('checkbox', { name: 'Select job 4' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select job 5' }));
    await user.click(screen.getByRole('button', { name: 'Kill' }));
    await user.click(await screen.findByRole('button', { name: 'Kill 2' }));
    const status = await screen.findByText(/kill: 1 requested, 1 refused/);
    expect(within(status).getByText('job 5: job 5 is already over')).toBeTruthy();
    const kills = seen.filter((s) => s.method === 'POST');
    expect(kills.map((s) => s.headers.get('X-CSRF-Token'))).toEqual(['csrf-1', 'csrf-1']);
  });

  it('shows an array as one row with its tasks progress, and its tasks on demand', async () => {
    const array = { spec: '1:4', first: 1, last: 4, step: 1, count: 4, limit: 0 };
    const parent = makeJob({ id: 10, state: 'running' });
    parent.requirements.array = array;
    const task = makeJob({ id: 11, parent: 10, taskId: 1, state: 'over', outcome: 'success' });
    // As the server answers: tasks are left out only when top_level=true asks so.
    const { client, seen } = fakeClient({
      'GET /jobs': ({ url }) => {
        const p = url.searchParams;
        const jobs = p.get('parent') === '10' ? [task] : [parent, task];
        return {
          body: {
            jobs: jobs.filter((j) => p.get('top_level') !== 'true' || j.parent === null),
            nextCursor: null,
          },
        };
      },
      'GET /jobs/10/tasks/summary': {
        body: {
          total: 4,
          pending: 1,
          held: 0,
          scheduled: 0,
          running: 1,
          suspended: 0,
          success: 1,
          failed: 1,
          killed: 0,
          other: 0,
        },
      },
      'GET /maintenance': { body: { maintenance: true } },
    });
    const { container } = renderApp('/jobs', client, ALICE);
    const bar = await screen.findByRole('progressbar', { name: 'Tasks of job 10' });
    const list = seen.find((s) => s.url.pathname === '/api/v1/jobs')!.url.searchParams;
    expect(list.get('top_level')).toBe('true');
    // One row: the array; its task is not a row of the list.
    const rows = () => [...container.querySelectorAll('table.jobs > tbody > tr[data-job-id]')];
    expect(rows().map((r) => r.getAttribute('data-job-id'))).toEqual(['10']);
    expect(screen.queryByText('10.1')).toBeNull();
    expect(
      ['aria-valuenow', 'aria-valuemax', 'aria-valuetext'].map((a) => bar.getAttribute(a)),
    ).toEqual(['2', '4', '1 done, 1 failed, 1 running, 1 pending of 4']);
    expect(screen.getByText(/^Maintenance:/)).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Show the tasks of job 10' }));
    const taskLink = await screen.findByText('10.1');
    // Under the array's row, in its own table of tasks, asked with parent=10.
    expect(taskLink.closest('tr.tasks-row')).not.toBeNull();
    expect(container.querySelector('tr.tasks-row tr[data-job-id="11"]')).not.toBeNull();
    const tasksAsked = seen.find((s) => s.url.searchParams.get('parent') === '10')!.url;
    expect(tasksAsked.searchParams.get('top_level')).toBeNull();
  });
});
