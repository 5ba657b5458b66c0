/**
 * The UI test infrastructure itself, without the UI: the god cluster of god-cluster.ts runs a
 * real job for a user made through the API, chromium reaches the real god web, and the browser
 * fixture fails a test whose page throws, logs an error (a CSP violation, with its place) or
 * opens a dialog.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '@god/core';
import { waitFor } from '@god/testkit';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { isApiRefusal, openPage, screenshot, useBrowser, VIEWPORTS } from './browser.js';
import { gatedScript, IMAGE, ROLES, useCluster } from './god-cluster.js';

/** How the tests poll the API. */
const POLL = { timeoutMs: 30_000, everyMs: 100 };

const cluster = useCluster({ name: 'harness' });
const browser = useBrowser();

describe('the god cluster', () => {
  it('runs every role as its own process, with a scheduler leader', async () => {
    const god = cluster();
    expect(god.procs.map((p) => p.name)).toEqual([...ROLES]);
    expect(god.procs.every((p) => p.exit() === null)).toBe(true);
    const health = await god.api().health();
    expect(health).toMatchObject({ status: 'ok', store: true, redis: true });
    expect(health.scheduler?.leader).toEqual(expect.any(String));
    expect(await god.api().me()).toMatchObject({ id: god.admin, admin: true });
  });

  it('runs a real job of a created user: pending, running, success, its log and its file', async () => {
    const god = cluster();
    const alice = await god.createUser('alice', 'alice has a long password', 4101, 4101);
    expect(await alice.client.me()).toMatchObject({ id: 'alice', admin: false });
    // Scheduling paused: the job waits, pending, for as long as the test looks.
    await god.maintenance(true);
    const job = await alice.client.submit({
      meta: { name: 'harness-job' },
      requirements: { cpu: 1, ram: '64M' },
      container: { image: IMAGE },
      command: { cmd: `echo "hello from $(id -u)"\necho result > out.txt\n${gatedScript()}` },
    });
    expect(job.state).toBe('pending');
    const stateIs = async (state: string): Promise<Job | null> => {
      const now = await alice.client.getJob(job.id);
      return now.state === state ? now : null;
    };
    await waitFor(
      'the reason to say maintenance',
      async () => /maintenance/i.test((await alice.client.why(job.id)).message),
      POLL,
    );
    expect((await alice.client.getJob(job.id)).state).toBe('pending');
    await god.maintenance(false);
    const running = await waitFor('the job to run', () => stateIs('running'), POLL);
    await waitFor(
      'out.txt',
      async () => (await alice.client.files(job.id)).entries.some((e) => e.name === 'out.txt'),
      POLL,
    );
    await god.release(running);
    const done = await waitFor('the job to end', () => stateIs('over'), POLL);
    expect(done.outcome).toBe('success');
    expect(await alice.client.logs(job.id)).toBe('hello from 4101\n');
    expect(await (await alice.client.download(job.id, 'out.txt')).text()).toBe('result\n');
    // The administrator sees it; another user does not learn that it exists.
    expect((await god.api().getJob(job.id)).user.id).toBe('alice');
    const bob = await god.createUser('bob', 'bob has a long password', 4102, 4102);
    await expect(bob.client.getJob(job.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('chromium', () => {
  it('loads the API description and the health of the real god web', async () => {
    // What chromium asks for by itself next to a JSON document.
    const favicon = /\/favicon\.ico\)$/;
    const { page } = await browser.open({
      baseURL: cluster().baseUrl,
      viewport: 'phone',
      allow: [favicon],
    });
    const res = await page.goto('/api/v1/openapi.json');
    expect(res?.status()).toBe(200);
    const doc = JSON.parse((await res?.text()) ?? '') as { openapi: string; paths: object };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/v1/jobs');
    const health = await page.goto('/api/v1/health');
    expect(await health?.json()).toMatchObject({ status: 'ok' });
    expect(page.viewportSize()).toEqual(VIEWPORTS.phone);
  });
});

describe('the browser fixture', () => {
  it('catches a page that throws, logs an error or opens a dialog', async () => {
    const opened = await browser.open();
    await opened.page.setContent(
      '<p>x</p><script>console.error("logged"); setTimeout(() => { throw new Error("boom") })</script>',
    );
    await waitFor('the error', () => opened.errors.length >= 2);
    expect(() => opened.check()).toThrow(/pageerror: boom/);
    expect(opened.takeErrors()).toEqual(['console: logged', 'pageerror: boom']);
    opened.check();
    // A dialog fails the test too (an injected alert), and does not block the page.
    await opened.page.setContent('<script>alert(1)</script><p>after</p>');
    expect(await opened.page.getByText('after').textContent()).toBe('after');
    await waitFor('the dialog', () => opened.errors.length === 1);
    expect(opened.takeErrors()).toEqual(['dialog: alert 1']);
  });

  it('lets a test allow the errors it expects, and only those', async () => {
    const opened = await openPage(browser.browser(), { allow: [/expected/] });
    try {
      await opened.page.setContent(
        '<script>console.error("expected"); console.error("not this")</script>',
      );
      await waitFor('the error', () => opened.errors.length > 0);
      expect(opened.errors).toEqual(['console: not this']);
    } finally {
      await opened.context.close();
    }
  });

  it("ignores the API's 4xx answers but not its 5xx or a missing file", async () => {
    // A blank page of god's origin: the API's own answers carry `default-src 'none'`, so no
    // script on them may fetch anything (the UI's pages allow connect-src 'self').
    const blank = async (page: Page) => {
      await page.route('**/blank.html', (r) =>
        r.fulfill({ contentType: 'text/html', body: '<html></html>' }),
      );
      await page.goto('/blank.html');
    };
    const opened = await browser.open({ baseURL: cluster().baseUrl });
    await blank(opened.page);
    const status = (path: string): Promise<unknown> =>
      opened.page.evaluate(`fetch(${JSON.stringify(path)}).then((r) => r.status)`);
    // No session: the API answers 401, as the UI's session probe gets before a login.
    expect(await status('/api/v1/jobs')).toBe(401);
    expect(await status('/assets/missing.js')).toBe(404);
    await waitFor('the error', () => opened.errors.some((e) => e.includes('/assets/missing.js')));
    expect(opened.takeErrors().filter((e) => !/favicon/.test(e))).toEqual([
      `console: Failed to load resource: the server responded with a status of 404 (Not Found) (${cluster().baseUrl}/assets/missing.js)`,
    ]);
    expect(isApiRefusal('http://h/api/v1/jobs/1', 404)).toBe(true);
    expect(isApiRefusal('http://h/api/v1/jobs', 500)).toBe(false);
    expect(isApiRefusal('http://h/assets/a.js', 404)).toBe(false);
    const strict = await browser.open({ baseURL: cluster().baseUrl, strictApi: true });
    await blank(strict.page);
    await strict.page.evaluate('fetch("/api/v1/jobs")');
    await waitFor('the 401', () => strict.errors.some((e) => e.includes('status of 401')));
    strict.takeErrors();
  });

  it('says where a CSP violation was: the element whose style attribute was refused', async () => {
    const opened = await browser.open({ baseURL: cluster().baseUrl });
    await opened.page.route('**/csp.html', (r) =>
      r.fulfill({
        contentType: 'text/html',
        headers: { 'Content-Security-Policy': "style-src 'self'" },
        body: '<p id="styled" style="color: red">x</p>',
      }),
    );
    await opened.page.goto('/csp.html');
    await waitFor('the report', () => opened.errors.some((e) => e.includes('CSP violation')));
    expect(opened.takeErrors().filter((e) => e.includes('CSP violation'))).toEqual([
      `console: CSP violation of style-src-attr at ${cluster().baseUrl}/csp.html:1:35 on <p id="styled" style="color: red">x</p>`,
    ]);
  });

  it('writes a viewport screenshot as a PNG', async () => {
    const { page } = await browser.open({ viewport: 'phone' });
    await page.setContent('<h1>god</h1>');
    const dir = await mkdtemp(join(tmpdir(), 'god-ui-shots-'));
    const path = await screenshot(page, 'fixture', dir);
    expect(path).toBe(join(dir, 'fixture.png'));
    const png = readFileSync(path);
    await rm(dir, { recursive: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Width and height of the IHDR chunk: the viewport, not the whole page.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([390, 844]);
  });
});
