/**
 * Builds the workstation `god` (`npm run build` runs this after tsc): one file,
 * packages/cli/dist/god-cli.mjs, that needs only Node.js >= 20.19 — the commands that talk to a
 * server, `config` and `completion`, with commander, the API client and the job model inlined.
 * The server side (roles, store, Redis, Docker, native add-ons) must stay out: the build fails
 * when anything of it is reached from the entry point.
 *
 *   tsx scripts/bundle-cli.ts [outfile]
 */
import { chmod } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');

/** Where `npm run build` puts the workstation `god`. */
export const CLI_BUNDLE = resolve(ROOT, 'packages/cli/dist/god-cli.mjs');

/** The workspace packages the workstation build may contain. */
const CLIENT_PACKAGES = ['packages/cli/', 'packages/client/', 'packages/core/'];
/** CLI modules that belong to the full install only (the roles and what opens the store). */
const SERVER_MODULES =
  /^packages\/cli\/src\/(commands\/(local|roles|demo|bootstrap-admin|maintenance)|cli|main)\.ts$/;

/** The bundle written: its size, the files it was made of, what it still imports at run time. */
export interface CliBundle {
  outfile: string;
  bytes: number;
  /** Paths relative to the repository root. */
  inputs: string[];
  /** Modules the bundle imports when it runs (Node's own only, when the build is right). */
  imports: string[];
}

/** The inputs that must not be in the workstation build (empty when it is clean). */
export function serverInputs(inputs: readonly string[]): string[] {
  return inputs.filter(
    (path) =>
      SERVER_MODULES.test(path) ||
      (/^(packages|plugins)\//.test(path) && !CLIENT_PACKAGES.some((p) => path.startsWith(p))),
  );
}

/** Bundles packages/cli/src/client-main.ts into `outfile` (mode 0755); throws on a server input. */
export async function bundleCli(outfile = CLI_BUNDLE): Promise<CliBundle> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['packages/cli/src/client-main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    // Workspace packages export their TypeScript under "source": bundled from src/, no tsc needed.
    conditions: ['source'],
    // commander and its peers are CommonJS: their require() of Node's modules needs a real one.
    banner: {
      js: "import { createRequire as __godCreateRequire } from 'node:module';\nconst require = __godCreateRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(ROOT, resolve(ROOT, p)));
  const server = serverInputs(inputs);
  if (server.length > 0)
    throw new Error(`the workstation god would contain server-side modules: ${server.join(', ')}`);
  await chmod(outfile, 0o755);
  const out = result.metafile.outputs[relative(ROOT, outfile)];
  const imports = [...new Set((out?.imports ?? []).map((i) => i.path))];
  return { outfile, bytes: out?.bytes ?? 0, inputs, imports };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const made = await bundleCli(
    process.argv[2] === undefined ? CLI_BUNDLE : resolve(process.argv[2]),
  );
  console.log(
    `workstation god: ${relative(process.cwd(), made.outfile)} (${Math.round(made.bytes / 1024)} KiB, ${made.inputs.length} modules)`,
  );
}
