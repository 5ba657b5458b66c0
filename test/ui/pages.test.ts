/**
 * The usage and cluster pages end to end, in Debian's chromium against a whole real god: a
 * user's running job is drawn on the cluster map in its colour with its number and owner,
 * while another user sees the same cores only as busy (the API redacts; the page shows what it
 * gets); once the job ends, the map frees its cores live and the usage page shows what it used.
 * Screenshots at phone and desktop size go to docs/ui/.
 *
 * Skipped only while the UI is not built, like app.test.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '@god/core';
import { waitFor } from '@god/testkit';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../e2e/processes.js';
import { screenshot, useBrowser, type Viewport } from './browser.js';
import { gatedScript, IMAGE, useCluster, type ClusterUser } from './god-cluster.js';
import {
  cellsThatAre,
  hostCards,
  jobCells,
  LIVE_MS,
  logInByApi,
  PAGE_ROUTES,
  usageRow,
} from './ui-pages.js';

const UI_INDEX = join(REPO_ROOT, 'packages/ui/dist/index.html');
const UI_IN_TREE = existsSync(join(REPO_ROOT, 'packages/ui/package.json'));
const SKIP = !existsSync(UI_INDEX) && !(UI_IN_TREE && process.env['CI'] !== undefined);
const TITLE = SKIP
  ? 'the usage and cluster pages (skipped: packages/ui/dist/index.html is missing)'
  : 'the usage and cluster pages';

const POLL = { timeoutMs: LIVE_MS, everyMs: 100 };
const POLLED = { timeout: LIVE_MS, interval: 100 };
const SECRET_NAME = 'alices-secret-run';

describe.skipIf(SKIP)(TITLE, { timeout: 180_000 }, () => {
  const cluster = useCluster({ name: 'pages' });
  const browser = useBrowser();
  let alice: ClusterUser;
  let bob: ClusterUser;
  let job: Job;

  beforeAll(async () => {
    alice = await cluster().createUser('alice', 'alice has a long password', 4301, 4301);
    bob = await cluster().createUser('bob', 'bob has a long password too', 4302, 4302);
  });

  async function open(who: ClusterUser, viewport: Viewport = 'desktop'): Promise<Page> {
    const { page } = await browser.open({ baseURL: cluster().baseUrl, viewport });
    await logInByApi(page, { login: who.login, password: who.password });
    return page;
  }

  function until(id: number, what: string, ok: (j: Job) => boolean): Promise<Job> {
    return waitFor(
      `job ${id} ${what}`,
      async () => {
        const j = await alice.client.getJob(id);
        return ok(j) ? j : null;
      },
      POLL,
    );
  }

  it("colours and names a user's running job on the map; another user sees its cores as busy", async () => {
    job = await alice.client.submit({
      meta: { name: SECRET_NAME },
      requirements: { cpu: 1, ram: '64M' },
      container: { image: IMAGE },
      command: { cmd: gatedScript() },
    });
    await until(job.id, 'running', (j) => j.state === 'running');

    const mine = await open(alice);
    await mine.goto(PAGE_ROUTES.cluster);
    const cells = jobCells(mine, job.id);
    await cells.first().waitFor({ timeout: LIVE_MS });
    expect(await cells.count()).toBe(1);
    expect(await cells.first().getAttribute('aria-label')).toMatch(
      new RegExp(`^core \\d+: job ${job.id} \\(alice\\)$`),
    );
    expect(await cells.first().textContent()).toBe(String(job.id));
    const style = await mine
      .locator(`li.cell:has(a[data-job-id="${job.id}"])`)
      .first()
      .getAttribute('style');
    expect(style).toMatch(/^background-color: /);
    await screenshot(mine, 'cluster-desktop');
    const phone = await open(alice, 'phone');
    await phone.goto(PAGE_ROUTES.cluster);
    await jobCells(phone, job.id).first().waitFor({ timeout: LIVE_MS });
    await screenshot(phone, 'cluster-phone');

    const theirs = await open(bob);
    await theirs.goto(PAGE_ROUTES.cluster);
    await hostCards(theirs).first().waitFor({ timeout: LIVE_MS });
    await expect.poll(() => cellsThatAre(theirs, 'busy').count(), POLLED).toBeGreaterThanOrEqual(1);
    // Nothing of alice's job reaches bob's page: no link, number, owner or name.
    expect(await theirs.locator('[data-job-id]').count()).toBe(0);
    const text = (await theirs.locator('main').textContent()) ?? '';
    expect(text).not.toContain(SECRET_NAME);
    expect(text).not.toContain('alice');
    const labels = await Promise.all(
      (await theirs.locator('[aria-label]').all()).map((l) => l.getAttribute('aria-label')),
    );
    expect(labels.filter((l) => l?.includes(`job ${job.id}`) || l?.includes('alice'))).toEqual([]);

    // The job ends: alice's map frees its core without a reload.
    await cluster().release(job);
    await until(job.id, 'ended', (j) => j.state === 'over');
    await expect.poll(() => jobCells(mine, job.id).count(), POLLED).toBe(0);
  });

  it('shows the usage of the ended job on the usage page', async () => {
    expect(job).toBeDefined();
    const totals = await waitFor(
      'the usage of the ended job',
      async () => {
        const u = await alice.client.usage();
        return Number(u.totals['jobs']) >= 1 ? u.totals : null;
      },
      POLL,
    );
    expect(Number(totals['wallSeconds'])).toBeGreaterThan(0);
    for (const viewport of ['desktop', 'phone'] as const) {
      const page = await open(alice, viewport);
      await page.goto(PAGE_ROUTES.usage);
      const row = usageRow(page, job.user.project);
      await row.waitFor({ timeout: LIVE_MS });
      const cells = await row.locator('td').allTextContents();
      expect(cells[0]).toBe(job.user.project);
      expect(Number(cells[1])).toBeGreaterThanOrEqual(1);
      // RAM is booked for the whole run: never zero for a job that ran.
      expect(cells[3]).toMatch(/ GB·[sh]$/);
      expect(cells[3]).not.toMatch(/^0 /);
      await expect
        .poll(() => page.getByTestId('policy').textContent(), POLLED)
        .toMatch(/^policy: /);
      await page.locator('.chart canvas').first().waitFor({ timeout: LIVE_MS });
      await screenshot(page, `usage-${viewport}`);
    }
    // bob used nothing: his page says so, without alice's numbers.
    const theirs = await open(bob);
    await theirs.goto(PAGE_ROUTES.usage);
    await theirs.getByText('No usage in this period.').waitFor({ timeout: LIVE_MS });
  });
});
