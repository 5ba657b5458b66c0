/**
 * The web UI end to end: a person's browser (Debian's chromium) against a whole real god (web,
 * scheduler, agent on a real dockerd, watcher, archiver). Logs in through the form, submits a
 * script and follows it live on the list and on its page (state and log), downloads a file it
 * wrote, kills a running job, watches an array's progress bar fill; a user the administrator
 * created logs in and cannot see the first user's jobs, in the list or by URL; hostile names and
 * log lines stay text. Every
 * page is rendered at phone and desktop size, without a console error, into docs/ui/*.png.
 *
 * Skipped only while the UI is not built (packages/ui/dist/index.html missing); in CI a UI that
 * is in the tree but not built fails instead, so these tests never silently stop running.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACTIVE_STATES, type Job, type JobSubmissionInput } from '@god/core';
import { waitFor } from '@god/testkit';
import type { Locator, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../e2e/processes.js';
import { screenshot, useBrowser, type Viewport } from './browser.js';
import { gatedScript, IMAGE, useCluster, type ClusterUser } from './god-cluster.js';
import {
  act,
  expectState,
  jobRow,
  listRows,
  LIVE_MS,
  logInByApi,
  logInWithForm,
  logViewer,
  pasteScript,
  JOB_NOT_FOUND,
  NAMES,
  ROUTES,
  showTasks,
} from './ui-pages.js';

const UI_INDEX = join(REPO_ROOT, 'packages/ui/dist/index.html');
const UI_IN_TREE = existsSync(join(REPO_ROOT, 'packages/ui/package.json'));
const SKIP = !existsSync(UI_INDEX) && !(UI_IN_TREE && process.env['CI'] !== undefined);
const TITLE = SKIP
  ? 'the web UI (skipped: packages/ui/dist/index.html is missing, the UI is not built)'
  : 'the web UI';

const POLL = { timeoutMs: LIVE_MS, everyMs: 100 };
const POLLED = { timeout: LIVE_MS, interval: 100 };
const PASSWORD = 'alice has a long password';

// Each test drives real jobs through a loaded machine: more than the suite's 60 s default.
describe.skipIf(SKIP)(TITLE, { timeout: 180_000 }, () => {
  const cluster = useCluster({ name: 'app' });
  const browser = useBrowser();
  let alice: ClusterUser;

  beforeAll(async () => {
    alice = await cluster().createUser('alice', PASSWORD, 4201, 4201);
  });

  // A test that failed midway leaves jobs running (gated) or waiting: they would hold the cores
  // the next tests need and fail them too. Every test ends with no job of anyone alive.
  afterEach(async () => {
    const admin = cluster().api();
    const killed = new Set<number>();
    await waitFor(
      'every job to end',
      async () => {
        const { jobs } = await admin.listJobs({ state: [...ACTIVE_STATES], limit: 100 });
        const fresh = jobs.filter((j) => !killed.has(j.id));
        for (const j of fresh) killed.add(j.id);
        await Promise.all(fresh.map((j) => admin.control(j.id, 'kill').catch(() => undefined)));
        return jobs.length === 0 ? true : null;
      },
      { timeoutMs: LIVE_MS, everyMs: 200 },
    );
  });

  /** A page with a browser session of `who` (a user's password, or an API key). */
  async function open(
    who: ClusterUser | { apiKey: string },
    viewport: Viewport = 'desktop',
    allow: RegExp[] = [],
  ): Promise<Page> {
    const { page } = await browser.open({ baseURL: cluster().baseUrl, viewport, allow });
    await logInByApi(page, 'apiKey' in who ? who : { login: who.login, password: who.password });
    return page;
  }

  /** Submits `cmd` as alice through the API. */
  function submit(cmd: string, extra: Partial<JobSubmissionInput> = {}): Promise<Job> {
    return alice.client.submit({
      requirements: { cpu: 1, ram: '64M' },
      container: { image: IMAGE },
      command: { cmd },
      ...extra,
    });
  }

  /** Resolves with alice's job `id` once `ok` holds for it. */
  function until(id: number, what: string, ok: (j: Job) => boolean): Promise<Job> {
    return waitFor(
      `job ${id} ${what}`,
      async () => {
        const job = await alice.client.getJob(id);
        return ok(job) ? job : null;
      },
      POLL,
    );
  }

  it('logs in through the form on a phone and a desktop, refusing a wrong password', async () => {
    for (const viewport of ['phone', 'desktop'] as const) {
      const { page } = await browser.open({ baseURL: cluster().baseUrl, viewport });
      // A deep link without a session leads to the login form, which comes back to it.
      await page.goto(ROUTES.jobs);
      await page.waitForURL(/\/login\?next=%2Fjobs$/, { timeout: LIVE_MS });
      await screenshot(page, `login-${viewport}`);
      await page.getByLabel(NAMES.login, { exact: true }).fill('alice');
      await page.getByLabel(NAMES.password, { exact: true }).fill('not her password');
      await page.getByRole('button', { name: NAMES.logIn }).click();
      await expect.poll(() => page.getByRole('alert').textContent(), POLLED).toMatch(/\S/);
      expect(new URL(page.url()).pathname).toBe(ROUTES.login);
      await logInWithForm(page, 'alice', PASSWORD);
      expect(new URL(page.url()).pathname).toBe(ROUTES.jobs);
    }
  });

  it('submits a script through the form and follows it live on the list and its page', async () => {
    const god = cluster();
    const listPage = await open(alice);
    await god.maintenance(true);
    try {
      await listPage.goto(ROUTES.submit);
      await listPage.getByLabel(NAMES.nameField).fill('ui-live');
      const script = `echo first\nwhile [ ! -e more ]; do sleep 0.1; done\necho second\n${gatedScript()}`;
      await pasteScript(listPage, script);
      await screenshot(listPage, 'submit-filled-desktop');
      await listPage.getByRole('button', { name: NAMES.submitButton }).click();
      // The UI says it is done by leaving the form (to the job or to the list).
      await listPage.waitForURL((u) => u.pathname !== ROUTES.submit, { timeout: LIVE_MS });
      const id = await waitFor(
        'the submitted job',
        async () => (await alice.client.listJobs({ name: 'ui-live' })).jobs[0]?.id,
        POLL,
      );
      expect((await alice.client.getJob(id)).command.cmd).toBe(script);
      await listPage.goto(ROUTES.jobs);
      await expectState(jobRow(listPage, id), 'pending');
      await screenshot(listPage, 'jobs-live-desktop');
      // The job page, open next to the list in the same session, both live.
      const jobPage = await listPage.context().newPage();
      await jobPage.goto(ROUTES.job(id));
      await expectState(jobPage, 'pending');
      await god.maintenance(false);
      await expectState(jobRow(listPage, id), 'running');
      await expectState(jobPage, 'running');
      await expect.poll(() => logViewer(jobPage).textContent(), POLLED).toContain('first');
      const job = await alice.client.getJob(id);
      await god.release(job, 'more');
      await expect.poll(() => logViewer(jobPage).textContent(), POLLED).toContain('second');
      // The live usage chart plots the samples the agent publishes while the job runs.
      await expect
        .poll(
          async () => Number(await jobPage.locator('figure.chart').getAttribute('data-points')),
          POLLED,
        )
        .toBeGreaterThan(0);
      await screenshot(jobPage, 'job-running-desktop');
      await god.release(job);
      await expectState(jobPage, 'success');
      await expectState(jobRow(listPage, id), 'success');
      await screenshot(jobPage, 'job-success-desktop');
    } finally {
      await god.maintenance(false);
    }
  });

  it('downloads a file the job wrote from its file list', async () => {
    const job = await submit('printf "made by the job\\n" > result.txt');
    await until(job.id, 'ended', (j) => j.state === 'over');
    const page = await open(alice);
    await page.goto(ROUTES.job(job.id));
    const link = page.getByRole('link', { name: 'result.txt' });
    await link.waitFor({ timeout: LIVE_MS });
    await screenshot(page, 'job-files-desktop');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('result.txt');
    expect(await readFile(await download.path(), 'utf8')).toBe('made by the job\n');
  });

  it('kills a running job from its page', async () => {
    const job = await submit(gatedScript(['still here']));
    await until(job.id, 'running', (j) => j.state === 'running');
    const page = await open(alice, 'phone');
    await page.goto(ROUTES.job(job.id));
    await expectState(page, 'running');
    await screenshot(page, 'job-running-phone');
    await act(page, job.id, 'kill');
    await expectState(page, 'killed');
    expect((await until(job.id, 'ended', (j) => j.state === 'over')).outcome).toBe('killed');
  });

  it("fills an array's progress bar as its tasks end", async () => {
    const god = cluster();
    await god.maintenance(true);
    try {
      const array = await submit(gatedScript(), {
        meta: { name: 'ui-array' },
        requirements: { cpu: 1, ram: '64M', array: '1:4' },
      });
      const page = await open(alice);
      await page.goto(ROUTES.job(array.id));
      const bar = page.getByRole('progressbar');
      const filled = async (): Promise<number> => {
        const [now, max] = await Promise.all([
          bar.getAttribute('aria-valuenow'),
          bar.getAttribute('aria-valuemax'),
        ]);
        return Number(now) / Number(max ?? 100);
      };
      await expect.poll(filled, POLLED).toBe(0);
      await god.maintenance(false);
      // Let the tasks end one by one as they run; the bar follows each end.
      const released = new Set<number>();
      let last = 0;
      await waitFor(
        'every task to end',
        async () => {
          const { jobs: tasks } = await alice.client.listJobs({ parent: array.id, limit: 10 });
          const next = tasks.find((t) => t.state === 'running' && !released.has(t.id));
          if (next !== undefined) {
            released.add(next.id);
            await god.release(next);
            await until(next.id, 'ended', (j) => j.state === 'over');
            await expect.poll(filled, POLLED).toBeGreaterThan(last);
            last = await filled();
          }
          return tasks.length === 4 && tasks.every((t) => t.state === 'over');
        },
        { timeoutMs: 60_000, everyMs: 100 },
      );
      await expect.poll(filled, POLLED).toBe(1);
      await screenshot(page, 'job-array-desktop');
      // The jobs list: the array is one row; its tasks (newer ids, so on the first page if
      // listed) are no rows of the list, only of its table of tasks once expanded.
      const { jobs: tasks } = await alice.client.listJobs({ parent: array.id, limit: 10 });
      expect(tasks).toHaveLength(4);
      await page.goto(ROUTES.jobs);
      await jobRow(page, array.id).waitFor({ timeout: LIVE_MS });
      const ids = async (rows: Locator): Promise<string[]> =>
        Promise.all(
          (await rows.all()).map(async (r) => (await r.getAttribute('data-job-id')) ?? ''),
        );
      const listed = await ids(listRows(page));
      expect(listed).toContain(String(array.id));
      expect(listed.filter((id) => tasks.some((t) => String(t.id) === id))).toEqual([]);
      const taskTable = await showTasks(page, array.id);
      await taskTable.getByText(`${array.id}.4`, { exact: true }).waitFor({ timeout: LIVE_MS });
      const shown = await ids(taskTable.locator(':scope > tbody > tr[data-job-id]'));
      expect(shown.sort()).toEqual(tasks.map((t) => String(t.id)).sort());
      expect(await ids(listRows(page))).toEqual(listed);
    } finally {
      await god.maintenance(false);
    }
  });

  it("an administrator creates a user who logs in and cannot see the first user's jobs (by URL either)", async () => {
    const god = cluster();
    const alicesJob = await submit('echo private', { meta: { name: 'alice-private' } });
    // Made through the API as the administrator (the harness's createUser); the rest is the UI.
    const carol = await god.createUser('carol', 'carol has a long password', 4203, 4203);
    const { page } = await browser.open({ baseURL: god.baseUrl });
    await logInWithForm(page, carol.login, carol.password);
    expect(new URL(page.url()).pathname).toBe(ROUTES.jobs);
    await page.getByTestId('jobs-empty').waitFor({ timeout: LIVE_MS });
    // Her own job comes into her open list by the event stream; alice's never does.
    const own = await carol.client.submit({
      container: { image: IMAGE },
      command: { cmd: 'true' },
    });
    await jobRow(page, own.id).waitFor({ timeout: LIVE_MS });
    expect(await page.locator('[data-job-id]').count()).toBe(1);
    expect(await page.getByText('alice-private').count()).toBe(0);
    // Her job's URL says the same of alice's job as of a job that does not exist.
    const shown = async (id: number): Promise<{ heading: string | null; alert: string | null }> => {
      await page.goto(ROUTES.job(id));
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: LIVE_MS });
      const heading = await page.getByRole('heading', { level: 1 }).textContent();
      return { heading, alert: await alert.textContent() };
    };
    expect(await shown(alicesJob.id)).toEqual({
      heading: `Job ${alicesJob.id}`,
      alert: JOB_NOT_FOUND,
    });
    expect(await shown(999_999)).toEqual({ heading: 'Job 999999', alert: JOB_NOT_FOUND });
    await page.goto(ROUTES.job(alicesJob.id));
    await page.getByRole('alert').waitFor({ timeout: LIVE_MS });
    expect(await page.getByText(/alice/).count()).toBe(0);
  });

  it('shows hostile job names and log lines as text, running none of them', async () => {
    const name = '<img src=x onerror=alert(1)>';
    const line = '<script>alert(1)</script>';
    const job = await submit(`echo '${line}'`, { meta: { name } });
    await until(job.id, 'ended', (j) => j.state === 'over');
    // A dialog or a CSP violation would be a console error or dialog: the fixture fails on both.
    const page = await open(alice);
    await page.goto(ROUTES.jobs);
    await jobRow(page, job.id).getByText(name, { exact: true }).waitFor({ timeout: LIVE_MS });
    await page.goto(ROUTES.job(job.id));
    await expect.poll(() => logViewer(page).textContent(), POLLED).toContain(line);
    await page.getByText(name, { exact: true }).first().waitFor({ timeout: LIVE_MS });
    const injected = {
      images: await page.locator('img[src="x"]').count(),
      scripts: await page.evaluate(
        '[...document.scripts].filter((s) => s.textContent.includes("alert(1)")).length',
      ),
    };
    expect(injected).toEqual({ images: 0, scripts: 0 });
  });

  it('renders every page on a phone and a desktop without an error', async () => {
    const god = cluster();
    const job = await submit('echo hello');
    await until(job.id, 'ended', (j) => j.state === 'over');
    const pages = [
      ['jobs', ROUTES.jobs],
      ['job', ROUTES.job(job.id)],
      ['submit', ROUTES.submit],
    ] as const;
    for (const viewport of ['phone', 'desktop'] as const) {
      const page = await open({ apiKey: god.adminKey }, viewport);
      for (const [shot, path] of pages) {
        await page.goto(path);
        await page.getByRole('heading').first().waitFor({ timeout: LIVE_MS });
        expect(await page.getByRole('heading', { name: 'Page not found' }).count()).toBe(0);
        await screenshot(page, `${shot}-${viewport}`);
      }
    }
  });
});
