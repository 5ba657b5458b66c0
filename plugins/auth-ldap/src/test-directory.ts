/** Test helpers: settings for the real slapd of the global setup, and a recording logger. */
import type { AuthContext } from '@god/core';
import type { SlapdInfo } from '../../../scripts/services/slapd.js';
import { LdapConfigSchema, type LdapConfig } from './settings.js';

/** Settings for the test directory `dir`, with the service account, overridden by `extra`. */
export function makeSettings(dir: SlapdInfo, extra: Record<string, unknown> = {}): LdapConfig {
  return LdapConfigSchema.parse({
    url: dir.url,
    bind_dn: dir.bindDn,
    bind_password: dir.bindPassword,
    user_base: dir.peopleDn,
    group_base: dir.groupsDn,
    timeout_ms: 2_000,
    ...extra,
  });
}

/** A plugin context whose log lines are kept in `lines`. */
export function makeContext(): { ctx: AuthContext; lines: string[] } {
  const lines: string[] = [];
  const put = (level: string) => (fields: object, msg: string) =>
    lines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
  return {
    lines,
    ctx: {
      logger: { debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error') },
      now: () => Date.now(),
      localAccounts: { get: () => Promise.resolve(null) },
    },
  };
}
