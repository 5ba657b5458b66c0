/**
 * The stored login: `{server, user, key}` in `$XDG_CONFIG_HOME/god/credentials.json` (default
 * `~/.config/god/credentials.json`). The directory is 0700 and the file 0600, written whole
 * through a temp file and a rename; a file others could read is refused, as ssh refuses a
 * private key anyone else could read: the key in it may already have leaked.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** What `god login` stores. */
export interface Credentials {
  server: string;
  user: string;
  key: string;
}

/** Where the credentials live for this environment and home directory. */
export function credentialsPath(
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.config');
  return join(base, 'god', 'credentials.json');
}

/**
 * The stored credentials, or null when there are none; throws CliError when the file is bad or
 * others may read it (unless `insecureOk`: for login and logout, which revoke the key in it).
 */
export async function readCredentials(
  path: string,
  opts: { insecureOk?: boolean } = {},
): Promise<Credentials | null> {
  let mode: number;
  try {
    const st = await lstat(path);
    if (!st.isFile()) throw new CliError(`${path} is not a regular file: refusing to read it`);
    mode = st.mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if ((mode & 0o077) !== 0 && opts.insecureOk !== true)
    throw new CliError(
      `refusing to read ${path}: group or others may access it (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `run \`chmod 600 ${path}\` if nobody else did, else \`god logout\` and \`god login\` again`,
    );
  const parsed = parse(await readFile(path, 'utf8'));
  if (parsed === null)
    throw new CliError(`${path} is not a god credentials file: remove it and run \`god login\``);
  return parsed;
}

function parse(text: string): Credentials | null {
  try {
    const v = JSON.parse(text) as Partial<Record<keyof Credentials, unknown>> | null;
    if (typeof v?.server === 'string' && typeof v.user === 'string' && typeof v.key === 'string')
      return { server: v.server, user: v.user, key: v.key };
  } catch {
    // not JSON: reported by the caller
  }
  return null;
}

/** Stores `creds`, replacing what was there: directory 0700, file 0600. */
export async function writeCredentials(path: string, creds: Credentials): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // An existing directory keeps its mode through mkdir; the key must not sit in a readable one.
  await chmod(dir, 0o700);
  const tmp = join(dir, `.credentials-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Removes the stored credentials; false when there were none. */
export async function removeCredentials(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** The public id of an API key (`god_<id>_<secret>`), to revoke it; null for anything else. */
export function keyIdOf(key: string): string | null {
  return /^god_([0-9a-f]{16})_/.exec(key)?.[1] ?? null;
}
