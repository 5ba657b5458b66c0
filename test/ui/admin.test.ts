/**
 * The web UI's Administration section end to end, in chromium against a whole real god: the
 * administrator logs in through the form, creates a user on the Users page, and that user (in a
 * fresh browser) sees none of the first user's jobs and no administration; maintenance switched
 * in Settings shows its banner to users; a key revoked on the API keys page stops working. Every
 * admin page is rendered at phone and desktop size into docs/ui/admin-*.png.
 *
 * Skipped only while the UI is not built (as app.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, GodClient } from '@god/client';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../e2e/processes.js';
import { screenshot, useBrowser, type Viewport } from './browser.js';
import { IMAGE, useCluster, type ClusterUser } from './god-cluster.js';
import { LIVE_MS, logInByApi, logInWithForm } from './ui-pages.js';

const UI_INDEX = join(REPO_ROOT, 'packages/ui/dist/index.html');
const SKIP = !existsSync(UI_INDEX) && process.env['CI'] === undefined;
const WAIT = { timeout: LIVE_MS };
const CAROL_PASSWORD = 'carol has a long password';

describe.skipIf(SKIP)('the web UI’s administration', { timeout: 180_000 }, () => {
  const cluster = useCluster({ name: 'admin' });
  const browser = useBrowser();
  let alice: ClusterUser;
  let alicesJob: number;

  beforeAll(async () => {
    alice = await cluster().createUser('alice', 'alice has a long password', 4301, 4301);
    const job = await alice.client.submit({
      meta: { name: 'alice-private' },
      requirements: { cpu: 1, ram: '64M' },
      container: { image: IMAGE },
      command: { cmd: 'echo private' },
    });
    alicesJob = job.id;
  });

  /** A page of the administrator, logged in by API key without the form. */
  async function adminPage(viewport: Viewport = 'desktop'): Promise<Page> {
    const { page } = await browser.open({ baseURL: cluster().baseUrl, viewport });
    await logInByApi(page, { apiKey: cluster().adminKey });
    return page;
  }

  it('the administrator creates a user who sees no other user’s jobs and no administration', async () => {
    const god = cluster();
    const { page: admin } = await browser.open({ baseURL: god.baseUrl });
    await admin.goto('/login');
    await admin.getByRole('tab', { name: 'With an API key' }).click();
    await admin.getByLabel('API key', { exact: true }).fill(god.adminKey);
    await admin.getByTestId('login-apikey-submit').click();
    await admin.getByRole('link', { name: 'Admin', exact: true }).click();
    await admin.waitForURL('**/admin/users');

    await admin.getByRole('button', { name: 'New user' }).click();
    await admin.getByLabel('Login', { exact: true }).fill('carol');
    await admin.getByLabel('Password', { exact: true }).fill(CAROL_PASSWORD);
    await admin.getByLabel('UID', { exact: true }).fill('4302');
    await admin.getByLabel('GID', { exact: true }).fill('4302');
    await admin.getByLabel('Groups', { exact: true }).fill('5000');
    await admin.getByLabel('CPU time', { exact: true }).fill('100h');
    await admin.getByLabel('Window', { exact: true }).fill('7d');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await admin.getByRole('status').getByText('User carol created.').waitFor(WAIT);
    await admin.getByRole('link', { name: 'carol', exact: true }).waitFor(WAIT);
    expect(await god.api().user('carol')).toMatchObject({
      uid: 4302,
      sgids: [5000],
      hasPassword: true,
      quota: { cpuSeconds: 360_000, windowSeconds: 604_800 },
    });

    const { page } = await browser.open({ baseURL: god.baseUrl });
    await logInWithForm(page, 'carol', CAROL_PASSWORD);
    await page.goto('/jobs');
    await page.getByTestId('jobs-empty').waitFor(WAIT);
    expect(await page.getByText('alice-private').count()).toBe(0);
    await page.goto(`/jobs/${alicesJob}`);
    await page
      .getByText(/not found|does not exist/i)
      .first()
      .waitFor(WAIT);
    expect(await page.getByText('alice-private').count()).toBe(0);
    await page.goto('/admin/users');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor(WAIT);
    expect(await page.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    expect(await page.getByText('alice', { exact: true }).count()).toBe(0);

    // Disabled by the administrator, carol's session ends: her next page is the login.
    await admin.goto('/admin/users/carol');
    await admin.getByRole('button', { name: 'Disable user' }).click();
    await admin
      .getByRole('alertdialog')
      .getByRole('button', { name: 'Disable', exact: true })
      .click();
    await admin.getByTestId('user-disabled').waitFor(WAIT);
    await page.goto('/jobs');
    await page.waitForURL((u) => u.pathname === '/login', WAIT);
  });

  it('maintenance switched on in Settings shows its banner to users', async () => {
    const god = cluster();
    const admin = await adminPage();
    try {
      await admin.goto('/admin/settings');
      await admin.locator('label.switch').getByText('Maintenance off').click();
      await admin.getByRole('switch', { name: 'Maintenance on' }).waitFor(WAIT);
      expect(await god.api().maintenance()).toEqual({ maintenance: true });

      const { page } = await browser.open({ baseURL: god.baseUrl });
      await logInByApi(page, { login: alice.login, password: alice.password });
      await page.goto('/jobs');
      await page.getByText(/^Maintenance: the scheduler starts no new jobs/).waitFor(WAIT);

      await admin.locator('label.switch').getByText('Maintenance on').click();
      await admin.getByRole('switch', { name: 'Maintenance off' }).waitFor(WAIT);
      expect(await god.api().maintenance()).toEqual({ maintenance: false });
    } finally {
      await god.api().setMaintenance(false);
    }
  });

  it('revokes a user’s key on the API keys page, after the confirmation', async () => {
    const god = cluster();
    const made = await god.api().createKey('laptop', { user: 'alice' });
    const holder = new GodClient({ server: god.baseUrl, credential: made.key });
    expect((await holder.me()).id).toBe('alice');
    const admin = await adminPage();
    await admin.goto('/admin/keys');
    await admin.getByTestId(`revoke-${made.id}`).click();
    const dialog = admin.getByRole('alertdialog');
    await dialog.getByText(/Revoke alice’s key “laptop”/).waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await admin
      .getByRole('status')
      .getByText(`Key ${made.id} revoked`, { exact: false })
      .waitFor(WAIT);
    expect(await admin.getByTestId(`revoke-${made.id}`).count()).toBe(0);
    const err = await holder.me().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
  });

  it('creates a project with a member, and renders every admin page at phone and desktop size', async () => {
    const admin = await adminPage();
    await admin.goto('/admin/projects');
    await admin.getByRole('button', { name: 'New project' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('physics');
    await admin.getByLabel('RAM at once', { exact: true }).fill('256G');
    await admin.getByRole('button', { name: 'Create project' }).click();
    await admin.waitForURL('**/admin/projects/physics');
    await admin.getByLabel('Add members', { exact: true }).fill('alice');
    await admin.getByRole('button', { name: 'Add', exact: true }).click();
    await admin.getByRole('button', { name: 'Remove alice' }).waitFor(WAIT);
    expect(await cluster().api().project('physics')).toMatchObject({
      members: ['alice'],
      limits: { ram: 256 },
    });

    const pages: Array<[string, string, string]> = [
      ['users', '/admin/users', 'Users'],
      ['user', '/admin/users/alice', 'User alice'],
      ['projects', '/admin/projects', 'Projects'],
      ['project', '/admin/projects/physics', 'Project physics'],
      ['keys', '/admin/keys', 'API keys'],
      ['settings', '/admin/settings', 'Settings'],
    ];
    for (const viewport of ['phone', 'desktop'] as const) {
      const page = viewport === 'desktop' ? admin : await adminPage(viewport);
      for (const [name, path, heading] of pages) {
        await page.goto(path);
        await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor(WAIT);
        const loading = page.getByRole('status').filter({ hasText: /^Loading/ });
        await expect.poll(() => loading.count(), { timeout: LIVE_MS }).toBe(0);
        await screenshot(page, `admin-${name}-${viewport}`);
      }
    }
  });
});
