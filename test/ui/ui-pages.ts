/**
 * How the end-to-end tests find things in the web UI: every route, label and accessible name
 * the tests rely on is here, so that a change of the UI is one edit. Roles and labels first
 * (what a screen reader uses too); `data-job-id` on a job's row of the jobs table.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The UI's routes. */
export const ROUTES = {
  login: '/login',
  jobs: '/jobs',
  job: (id: number): string => `/jobs/${id}`,
  submit: '/submit',
  users: '/users',
  cluster: '/cluster',
  fairshare: '/fairshare',
} as const;

/** Accessible names the UI gives its controls. */
export const NAMES = {
  login: 'Login',
  password: 'Password',
  logIn: 'Log in',
  scriptField: /^script$/i,
  nameField: /^name$/i,
  submitButton: /^submit$/i,
} as const;

/** What the job page says of a job that does not exist or that the user may not see. */
export const JOB_NOT_FOUND = 'This job does not exist, or you may not see it.';

/** The job page's actions that ask in a dialog first, and that dialog's confirming button. */
const CONFIRMED: Record<string, (id: number) => string> = { kill: (id) => `Kill job ${id}` };

/** How long the UI may take to show a change the server made (events, then a render). */
export const LIVE_MS = 30_000;

/** Logs in through the login form; resolves on the jobs list. */
export async function logInWithForm(page: Page, login: string, password: string): Promise<void> {
  await page.goto(ROUTES.login);
  await page.getByLabel(NAMES.login, { exact: true }).fill(login);
  await page.getByLabel(NAMES.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: NAMES.logIn }).click();
  await page.waitForURL((u) => !u.pathname.startsWith(ROUTES.login), { timeout: LIVE_MS });
}

/**
 * Puts `text` into the submit form's script editor (CodeMirror, once loaded: meanwhile a plain
 * textarea stands in) as a person pastes a script, replacing what it held: select all, paste
 * from the clipboard. Keys typed one by one with no delay, faster than anyone types, may lose
 * the character after an Enter to the editor's redraw.
 */
export async function pasteScript(page: Page, text: string): Promise<void> {
  const editor = page.getByLabel(NAMES.scriptField).and(page.locator('[contenteditable=true]'));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await editor.click();
  await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
  await editor.press('ControlOrMeta+a');
  await editor.press('ControlOrMeta+v');
}

/** Opens a browser session without the form (`POST /api/v1/auth/session` sets the cookie). */
export async function logInByApi(
  page: Page,
  credentials: { login: string; password: string } | { apiKey: string },
): Promise<void> {
  const res = await page.context().request.post('/api/v1/auth/session', { data: credentials });
  expect(res.status(), await res.text()).toBe(200);
}

/** The row of job `id` in the jobs table. */
export function jobRow(page: Page, id: number): Locator {
  return page.locator(`[data-job-id="${id}"]`);
}

/** The rows of the jobs list itself, not those of an expanded array's table of tasks. */
export function listRows(page: Page): Locator {
  return page
    .getByRole('table', { name: 'Jobs', exact: true })
    .locator(':scope > tbody > tr[data-job-id]');
}

/** Expands array job `id`'s row of the jobs list; returns the table of its tasks under it. */
export async function showTasks(page: Page, id: number): Promise<Locator> {
  await page.getByRole('button', { name: `Show the tasks of job ${id}` }).click();
  return page.getByRole('table', { name: `Tasks of job ${id}`, exact: true });
}

/**
 * Waits until `scope` shows a state badge reading `state`: the badge's text is the job's state,
 * then its outcome once over (`over · killed`), so either word counts.
 */
export async function expectState(scope: Locator | Page, state: string): Promise<void> {
  await scope
    .getByTestId('state-badge')
    .filter({ hasText: new RegExp(`(^|\\s)${state}($|\\s)`) })
    .first()
    .waitFor({ timeout: LIVE_MS });
}

/** The job page's button of `action` (kill, suspend, …). */
export function actionButton(page: Page, action: string): Locator {
  return page.getByRole('button', { name: new RegExp(`^${action}$`, 'i') });
}

/**
 * Clicks `action` on the job page of job `id`, confirming in the page's own dialog when the
 * action asks first (a dialog of the browser, window.confirm, fails the test: the fixture counts
 * every one as an error).
 */
export async function act(page: Page, id: number, action: string): Promise<void> {
  await actionButton(page, action).click();
  const confirm = CONFIRMED[action];
  if (confirm === undefined) return;
  await page
    .getByRole('alertdialog')
    .getByRole('button', { name: confirm(id), exact: true })
    .click({ timeout: LIVE_MS });
}

/** The job page's log viewer (the stream shown: stdout first). */
export function logViewer(page: Page): Locator {
  return page.getByRole('log');
}

/** The routes of the usage and cluster pages. */
export const PAGE_ROUTES = { usage: '/usage', cluster: '/cluster' } as const;

/** The cluster map's cells (cores and GPUs) that job `id` holds, as its owner sees them. */
export function jobCells(page: Page, id: number): Locator {
  return page.locator(`.cell a[data-job-id="${id}"]`);
}

/** The cluster map's cells whose accessible name ends with `what` (`busy`, `free`). */
export function cellsThatAre(page: Page, what: 'busy' | 'free'): Locator {
  return page.getByRole('img', { name: new RegExp(`^(core|gpu) \\d+: ${what}$`) });
}

/** The host cards of the cluster map. */
export function hostCards(page: Page): Locator {
  return page.locator('article.host');
}

/** The usage page's row of totals for `project`. */
export function usageRow(page: Page, project: string): Locator {
  return page.getByTestId('usage-totals').locator(`[data-project="${project}"]`);
}
