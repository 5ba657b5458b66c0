/**
 * Handles on the real services the vitest global setup (test/support/global-setup.ts) starts,
 * and the one declaration of what it provides to tests through `inject(...)`.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** What tests get of the secure Redis: where it listens and how god logs in (a 0600 file). */
export interface SecureRedisInfo {
  url: string;
  socket: string;
  username: string;
  passwordFile: string;
}

/** The test directory of scripts/services/slapd.ts (users, groups, TLS). */
export interface LdapInfo {
  /** `ldap://127.0.0.1:<port>` (StartTLS available). */
  url: string;
  /** `ldaps://127.0.0.1:<port>`. */
  ldapsUrl: string;
  /** The PEM file of the server's self-signed certificate (its own CA). */
  caFile: string;
  baseDn: string;
  peopleDn: string;
  groupsDn: string;
  /** The read-only service account that may search people and groups. */
  bindDn: string;
  bindPassword: string;
  /** Password of each user by uid (random per run; the twins share one). */
  passwords: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of a real redis-server. */
    redisUrl: string;
    /** A second redis-server as production should run it: ACL user and password, unix socket. */
    redisSecure: SecureRedisInfo;
    /** `mongodb://127.0.0.1:<port>` of a real FerretDB (MongoDB wire protocol). */
    mongoUrl: string;
    /** `unix:///…/docker.sock` of a private dockerd holding `god-test/busybox:latest`. */
    dockerHost: string;
    /** A real slapd with the test directory of scripts/services/slapd.ts. */
    ldap: LdapInfo;
  }
}

/** The services of the test setup, read when a test asks (only the integration project has them). */
export const services = {
  /** `redis://` URL of the plain test Redis. */
  redisUrl: (): string => inject('redisUrl'),
  /** The secure Redis (ACL user, password file, unix socket). */
  redisSecure: (): SecureRedisInfo => inject('redisSecure'),
  /** `mongodb://` URL of the test FerretDB. */
  mongoUrl: (): string => inject('mongoUrl'),
  /** `unix://` URL of the test dockerd. */
  dockerHost: (): string => inject('dockerHost'),
  /** The test slapd. */
  ldap: (): LdapInfo => inject('ldap'),
};

/** A fresh random name (`t-<12 hex>` by default) for a key prefix or database, so tests never share data. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
