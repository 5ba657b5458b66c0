/**
 * Which server and credential a command uses: `GOD_SERVER` and `GOD_API_KEY` first, then what
 * `god login` stored. The stored key is sent only to the server it was made on, so pointing
 * GOD_SERVER elsewhere never hands it to another host.
 */
import { GodClient } from '@god/client';
import type { CliContext } from './context.js';
import { credentialsPath, readCredentials, type Credentials } from './credentials.js';

/** Where god listens by default (`web.host`, `web.port`). */
export const DEFAULT_SERVER = 'http://127.0.0.1:6543';

/** A client and what it was made from. */
export interface Remote {
  client: GodClient;
  server: string;
  /** The stored login, when the credential came from it. */
  stored: Credentials | null;
  credentialsPath: string;
  /** Whether there is a credential to send. */
  authenticated: boolean;
}

/** A client of the server the environment or the stored login names. */
export async function connect(ctx: CliContext): Promise<Remote> {
  const path = credentialsPath(ctx.env, ctx.home);
  const envKey = nonEmpty(ctx.env['GOD_API_KEY']);
  // With both overrides set, the file is not needed, so a bad one does not get in the way.
  const stored =
    envKey !== undefined && nonEmpty(ctx.env['GOD_SERVER']) !== undefined
      ? null
      : await readCredentials(path);
  const server = normalise(nonEmpty(ctx.env['GOD_SERVER']) ?? stored?.server ?? DEFAULT_SERVER);
  const storedKey = stored !== null && normalise(stored.server) === server ? stored.key : undefined;
  const credential = envKey ?? storedKey;
  return {
    client: new GodClient({ server, ...(credential !== undefined && { credential }) }),
    server,
    stored: envKey === undefined && storedKey !== undefined ? stored : null,
    credentialsPath: path,
    authenticated: credential !== undefined,
  };
}

/** `host:port` and trailing slashes forgiven: the form the credentials file keeps. */
export function normalise(server: string): string {
  const s = server.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `http://${s}`;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
