// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Fairshare, Session } from '@god/client';
import type { Metric, Series } from '../lib/usage.js';
import { ALICE, fakeClient, renderApp, type Routes } from '../test-app.js';

// happy-dom has no canvas for uPlot: the lazy chart is a stand-in showing what it was given.
vi.mock('../components/usage-history-chart.js', () => ({
  default: (p: { series: Series; metric: Metric }) => (
    <p data-testid={`chart-${p.metric}`}>
      {p.series.projects.map((name, i) => `${name}: ${p.series.values[i]!.join(',')}`).join('; ')}
    </p>
  ),
}));

const ADMIN: Session = { user: 'boss', admin: true, expiresAt: 0, csrf: 'csrf-2' };
const todayStart = Date.now() - (Date.now() % 86_400_000);
const bucket = {
  start: todayStart,
  project: 'astro',
  cpuSeconds: 120,
  ramGBSeconds: 60,
  gpuSeconds: 0,
  wallSeconds: 120,
  jobs: 2,
};
const totals = { cpuSeconds: 30, ramGBSeconds: 500, gpuSeconds: 0, wallSeconds: 0, jobs: 1 };
const quota = {
  cpuSeconds: 100,
  ramGBSeconds: 400,
  gpuSeconds: 0,
  wallSeconds: 0,
  windowSeconds: 86_400,
};
const standing = (rank: number, share: number, usageShare: number, error?: number) => ({
  share,
  usage: usageShare * 100,
  priority: 1 - usageShare,
  factors: { fairshare: 0.5, usageShare, configuredPriority: 50, active: true },
  rank,
  ...(error !== undefined && { fairnessError: error }),
});

function serve(fairshare: Fairshare, extra: Routes = {}): ReturnType<typeof fakeClient> {
  return fakeClient({
    'GET /maintenance': { body: { maintenance: false } },
    'GET /usage': ({ url }) =>
      url.searchParams.has('project')
        ? { body: { days: [], totals: { ...totals, cpuSeconds: 10 } } }
        : { body: { days: [], totals } },
    'GET /usage/history': ({ url }) => ({
      body: {
        bucket: url.searchParams.get('bucket'),
        from: Number(url.searchParams.get('from')),
        to: Date.now(),
        buckets: [bucket],
      },
    }),
    'GET /users/alice': { body: { id: 'alice', quota } },
    'GET /users/boss': { body: { id: 'boss', quota: null } },
    'GET /projects': {
      body: {
        projects: [
          { id: 'default', quota: null },
          { id: 'astro', quota },
        ],
      },
    },
    'GET /fairshare': { body: fairshare },
    'GET /users': { body: { users: [{ id: 'carol' }, { id: 'boss' }] } },
    ...extra,
  });
}

const FIFO: Fairshare = {
  policy: 'fifo',
  users: [
    { user: 'alice', ...standing(1, 0, 0), share: null, priority: null, factors: null, rank: null },
  ],
  projects: [],
};

