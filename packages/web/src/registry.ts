/** The built-in auth plugins, in one static registry. */
import { createRegistry, type AuthDefinition } from '@god/core';
import ldap from '@god/auth-ldap';
import local from '@god/auth-local';

/** Auth plugins by name (`local`, `ldap`). */
export const authPlugins = createRegistry<AuthDefinition>('auth', [local, ldap]);
