/**
 * Chromium for the UI's end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core
 * (no browser is ever downloaded), headless, launched once per test file. Each test opens fresh
 * contexts (no cookies or storage shared between tests) with a phone or desktop viewport; every
 * console error, uncaught page error and dialog (an injected `alert`) is collected, and the test fails at its end if any
 * occurred that the test did not list as expected. Tracing and video are never recorded.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, onTestFailed, onTestFinished } from 'vitest';

/** Debian's chromium; override with GOD_CHROMIUM. */
export const CHROMIUM = process.env['GOD_CHROMIUM'] ?? '/usr/bin/chromium';

/** The viewports the UI is checked at. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

/** How long a page action (click, fill, waitFor, …) may wait for its element. */
export const ACTION_TIMEOUT_MS = 20_000;

/** A viewport by name, or explicit. */
export type Viewport = keyof typeof VIEWPORTS | { width: number; height: number };

/**
 * Where `screenshot` writes: docs/ui/ of the repository (the committed screenshots, refreshed by
 * every run), or GOD_UI_SCREENSHOT_DIR.
 */
export const SCREENSHOT_DIR =
  process.env['GOD_UI_SCREENSHOT_DIR'] ?? resolve(import.meta.dirname, '../../docs/ui');

/** What a test gets from `open`. */
export interface OpenPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far (`console: …`, `pageerror: …`), minus allowed ones. */
  readonly errors: string[];
  /** Throws, listing them, when errors were seen. The fixture calls it when the test ends. */
  check(): void;
  /** Returns the errors seen so far and forgets them (for a test that expects errors). */
  takeErrors(): string[];
}

/** Options of `open`. */
export interface OpenOptions {
  viewport?: Viewport;
  /** Console or page errors that are expected (matched against the message). */
  allow?: readonly RegExp[];
  /** The base URL that relative `page.goto` paths resolve against. */
  baseURL?: string;
  /**
   * Count the API's 4xx answers as errors too. Off by default: chromium logs every 4xx a fetch
   * gets (the session probe's 401, a job's 404) though the UI handles them; a 5xx, or any
   * failed load outside /api/ (a missing script or style), is always an error.
   */
  strictApi?: boolean;
}

/** Whether a failed load is the API refusing (4xx), which the UI is expected to handle. */
export function isApiRefusal(url: string, status: number): boolean {
  try {
    return new URL(url).pathname.startsWith('/api/') && status >= 400 && status < 500;
  } catch {
    return false;
  }
}

/** The fixture of a test file. */
export interface BrowserFixture {
  /** The browser of this file (launched in beforeAll). */
  browser(): Browser;
  /** A new page in a new context; checked for errors and closed when the test ends. */
  open(opts?: OpenOptions): Promise<OpenPage>;
}

/** Starts the file's chromium: call at the top of a test file. */
export function useBrowser(): BrowserFixture {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Tests run as root, where chromium's sandbox cannot start.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  const current = (): Browser => {
    if (browser === undefined) throw new Error('chromium did not start (see beforeAll)');
    return browser;
  };
  return {
    browser: current,
    async open(opts = {}) {
      const opened = await openPage(current(), opts);
      onTestFailed(async () => {
        const path = join(tmpdir(), `god-ui-failure-${Date.now()}.png`);
        await opened.page.screenshot({ path }).catch(() => undefined);
        process.stderr.write(`screenshot of the page when the test failed: ${path}\n`);
      });
      onTestFinished(async () => {
        try {
          opened.check();
        } finally {
          await opened.context.close();
        }
      });
      return opened;
    },
  };
}

/**
 * Run in every page: chromium's own report of a CSP violation names neither a source nor an
 * element, this one adds where (script and line, or the element: a shadow root's host for what
 * is inside it). A string, as the tests are compiled without the DOM's types.
 */
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (e) => {
  const at = e.sourceFile === '' ? '' : ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber;
  const on = e.target instanceof Element ? ' on ' + e.target.outerHTML.slice(0, 200) : '';
  console.error('CSP violation of ' + e.violatedDirective + at + on);
});`;

/** Opens a page in a fresh context of `browser`, collecting its errors. */
export async function openPage(browser: Browser, opts: OpenOptions = {}): Promise<OpenPage> {
  const v = opts.viewport ?? 'desktop';
  const context = await browser.newContext({
    viewport: typeof v === 'string' ? VIEWPORTS[v] : v,
    deviceScaleFactor: 1,
    ...(opts.baseURL !== undefined && { baseURL: opts.baseURL }),
  });
  // Below the tests' own timeouts, so that a missing element fails with its locator named.
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const allow = opts.allow ?? [];
  let errors: string[] = [];
  const record = (what: string): void => {
    if (!allow.some((re) => re.test(what))) errors.push(what);
  };
  const watch = (p: Page): void => {
    p.on('console', (m) => {
      if (m.type() !== 'error') return;
      const failedLoad = /^Failed to load resource: .*status of (\d+)/.exec(m.text());
      if (failedLoad === null) return record(`console: ${m.text()}`);
      // A failed load names no URL in its text: the location does.
      const url = m.location().url;
      if (!(opts.strictApi ?? false) && isApiRefusal(url, Number(failedLoad[1]))) return;
      record(`console: ${m.text()} (${url})`);
    });
    p.on('pageerror', (e) => record(`pageerror: ${e.message}`));
    // A dialog is what an injected `alert(1)` opens: always an error, and dismissed so that
    // the page goes on.
    p.on('dialog', (d) => {
      record(`dialog: ${d.type()} ${d.message()}`);
      void d.dismiss().catch(() => undefined);
    });
  };
  await context.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  // Every page of the context, popups included (the first one too: 'page' fires for it).
  context.on('page', watch);
  const page = await context.newPage();
  return {
    page,
    context,
    get errors() {
      return errors;
    },
    check() {
      if (errors.length === 0) return;
      // A page that polls repeats its errors: each once, with a count, the first 20.
      const counts = new Map<string, number>();
      for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
      const lines = [...counts].slice(0, 20).map(([e, n]) => (n > 1 ? `${e} (×${n})` : e));
      throw new Error(`the page logged errors (at ${page.url()}):\n  ${lines.join('\n  ')}`);
    },
    takeErrors() {
      const taken = errors;
      errors = [];
      return taken;
    },
  };
}

/** Saves a PNG of the page's viewport as `<dir>/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string, dir = SCREENSHOT_DIR): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot name ${name}: use [a-z0-9-]`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}
