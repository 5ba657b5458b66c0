/**
 * The rule that keeps test code out of dist/: in a package's src/, test-only files are named
 * `*.test.ts`, `test-*.ts`, `*.contract.ts` or `contract-*.ts`; every package's build excludes
 * them (test/tsconfig.json type-checks them), no other file imports the kit or vitest, and every
 * other file is reachable from an entry point (so a test-only builder under another name shows).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const TEST_ONLY = [
  'src/**/*.test.ts',
  'src/**/test-*.ts',
  'src/**/*.contract.ts',
  'src/**/contract-*.ts',
];
/**
 * The web UI is bundled by Vite from its entry (src/main.tsx), not compiled file by file: only
 * what the entry imports reaches its dist/, so a test file cannot. Its tsconfig checks its tests.
 */
const BUNDLED = new Set(['packages/ui']);
const PACKAGES = ['packages', 'plugins']
  .flatMap((group) => readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name)))
  .filter((pkg) => !BUNDLED.has(relative(ROOT, pkg)));

/** Whether `file` (a name under src/) is test-only by the naming rule. */
function isTestOnly(file: string): boolean {
  const name = file.split('/').pop() ?? '';
  return /\.test\.ts$|^test-.*\.ts$|\.contract\.ts$|^contract-.*\.ts$/.test(name);
}

/** Every .ts file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('test code stays out of dist/', () => {
  it('every package build excludes the test-only names', () => {
    for (const pkg of PACKAGES) {
      if (pkg.endsWith('testkit')) continue;
      const tsconfig = JSON.parse(readFileSync(join(pkg, 'tsconfig.json'), 'utf8')) as {
        exclude?: string[];
      };
      expect({ pkg: relative(ROOT, pkg), exclude: tsconfig.exclude }).toEqual({
        pkg: relative(ROOT, pkg),
        exclude: expect.arrayContaining(TEST_ONLY) as unknown,
      });
    }
  });

  it('no file built into a dist/ imports the kit or vitest', () => {
    const offenders = PACKAGES.filter((pkg) => !pkg.endsWith('testkit'))
      .flatMap((pkg) => sources(join(pkg, 'src')))
      .filter((file) => !isTestOnly(file))
      .filter((file) => /from '(@god\/testkit|vitest)(\/[^']*)?'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });
});

/** The sources a package exports (`exports` entries with a `source` condition). */
function exported(pkg: string): string[] {
  const json = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
    exports?: Record<string, { source?: string }>;
  };
  return Object.values(json.exports ?? {}).flatMap((e) =>
    e.source === undefined ? [] : [resolve(pkg, e.source)],
  );
}

/** The files of `src` reachable by relative imports from its entry points. */
function reachable(src: string, files: string[]): Set<string> {
  const seen = new Set<string>();
  const entries = new Set(exported(dirname(src)));
  const todo = files.filter(
    (f) => entries.has(f) || (dirname(f) === src && /\/(index|main|[a-z-]+-main)\.ts$/.test(f)),
  );
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(
      /(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g,
    )) {
      const target = resolve(dirname(file), `${m[1]}.ts`);
      if (existsSync(target)) todo.push(target);
    }
  }
  return seen;
}

it('test code stays out of dist/: every other file of a src/ is reachable from an entry point (index, main, *-main, exports)', () => {
  const unreachable = PACKAGES.filter((pkg) => existsSync(join(pkg, 'src'))).flatMap((pkg) => {
    const src = join(pkg, 'src');
    const built = sources(src).filter((file) => !isTestOnly(file));
    const seen = reachable(src, built);
    return built.filter((file) => !seen.has(file)).map((file) => relative(ROOT, file));
  });
  expect(unreachable).toEqual([]);
});
