/**
 * The web UI's bundle budget and CSP check, run after `vite build` (npm run build -w @god/ui).
 * Prints the size of every asset (raw and gzip), then fails when:
 *  - the initial JavaScript (what index.html loads before anything else: its module scripts and
 *    their modulepreloads) passes INITIAL_JS_GZIP_BUDGET bytes gzipped, or
 *  - index.html holds an inline script, an inline <style> or a style="" attribute, which the
 *    CSP `god web` sends (script-src 'self'; style-src 'self') would block.
 * CodeMirror and uPlot are loaded lazily by the pages that use them, so they are not initial.
 * `measureBundle` is the computation, for the UI benchmark (scripts/bench/ui.ts) too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The most gzipped bytes of JavaScript the first page load may fetch. */
export const INITIAL_JS_GZIP_BUDGET = 250 * 1024;

/** The built UI of this repository. */
export const UI_DIST = join(import.meta.dirname, '..', 'packages', 'ui', 'dist');

/** One asset of the build: raw and gzipped bytes, and whether the first page loads it. */
export interface Asset {
  name: string;
  bytes: number;
  gzip: number;
  initial: boolean;
}

/** The sizes of a build and what is wrong with it. */
export interface BundleSizes {
  assets: Asset[];
  /** Gzipped bytes: JS the first page loads, all JS, all assets (source maps excluded). */
  initialJsGzip: number;
  allJsGzip: number;
  allGzip: number;
  /** Raw bytes of all JS. */
  allJsBytes: number;
  problems: string[];
}

/** Measures the build in `dist` and checks it against the budget and the CSP. */
export function measureBundle(dist: string = UI_DIST): BundleSizes {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const problems: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi))
    if (!/\bsrc=/.test(m[1] ?? '') || (m[2] ?? '').trim() !== '')
      problems.push('index.html has an inline <script> (blocked by the CSP)');
  if (/<style\b/i.test(html))
    problems.push('index.html has an inline <style> (blocked by the CSP)');
  if (/\sstyle=/i.test(html))
    problems.push('index.html has a style="" attribute (blocked by the CSP)');
  const initial = new Set(
    [...html.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="\/?(assets\/[^"]+\.js)"/gi)].map(
      (m) => m[1]!,
    ),
  );
  const assets: Asset[] = [];
  for (const name of readdirSync(join(dist, 'assets')).sort()) {
    if (name.endsWith('.map')) continue;
    const raw = readFileSync(join(dist, 'assets', name));
    const gzip = gzipSync(raw, { level: 9 }).length;
    assets.push({ name, bytes: raw.length, gzip, initial: initial.has(`assets/${name}`) });
  }
  const sum = (xs: Asset[], f: (a: Asset) => number): number => xs.reduce((s, a) => s + f(a), 0);
  const js = assets.filter((a) => a.name.endsWith('.js'));
  const sizes: BundleSizes = {
    assets,
    initialJsGzip: sum(
      assets.filter((a) => a.initial),
      (a) => a.gzip,
    ),
    allJsGzip: sum(js, (a) => a.gzip),
    allGzip: sum(assets, (a) => a.gzip),
    allJsBytes: sum(js, (a) => a.bytes),
    problems,
  };
  if (initial.size === 0) problems.push('index.html loads no JavaScript from assets/');
  if (sizes.initialJsGzip > INITIAL_JS_GZIP_BUDGET)
    problems.push(
      `initial JS is ${kb(sizes.initialJsGzip)} gz, over the budget of ${kb(INITIAL_JS_GZIP_BUDGET)}`,
    );
  return sizes;
}

/** `n` bytes in kB, one decimal. */
export function kb(n: number): string {
  return `${(n / 1024).toFixed(1)} kB`;
}

function main(): void {
  // The built UI (another directory may be given, to check the checker).
  const s = measureBundle(process.argv[2] ?? UI_DIST);
  console.log('web UI assets (* = loaded by the first page):');
  for (const a of s.assets)
    console.log(
      `  ${a.initial ? '*' : ' '} ${a.name.padEnd(40)} ${kb(a.bytes).padStart(10)} ${kb(a.gzip).padStart(10)} gz`,
    );
  console.log(
    `initial JS ${kb(s.initialJsGzip)} gz (budget ${kb(INITIAL_JS_GZIP_BUDGET)}); all JS ${kb(s.allJsGzip)} gz; all assets ${kb(s.allGzip)} gz`,
  );
  for (const p of s.problems) console.error(`ui-budget: ${p}`);
  if (s.problems.length > 0) process.exit(1);
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) main();
