// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { chartData, type LiveUsageSample } from '../lib/live-usage.js';
import { ALICE, fakeClient, makeJob, renderApp } from '../test-app.js';

// happy-dom has no canvas for uPlot: the lazy chart is a stand-in showing the points it plots.
vi.mock('../components/usage-chart.js', () => ({
  default: (p: { samples: readonly LiveUsageSample[] }) => {
    const [xs, cores, gb] = chartData(p.samples);
    return (
      <p data-testid="usage-chart">
        {xs.length === 0 ? 'Collecting samples…' : cores.map((c, i) => `${c}@${gb[i]}`).join(' ')}
      </p>
    );
  },
}));

const maintenanceOff = { body: { maintenance: false } };
const sse = (events: Array<[string, unknown]>): string =>
  events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join('');

function finishedJob() {
  const started = Date.now() - 120_000;
  return makeJob({
    id: 42,
    state: 'over',
    outcome: 'success',
    meta: { name: 'align', description: '', tags: [] },
    placement: { host: 'node1', shard: 'node1/0', cpus: '0-3', mems: '0', gpus: [], ports: [] },
    usage: {
      cpuSeconds: 7980,
      ramGBSeconds: 1,
      gpuSeconds: 0,
      wallSeconds: 60,
      maxRamBytes: 3 * 2 ** 30,
    },
    status: {
      primary: 'over',
      secondary: '',
      reason: 'exit code 0',
      exitcode: 0,
      dates: {
        submitted: started - 1000,
        scheduled: started - 500,
        started,
        ended: started + 60_000,
        archived: null,
      },
    },
  });
}

