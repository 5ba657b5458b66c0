/**
 * The web UI's files served by a real web process from a temporary `web.ui_dir`: index.html for
 * pages and deep links, immutable hashed assets, the security headers, nothing outside the
 * directory nor any dotfile, the API's paths untouched; and a clear 404 when the UI is not built.
 */
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CSP, IMMUTABLE, UI_CSP, uiDirOf } from './http/ui.js';
import { WebHarness } from './test-helpers.js';

const INDEX =
  '<!doctype html><title>god</title><script type="module" src="/assets/app-abc123.js"></script>';
const APP = 'console.log("god ui");\n';
const SECRET = 'TOKEN=hunter2-canary';

let dir: string;
let h: WebHarness;
let unbuilt: WebHarness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-ui-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'app-abc123.js'), APP);
  await writeFile(join(dir, '.env'), SECRET);
  await writeFile(join(dir, 'assets', '.secret'), SECRET);
  [h, unbuilt] = await Promise.all([
    WebHarness.start([`web.ui_dir=${dir}`]),
    WebHarness.start([`web.ui_dir=${join(dir, 'not-there')}`]),
  ]);
});
afterAll(async () => {
  await Promise.all([h?.stop(), unbuilt?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A GET with the path on the wire exactly as given (fetch would resolve `..` first). */
function get(
  base: string,
  path: string,
  accept = 'text/html,*/*;q=0.8',
  method = 'GET',
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method, headers: { Accept: accept } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function expectUiHeaders(a: Answer): void {
  expect(a.headers['content-security-policy']).toBe(UI_CSP);
  expect(a.headers['x-content-type-options']).toBe('nosniff');
  expect(a.headers['referrer-policy']).toBe('no-referrer');
  expect(a.headers['x-frame-options']).toBe('DENY');
  expect(a.headers['cross-origin-opener-policy']).toBe('same-origin');
}

function expectJsonNotFound(a: Answer): void {
  expect(a.status).toBe(404);
  expect(a.headers['content-type']).toMatch(/^application\/json/);
  expect((JSON.parse(a.text) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
}

describe('the UI’s files', () => {
  it('answers index.html for / and for deep links asked for as pages', async () => {
    for (const path of ['/', '/jobs/42', '/jobs?state=running&q=x', '/login']) {
      const a = await get(h.url, path);
      expect(a.status, path).toBe(200);
      expect(a.text).toBe(INDEX);
      expect(a.headers['content-type']).toMatch(/^text\/html/);
      expect(a.headers['cache-control']).toBe('no-cache');
      expectUiHeaders(a);
    }
    expect(UI_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " +
        "frame-ancestors 'none'; form-action 'self'",
    );
  });

  it('serves hashed assets as immutable', async () => {
    const a = await get(h.url, '/assets/app-abc123.js', '*/*');
    expect(a.status).toBe(200);
    expect(a.text).toBe(APP);
    expect(a.headers['content-type']).toMatch(/javascript/);
    expect(a.headers['cache-control']).toBe(IMMUTABLE);
    expectUiHeaders(a);
  });

  it('gives no page for data requests, missing assets or other methods', async () => {
    expectJsonNotFound(await get(h.url, '/jobs/42', 'application/json'));
    expectJsonNotFound(await get(h.url, '/assets/missing-1.js'));
    expectJsonNotFound(await get(h.url, '/jobs/42', 'text/html', 'POST'));
  });

  it('never leaves the directory, shows no dotfile and lists no directory', async () => {
    for (const path of [
      '/assets/../../etc/passwd',
      '/../../../../etc/passwd',
      '/%2e%2e/',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/.env',
      '/assets/.secret',
      '/%2eenv',
      '/assets/',
    ]) {
      const a = await get(h.url, path);
      expect(a.status, path).toBeGreaterThanOrEqual(400);
      expect(a.status, path).toBeLessThan(500);
      expect(a.text, path).not.toContain('root:');
      expect(a.text, path).not.toContain(SECRET);
      expect(a.text, path).not.toContain('app-abc123');
    }
  });

  it('leaves the API’s paths to the API, with its own headers', async () => {
    const a = await get(h.url, '/api/v1/nope');
    expectJsonNotFound(a);
    expect(a.headers['content-security-policy']).toBe(API_CSP);
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    expect(a.headers['referrer-policy']).toBe('no-referrer');
    expectJsonNotFound(await get(h.url, '/api'));
    expectJsonNotFound(await get(h.url, '/api/1.0/nope'));
    const metrics = await get(h.url, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).not.toContain('<title>');
    const health = await get(h.url, '/api/v1/health');
    expect(health.headers['content-type']).toMatch(/^application\/json/);
    expect(health.headers['content-security-policy']).toBe(API_CSP);
  });
});

describe('without a built UI', () => {
  it('answers / with a 404 that says so, and serves the API as usual', async () => {
    const a = await get(unbuilt.url, '/');
    expectJsonNotFound(a);
    expect(a.text).toContain('not built');
    expect(a.text).toContain('npm run build');
    expect((await get(unbuilt.url, '/api/v1/health', 'application/json')).status).toBe(200);
  });

  it('looks for the installed @god/ui package’s dist by default', () => {
    expect(uiDirOf('')).toMatch(/[/\\]ui[/\\]dist$/);
    expect(uiDirOf('/srv/god-ui')).toBe('/srv/god-ui');
  });
});
