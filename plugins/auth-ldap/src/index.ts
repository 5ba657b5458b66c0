/** The `ldap` auth plugin: accounts and passwords from an LDAP directory (RFC 2307 posix). */
import type { AuthDefinition } from '@god/core';
import { createLdapAuth } from './ldap.js';
import { LdapConfigSchema } from './settings.js';

/** The `ldap` auth definition, as listed in the auth plugin registry. */
export const ldapAuth: AuthDefinition<typeof LdapConfigSchema> = {
  kind: 'auth',
  name: 'ldap',
  configSchema: LdapConfigSchema,
  create: createLdapAuth,
};

export default ldapAuth;

export { DirectoryUnavailableError } from './errors.js';
export { createLdapAuth } from './ldap.js';
export { LdapConfigSchema, ldapUrlProblem } from './settings.js';
export type { LdapConfig } from './settings.js';