describe('the job page', () => {
  it('shows a finished job: archive only, usage with units, placement, and its log as text', async () => {
    const { client } = fakeClient({
      'GET /jobs/42': { body: finishedJob() },
      'GET /jobs/42/logs': {
        type: 'text/event-stream',
        raw: sse([
          ['output', { text: 'start\n<script>alert(1)</script>\n' }],
          ['end', { state: 'over', outcome: 'success', exitcode: 0 }],
        ]),
      },
      'GET /jobs/42/files': {
        body: {
          path: '',
          entries: [{ name: 'god.log', type: 'file', size: 2048, mtime: Date.now() }],
        },
      },
      'GET /maintenance': maintenanceOff,
    });
    const { container } = renderApp('/jobs/42', client, ALICE);
    expect(await screen.findByTestId('job-name')).toHaveProperty('textContent', 'align');
    expect(
      screen
        .getAllByRole('button')
        .filter((b) => b.closest('[aria-label="Job actions"]'))
        .map((b) => b.textContent),
    ).toEqual(['archive']);
    expect(screen.getByText('2 h 13 min')).toBeTruthy();
    expect(screen.getByText('3 GB')).toBeTruthy();
    expect(screen.getByText('node1/0')).toBeTruthy();
    const log = await screen.findByRole('log', { name: 'stdout of job 42' });
    await waitFor(() => expect(log.textContent).toContain('<script>alert(1)</script>'));
    expect(container.querySelector('script')).toBeNull();
    await screen.findByText('job ended (success), exit code 0');
    const file = await screen.findByRole('link', { name: 'god.log' });
    expect(file.getAttribute('href')).toBe('/api/v1/jobs/42/files/download?path=god.log');
    expect(screen.getByRole('link', { name: 'Submit again' }).getAttribute('href')).toBe(
      '/submit?from=42',
    );
  });

  it('offers hold and kill while pending, says why it waits, and calls the action', async () => {
    let state: 'pending' | 'held' = 'pending';
    const { client, seen } = fakeClient({
      'GET /jobs/8': () => ({ body: makeJob({ id: 8, state }) }),
      'GET /jobs/8/why': {
        body: {
          jobId: 8,
          state: 'pending',
          code: 'QUOTA',
          message: 'over your CPU quota until 14:00',
        },
      },
      'POST /jobs/8/hold': () => {
        state = 'held';
        return { body: { jobId: 8, state: 'held' } };
      },
      'GET /maintenance': maintenanceOff,
    });
    renderApp('/jobs/8', client, ALICE);
    expect(await screen.findByRole('button', { name: 'hold' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'kill' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'suspend' })).toBeNull();
    expect((await screen.findByTestId('why-pending')).textContent).toContain(
      'over your CPU quota until 14:00',
    );
    await userEvent.setup().click(screen.getByRole('button', { name: 'hold' }));
    expect(await screen.findByRole('button', { name: 'release' })).toBeTruthy();
    expect(seen.find((s) => s.method === 'POST')?.headers.get('X-CSRF-Token')).toBe('csrf-1');
  });

  it('asks before a kill: cancel kills nothing, confirm kills', async () => {
    const { client, seen } = fakeClient({
      'GET /jobs/9': { body: makeJob({ id: 9, state: 'held' }) },
      'GET /jobs/9/why': {
        body: { jobId: 9, state: 'held', code: 'HELD', message: 'held by alice' },
      },
      'POST /jobs/9/kill': {
        status: 202,
        body: { jobId: 9, action: 'kill', requested: true, messageId: '1' },
      },
      'GET /maintenance': maintenanceOff,
    });
    renderApp('/jobs/9', client, ALICE);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'kill' }));
    expect((await screen.findByRole('alertdialog')).textContent).toContain('Kill job 9?');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(seen.some((s) => s.method === 'POST')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'kill' }));
    await user.click(await screen.findByRole('button', { name: 'Kill job 9' }));
    expect(await screen.findByText('kill requested')).toBeTruthy();
    expect(seen.filter((s) => s.method === 'POST').map((s) => s.url.pathname)).toEqual([
      '/api/v1/jobs/9/kill',
    ]);
  });

  it("shows an array's progress: the tasks that ended of all, and its tasks", async () => {
    const parent = makeJob({ id: 20, state: 'running' });
    parent.requirements.array = { spec: '1:4', first: 1, last: 4, step: 1, count: 4, limit: 0 };
    const { client } = fakeClient({
      'GET /jobs/20': { body: parent },
      'GET /jobs/20/tasks/summary': {
        body: {
          ...{ total: 4, pending: 1, held: 0, scheduled: 0, running: 0, suspended: 0 },
          ...{ success: 2, failed: 0, killed: 1, other: 0 },
        },
      },
      'GET /jobs': {
        body: { jobs: [makeJob({ id: 21, parent: 20, taskId: 1 })], nextCursor: null },
      },
      'GET /maintenance': maintenanceOff,
    });
    renderApp('/jobs/20', client, ALICE);
    const bar = await screen.findByRole('progressbar', { name: 'Tasks of job 20' });
    expect([bar.getAttribute('aria-valuenow'), bar.getAttribute('aria-valuemax')]).toEqual([
      '3',
      '4',
    ]);
    expect(screen.getByText('2 done, 1 failed, 0 running, 1 pending of 4')).toBeTruthy();
    expect(await screen.findByText('20.1')).toBeTruthy();
  });

  it('polls a running job’s live usage and plots cores busy and memory as samples come', async () => {
    const GB = 2 ** 30;
    const all: LiveUsageSample[] = [
      { t: 10_000, cpuSeconds: 0, memBytes: GB },
      { t: 15_000, cpuSeconds: 10, memBytes: 2 * GB },
      { t: 20_000, cpuSeconds: 15, memBytes: 3 * GB },
    ];
    let polls = 0;
    const { client, seen } = fakeClient({
      'GET /jobs/7': { body: makeJob({ id: 7, state: 'running' }) },
      // One more sample on each poll, as the agent publishes them.
      'GET /jobs/7/usage/live': () => ({ body: { samples: all.slice(0, ++polls) } }),
      'GET /maintenance': maintenanceOff,
    });
    renderApp('/jobs/7', client, ALICE);
    const chart = await screen.findByTestId('usage-chart');
    expect(chart.textContent).toBe('Collecting samples…');
    // The next polls (every 3 s) bring the second and third samples.
    await waitFor(() => expect(chart.textContent).toBe('2@2 1@3'), { timeout: 8_000 });
    const asked = seen.filter((s) => s.url.pathname === '/api/v1/jobs/7/usage/live');
    expect(asked.length).toBeGreaterThanOrEqual(3);
  }, 15_000);

  it('says a job it cannot see does not exist', async () => {
    const { client } = fakeClient({ 'GET /maintenance': maintenanceOff });
    renderApp('/jobs/77', client, ALICE);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This job does not exist, or you may not see it.',
    );
  });
});