describe('the usage page', () => {
  it('shows each quota as used / limit with units', async () => {
    const { client, seen } = serve(FIFO);
    renderApp('/usage', client, ALICE);
    const own = await screen.findByRole('heading', { name: /Your quota \(alice\)/ });
    const card = own.closest('.quota') as HTMLElement;
    const cpu = await within(card).findByRole('progressbar', { name: 'CPU' });
    expect(cpu.getAttribute('aria-valuetext')).toBe('30 cpu·s / 100 cpu·s');
    expect(cpu.getAttribute('aria-valuenow')).toBe('30');
    // Over the limit: the bar is full and marked.
    const ram = within(card).getByRole('progressbar', { name: 'RAM' });
    expect(ram.getAttribute('aria-valuetext')).toBe('500 GB·s / 400 GB·s');
    expect(ram.classList.contains('bar-full')).toBe(true);
    // Unlimited amounts have no bar.
    expect(within(card).queryByRole('progressbar', { name: 'GPU' })).toBeNull();
    const astro = screen.getByRole('heading', { name: /Project astro/ }).closest('.quota')!;
    await waitFor(() =>
      expect(
        within(astro as HTMLElement)
          .getByRole('progressbar', { name: 'CPU' })
          .getAttribute('aria-valuetext'),
      ).toBe('10 cpu·s / 100 cpu·s'),
    );
    // The window of the quota is the one asked for.
    const window = seen.find((s) => s.url.searchParams.get('project') === 'astro')!;
    const since = Number(window.url.searchParams.get('since'));
    expect(Date.now() - since).toBeGreaterThanOrEqual(86_400_000);
    expect(Date.now() - since).toBeLessThan(86_400_000 + 60_000);
  });

  it('totals usage per project with units, asking for the user’s own', async () => {
    const { client, seen } = serve(FIFO);
    renderApp('/usage', client, ALICE);
    const row = (await screen.findByTestId('usage-totals')).querySelector(
      '[data-project="astro"]',
    )!;
    expect([...row.querySelectorAll('td')].map((td) => td.textContent)).toEqual([
      'astro',
      '2',
      '120 cpu·s',
      '60 GB·s',
      '0 GPU·s',
    ]);
    // The charts get a day per point, the project's usage on today's (the last).
    expect((await screen.findByTestId('chart-cpuSeconds')).textContent).toMatch(
      /^astro: (0,)+120$/,
    );
    expect(screen.getByTestId('chart-ramGBSeconds').textContent).toMatch(/^astro: (0,)+60$/);
    const asked = seen.find((s) => s.url.pathname === '/api/v1/usage/history')!.url.searchParams;
    expect(asked.get('user')).toBe('alice');
    expect(asked.get('bucket')).toBe('day');
    expect(Date.now() - Number(asked.get('from'))).toBeGreaterThanOrEqual(30 * 86_400_000);
  });

  it('draws the last 48 hours per hour', async () => {
    const { client, seen } = serve(FIFO);
    renderApp('/usage', client, ALICE);
    await screen.findByTestId('usage-totals');
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Period'), 'last 48 hours');
    await waitFor(() =>
      expect(screen.getByRole('heading', { name: 'Usage per hour' })).toBeTruthy(),
    );
    const last = seen.filter((s) => s.url.pathname === '/api/v1/usage/history').at(-1)!;
    expect(last.url.searchParams.get('bucket')).toBe('hour');
    // 48 or 49 hourly points (the current hour included), today's usage in one of them.
    const text = (await screen.findByTestId('chart-cpuSeconds')).textContent ?? '';
    const points = text.replace(/^astro: /, '').split(',');
    expect(points.length).toBeGreaterThanOrEqual(48);
    expect(points.filter((p) => p === '120')).toHaveLength(1);
  });

  it('says the policy is FIFO instead of showing empty tables', async () => {
    const { client } = serve(FIFO);
    renderApp('/usage', client, ALICE);
    expect((await screen.findByTestId('policy')).textContent).toMatch(
      /^policy: FIFO \(no fair share\)/,
    );
    expect(screen.queryByRole('table', { name: /Fair share/ })).toBeNull();
  });

  it('shows a user where they stand under fair share, without a fairness error', async () => {
    const { client } = serve({
      policy: 'fairshare',
      users: [{ user: 'alice', ...standing(2, 0.25, 0.4) }],
      projects: [{ project: 'default', ...standing(1, 1, 1) }],
    });
    renderApp('/usage', client, ALICE);
    expect((await screen.findByTestId('policy')).textContent).toContain(
      'you rank 2 (1 runs first): configured share 25 %, achieved 40 %',
    );
    expect(screen.queryByText('Fairness error')).toBeNull();
  });

  it('lets an administrator sort everyone by fairness error', async () => {
    const { client } = serve({
      policy: 'fairshare',
      users: [
        { user: 'alice', ...standing(2, 0.5, 0.7, 0.2) },
        { user: 'bob', ...standing(1, 0.3, 0.05, -0.25) },
        { user: 'carol', ...standing(3, 0.2, 0.25, 0.05) },
      ],
      projects: [{ project: 'default', ...standing(1, 1, 1, 0) }],
    });
    renderApp('/usage', client, ADMIN);
    const table = await screen.findByRole('table', { name: 'Fair share of users' });
    const names = (): string[] =>
      [...table.querySelectorAll('tbody tr')].map((r) => r.getAttribute('data-party')!);
    expect(names()).toEqual(['bob', 'alice', 'carol']); // by rank
    const user = userEvent.setup();
    const header = within(table).getByRole('button', { name: 'Fairness error' });
    await user.click(header);
    expect(names()).toEqual(['bob', 'carol', 'alice']);
    expect(header.closest('th')?.getAttribute('aria-sort')).toBe('ascending');
    await user.click(header);
    expect(names()).toEqual(['alice', 'carol', 'bob']);
    expect(header.closest('th')?.getAttribute('aria-sort')).toBe('descending');
    expect(within(table).getByText('+20.0 pts')).toBeTruthy();
    expect(within(table).getByText('−25.0 pts')).toBeTruthy();
    // The chart: configured vs achieved per user.
    expect(
      screen.getByRole('listitem', { name: 'bob: configured 30 %, achieved 5 %' }),
    ).toBeTruthy();
  });

  it('lets an administrator look at everyone’s usage', async () => {
    const { client, seen } = serve(FIFO);
    renderApp('/usage', client, ADMIN);
    await screen.findByTestId('usage-totals');
    const user = userEvent.setup();
    const history = () => seen.filter((s) => s.url.pathname === '/api/v1/usage/history');
    expect(history()[0]!.url.searchParams.get('user')).toBe('boss');
    await user.selectOptions(screen.getByLabelText('Whose usage'), 'all users');
    await waitFor(() => expect(history().at(-1)!.url.searchParams.has('user')).toBe(false));
    await screen.findByRole('option', { name: 'carol' });
    await user.selectOptions(screen.getByLabelText('Whose usage'), 'carol');
    await waitFor(() => expect(history().at(-1)!.url.searchParams.get('user')).toBe('carol'));
  });
});
