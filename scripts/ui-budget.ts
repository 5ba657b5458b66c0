/**
 * The web UI's bundle budget and CSP check, run after `vite build` (npm run build -w @god/ui).
 * Prints the size of every asset (raw and gzip), then fails when:
 *  - the initial JavaScript (what index.html loads before anything else: its module scripts and
 *    their modulepreloads) passes INITIAL_JS_GZIP_BUDGET bytes gzipped, or
 *  - index.html holds an inline script, an inline <style> or a style="" attribute, which the
 *    CSP `god web` sends (script-src 'self'; style-src 'self') would block.
 * CodeMirror and uPlot are loaded lazily by the pages that use them, so they are not initial.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The most gzipped bytes of JavaScript the first page load may fetch. */
export const INITIAL_JS_GZIP_BUDGET = 250 * 1024;

// The built UI (another directory may be given, to check the checker).
const dist = process.argv[2] ?? join(import.meta.dirname, '..', 'packages', 'ui', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const problems: string[] = [];
for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi))
  if (!/\bsrc=/.test(m[1] ?? '') || (m[2] ?? '').trim() !== '')
    problems.push('index.html has an inline <script> (blocked by the CSP)');
if (/<style\b/i.test(html)) problems.push('index.html has an inline <style> (blocked by the CSP)');
if (/\sstyle=/i.test(html))
  problems.push('index.html has a style="" attribute (blocked by the CSP)');

const initial = new Set(
  [...html.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="\/?(assets\/[^"]+\.js)"/gi)].map(
    (m) => m[1]!,
  ),
);

const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;
let initialGz = 0;
let totalJsGz = 0;
let totalGz = 0;
const rows: string[] = [];
for (const name of readdirSync(join(dist, 'assets')).sort()) {
  if (name.endsWith('.map')) continue;
  const bytes = readFileSync(join(dist, 'assets', name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const isInitial = initial.has(`assets/${name}`);
  totalGz += gz;
  if (name.endsWith('.js')) totalJsGz += gz;
  if (isInitial) initialGz += gz;
  rows.push(
    `  ${isInitial ? '*' : ' '} ${name.padEnd(40)} ${kb(bytes.length).padStart(10)} ${kb(gz).padStart(10)} gz`,
  );
}
console.log('web UI assets (* = loaded by the first page):');
for (const r of rows) console.log(r);
console.log(
  `initial JS ${kb(initialGz)} gz (budget ${kb(INITIAL_JS_GZIP_BUDGET)}); all JS ${kb(totalJsGz)} gz; all assets ${kb(totalGz)} gz`,
);
if (initial.size === 0) problems.push('index.html loads no JavaScript from assets/');
if (initialGz > INITIAL_JS_GZIP_BUDGET)
  problems.push(
    `initial JS is ${kb(initialGz)} gz, over the budget of ${kb(INITIAL_JS_GZIP_BUDGET)}`,
  );
for (const p of problems) console.error(`ui-budget: ${p}`);
if (problems.length > 0) process.exit(1);
