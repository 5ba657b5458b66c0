/** Finds and reads god's config file, then resolves the configuration from all its sources. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfig, type Config } from '@god/core';

/** Where god looks for its config when none is named: first hit wins. */
export const CONFIG_SEARCH_PATH = ['god.yaml', 'config/god.yaml', '/etc/god/god.yaml'];

/** The config file to use: `--config`, else $GODOCKER_CONFIG, else the first of the search path. */
export function findConfigFile(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string | undefined {
  const named = explicit ?? env['GODOCKER_CONFIG'];
  if (named !== undefined && named !== '') return resolve(cwd, named);
  return CONFIG_SEARCH_PATH.map((p) => resolve(cwd, p)).find((p) => existsSync(p));
}

/** Reads the file (if any) and resolves the config; throws ValidationError listing every problem. */
export function loadConfig(opts: {
  file: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  sets?: readonly string[];
}): Config {
  const file = opts.file === undefined ? undefined : { name: opts.file, text: readText(opts.file) };
  return resolveConfig({ ...(file && { file }), env: opts.env, sets: opts.sets ?? [] });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigFileError(`cannot read config file ${path}: ${code}`);
  }
}

/** The config file named could not be read. */
export class ConfigFileError extends Error {}
