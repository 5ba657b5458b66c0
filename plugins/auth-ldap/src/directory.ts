/**
 * One connection per question: open, (StartTLS,) bind the service account, ask, unbind in
 * `finally`. Short-lived connections cost a TCP (and TLS) handshake per login, and in exchange
 * there is no pool to go stale, no bound state shared between users and nothing to leak.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { GodError } from '@god/core';
import { Client } from 'ldapts';
import { directoryError, DirectoryUnavailableError } from './errors.js';
import type { LdapConfig } from './settings.js';

/** How to reach the directory: the settings and the TLS options read once at startup. */
export interface DirectoryTarget {
  settings: LdapConfig;
  tls: ConnectionOptions;
}

/** The server's host name from `url`, without IPv6 brackets (TLS name checks need it bare). */
function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The target for `settings`; reads `ca_file` now, so a missing file fails at startup. */
export function directoryTarget(settings: LdapConfig): DirectoryTarget {
  const tls: ConnectionOptions = {
    rejectUnauthorized: settings.reject_unauthorized,
    minVersion: 'TLSv1.2',
  };
  if (settings.ca_file !== '') {
    try {
      tls.ca = readFileSync(settings.ca_file, 'utf8');
    } catch (err) {
      throw new GodError(
        'INVALID_CONFIG',
        `plugins.ldap.ca_file: cannot read ${settings.ca_file}`,
        {
          cause: err,
        },
      );
    }
  }
  return { settings, tls };
}

/**
 * Runs one LDAP step with the configured time limit and turns any failure into a god error.
 * ldapts times out operations itself, but not a stalled StartTLS handshake: the deadline here
 * covers every step.
 */
export async function step<T>(
  target: DirectoryTarget,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  const { url, timeout_ms } = target.settings;
  const timedOut = new DirectoryUnavailableError(
    `LDAP ${operation} at ${url} timed out after ${timeout_ms} ms`,
    { retryable: true },
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), timeout_ms);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } catch (err) {
    throw directoryError(err, operation, url);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens a connection, upgrades it (start_tls), binds the service account (none = anonymous),
 * runs `fn` and always closes the connection, whatever `fn` did.
 */
export async function withDirectory<T>(
  target: DirectoryTarget,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const { settings, tls } = target;
  const client = new Client({
    url: settings.url,
    timeout: settings.timeout_ms,
    connectTimeout: settings.timeout_ms,
    // Only for ldaps://: ldapts opens a TLS socket whenever TLS options are given.
    ...(/^ldaps:/i.test(settings.url) ? { tlsOptions: tls } : {}),
  });
  try {
    if (settings.start_tls)
      await step(target, 'StartTLS', () => client.startTLS({ ...tls, host: hostOf(settings.url) }));
    if (settings.bind_dn !== '')
      await step(target, 'service account bind', () =>
        client.bind(settings.bind_dn, settings.bind_password),
      );
    return await fn(client);
  } finally {
    // unbind destroys the socket even when the unbind request itself fails.
    await client.unbind().catch(() => undefined);
  }
}
