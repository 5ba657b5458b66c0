/** Settings of the `ldap` auth plugin (`plugins.ldap` in god.yaml), each key in the README. */
import { isAbsolute } from 'node:path';
import { FilterParser } from 'ldapts';
import { z } from 'zod';

/** An attribute description as RFC 4512 names them (`uidNumber`, `mail`). */
const attributeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an LDAP attribute name (letters, digits, -)');

/** Why `text` is not an ldap:// or ldaps:// URL of a server (scheme, host, optional port), or null. */
export function ldapUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL such as ldaps://ldap.example.org';
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:')
    return 'must start with ldap:// or ldaps://';
  if (url.hostname === '') return 'must name a host';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (use bind_dn)';
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '')
    return 'must be scheme, host and port only';
  return null;
}

/**
 * True when the parentheses of `text` nest into one outer pair. In RFC 4515 a parenthesis in
 * a value is escaped (\28, \29), so every raw one is structure; ldapts's parser does not
 * check this (it takes `(&(a=b)` for `(&(a=b))`).
 */
function balanced(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0 && i !== text.length - 1) return false;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** Why `text` is not an RFC 4515 filter string, or null. */
function filterProblem(text: string): string | null {
  if (!text.startsWith('(') || !text.endsWith(')')) return 'must be a parenthesised LDAP filter';
  if (!balanced(text)) return 'is not an LDAP filter: unbalanced parentheses';
  try {
    FilterParser.parseString(text);
    return null;
  } catch (err) {
    return `is not an LDAP filter: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** A filter setting: checked at config time so that a typo fails at startup, not at login. */
const filterString = z.string().superRefine((text, ctx) => {
  const problem = filterProblem(text);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** Settings under `plugins.ldap`. */
export const LdapConfigSchema = z
  .strictObject({
    /** The directory server: ldap://host[:port] or ldaps://host[:port]. */
    url: z
      .string()
      .default('ldap://localhost:389')
      .superRefine((text, ctx) => {
        const problem = ldapUrlProblem(text);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** DN of the service account that searches users and groups; empty = anonymous search. */
    bind_dn: z.string().default(''),
    /** Its password (required with bind_dn). */
    bind_password: z.string().default(''),
    /** Where users are searched (whole subtree). */
    user_base: z.string().min(1).default('ou=people,dc=example,dc=org'),
    /** The attribute holding the login name. */
    user_attribute: attributeName.default('uid'),
    /** Extra filter a user entry must match, ANDed with `(<user_attribute>=<login>)`. */
    user_filter: filterString.default('(objectClass=posixAccount)'),
    /** Where groups are searched (whole subtree); empty = no supplementary groups. */
    group_base: z.string().default('ou=groups,dc=example,dc=org'),
    /** Extra filter a group entry must match. */
    group_filter: filterString.default('(objectClass=posixGroup)'),
    /** How groups list members: `memberUid` (login names, RFC 2307) or `member` (user DNs). */
    group_membership: z.enum(['memberUid', 'member']).default('memberUid'),
    /** Attribute of the numeric user id. */
    uid_number_attribute: attributeName.default('uidNumber'),
    /** Attribute of the numeric group id (users' primary group, and groups'). */
    gid_number_attribute: attributeName.default('gidNumber'),
    /** Attribute of the home directory. */
    home_attribute: attributeName.default('homeDirectory'),
    /** Attribute of the e-mail address. */
    mail_attribute: attributeName.default('mail'),
    /** Time allowed for connecting and for each LDAP operation (ms). */
    timeout_ms: z.number().int().min(100).max(120_000).default(5_000),
    /** Upgrade an ldap:// connection with StartTLS before any bind. */
    start_tls: z.boolean().default(false),
    /** PEM file of the CA(s) that sign the server's certificate; empty = Node's bundled CAs. */
    ca_file: z.string().default(''),
    /** Verify the server's certificate and name (TLS); turn off only for tests. */
    reject_unauthorized: z.boolean().default(true),
    /**
     * Group ids (gidNumber, primary or supplementary) whose members may run jobs as root, when
     * `security.allow_root` is on; empty: the security section alone decides.
     */
    root_gids: z.array(z.number().int().min(0)).max(1_000).default([]),
  })
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    // A DN bind with an empty password is an unauthenticated bind that servers may accept.
    if (s.bind_dn !== '' && s.bind_password === '')
      issue('bind_password', 'must be set when bind_dn is (an empty password binds anonymously)');
    if (s.bind_dn === '' && s.bind_password !== '')
      issue('bind_dn', 'must be set with bind_password');
    if (s.start_tls && /^ldaps:/i.test(s.url))
      issue('start_tls', 'cannot be used with ldaps:// (the connection is already TLS)');
    if (s.ca_file !== '' && !isAbsolute(s.ca_file)) issue('ca_file', 'must be an absolute path');
  })
  .prefault({});

/** The resolved settings. */
export type LdapConfig = z.output<typeof LdapConfigSchema>;
