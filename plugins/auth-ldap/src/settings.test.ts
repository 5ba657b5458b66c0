/** The ldap plugin's settings: defaults, and refusals that name the field. */
import { describe, expect, it } from 'vitest';
import { createLdapAuth } from './ldap.js';
import { LdapConfigSchema } from './settings.js';
import { makeContext } from './test-directory.js';

describe('LdapConfigSchema', () => {
  it('fills every default', () => {
    expect(LdapConfigSchema.parse(undefined)).toEqual({
      url: 'ldap://localhost:389',
      bind_dn: '',
      bind_password: '',
      user_base: 'ou=people,dc=example,dc=org',
      user_attribute: 'uid',
      user_filter: '(objectClass=posixAccount)',
      group_base: 'ou=groups,dc=example,dc=org',
      group_filter: '(objectClass=posixGroup)',
      group_membership: 'memberUid',
      uid_number_attribute: 'uidNumber',
      gid_number_attribute: 'gidNumber',
      home_attribute: 'homeDirectory',
      mail_attribute: 'mail',
      timeout_ms: 5000,
      start_tls: false,
      ca_file: '',
      reject_unauthorized: true,
      root_gids: [],
    });
  });

  it('accepts ldaps:// with a CA file, and StartTLS on ldap://', () => {
    expect(
      LdapConfigSchema.safeParse({ url: 'ldaps://ldap.example.org', ca_file: '/etc/ssl/ca.pem' })
        .success,
    ).toBe(true);
    expect(LdapConfigSchema.safeParse({ url: 'ldap://[::1]:1389/', start_tls: true }).success).toBe(
      true,
    );
  });

  it.each([
    [{ url: 'http://ldap.example.org' }, 'url', /ldap:\/\/ or ldaps:\/\//],
    [{ url: 'ldap.example.org' }, 'url', /must be a URL/],
    [{ url: 'ldap://admin:pw@ldap.example.org' }, 'url', /credentials/],
    [{ url: 'ldap://ldap.example.org/dc=org??sub' }, 'url', /scheme, host and port only/],
    [{ bind_dn: 'cn=reader,dc=example,dc=org' }, 'bind_password', /empty password/],
    [{ bind_password: 'secret' }, 'bind_dn', /with bind_password/],
    [{ url: 'ldaps://ldap.example.org', start_tls: true }, 'start_tls', /already TLS/],
    [{ ca_file: 'ca.pem' }, 'ca_file', /absolute/],
    [{ user_filter: 'objectClass=posixAccount' }, 'user_filter', /parenthesised/],
    [{ user_filter: '(&(objectClass=posixAccount)' }, 'user_filter', /not an LDAP filter/],
    [
      { group_filter: '(objectClass=posixGroup))' },
      'group_filter',
      /not an LDAP filter|parenthesised/,
    ],
    [{ user_attribute: 'uid)(x' }, 'user_attribute', /attribute name/],
    [{ mail_attribute: '' }, 'mail_attribute', /attribute name/],
    [{ group_membership: 'uniqueMember' }, 'group_membership', /memberUid/],
    [{ user_base: '' }, 'user_base', /./],
    [{ timeout_ms: 0 }, 'timeout_ms', /./],
    [{ timeout_ms: 1.5 }, 'timeout_ms', /./],
    [{ reject_unauthorized: 'no' }, 'reject_unauthorized', /./],
  ])('refuses %j, naming %s', (value, path, message) => {
    const res = LdapConfigSchema.safeParse(value);
    expect(res.success).toBe(false);
    const issue = res.error?.issues.find((i) => i.path.join('.') === path);
    expect(issue, JSON.stringify(res.error?.issues)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it('refuses unknown keys', () => {
    const res = LdapConfigSchema.safeParse({ bind_pw: 'x' });
    expect(res.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['bind_pw'] });
  });
});

describe('createLdapAuth', () => {
  it('refuses at startup a CA file it cannot read', () => {
    const settings = LdapConfigSchema.parse({ ca_file: '/nonexistent/ca.pem' });
    const err = ((): unknown => {
      try {
        createLdapAuth(settings, makeContext().ctx);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
    expect((err as Error).message).toMatch(/plugins\.ldap\.ca_file/);
  });

  it('warns about passwords sent in clear and certificates not verified, never logging secrets', () => {
    const { ctx, lines } = makeContext();
    const settings = LdapConfigSchema.parse({
      url: 'ldap://ldap.example.org',
      bind_dn: 'cn=reader,dc=example,dc=org',
      bind_password: 'service-secret',
      reject_unauthorized: false,
    });
    createLdapAuth(settings, ctx);
    expect(lines.map((l) => l.split(' {')[0])).toEqual([
      'warn ldap passwords are sent unencrypted (use ldaps:// or start_tls)',
      'warn ldap server certificate is not verified',
    ]);
    expect(lines.join('\n')).not.toContain('service-secret');
    const quiet = makeContext();
    createLdapAuth(LdapConfigSchema.parse({ url: 'ldaps://ldap.example.org' }), quiet.ctx);
    expect(quiet.lines).toEqual([]);
  });
});
