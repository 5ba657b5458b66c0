/**
 * Smoke test of the real slapd that the global setup starts, through OpenLDAP's own clients
 * (ldap-utils): the directory, its access rules, StartTLS and ldaps.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);

/** Runs an ldap-utils command trusting the test CA; resolves with exit code and output. */
async function ldap(
  tool: string,
  args: string[],
  caFile: string,
): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(tool, ['-x', '-o', 'nettimeout=5', ...args], {
      env: { ...process.env, LDAPTLS_CACERT: caFile, LDAPTLS_REQCERT: 'demand' },
      timeout: 10_000,
    });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    };
  }
}

describe('slapd', () => {
  const dir = inject('ldap');
  const alice = `uid=alice,${dir.peopleDn}`;

  it('lets the service account read users and groups', async () => {
    const base = ['-H', dir.url, '-D', dir.bindDn, '-w', dir.bindPassword, '-LLL'];
    const user = await ldap(
      'ldapsearch',
      [...base, '-b', dir.baseDn, '(uid=alice)', 'uidNumber', 'mail'],
      dir.caFile,
    );
    expect(user.code).toBe(0);
    expect(user.out).toContain(`dn: ${alice}`);
    expect(user.out).toContain('uidNumber: 5001');
    expect(user.out).toContain('mail: alice@god.test');
    const groups = await ldap(
      'ldapsearch',
      [...base, '-b', dir.groupsDn, '(memberUid=carol)', 'gidNumber'],
      dir.caFile,
    );
    expect(groups.out.match(/^gidNumber: \d+$/gm)?.sort()).toEqual([
      'gidNumber: 5000',
      'gidNumber: 6001',
      'gidNumber: 6002',
    ]);
  });

  it('hides the directory from anonymous searches', async () => {
    const res = await ldap(
      'ldapsearch',
      ['-H', dir.url, '-LLL', '-b', dir.baseDn, '(uid=alice)'],
      dir.caFile,
    );
    expect(res.code).toBe(32); // noSuchObject: nothing is visible, not even the suffix
  });

  it('binds a user with the right password only', async () => {
    const ok = await ldap(
      'ldapwhoami',
      ['-H', dir.url, '-D', alice, '-w', dir.passwords['alice']!],
      dir.caFile,
    );
    expect(ok).toEqual({ code: 0, out: `dn:${alice}\n` });
    const wrong = await ldap(
      'ldapwhoami',
      ['-H', dir.url, '-D', alice, '-w', 'not-it'],
      dir.caFile,
    );
    expect(wrong.code).toBe(49); // invalidCredentials
  });

  it('accepts a DN with an empty password as an anonymous bind (what god must refuse itself)', async () => {
    const res = await ldap('ldapwhoami', ['-H', dir.url, '-D', alice, '-w', ''], dir.caFile);
    expect(res).toEqual({ code: 0, out: 'anonymous\n' });
  });

  it('speaks StartTLS and ldaps with its certificate', async () => {
    const pw = dir.passwords['bob']!;
    const bob = `uid=bob,${dir.peopleDn}`;
    const startTls = await ldap(
      'ldapwhoami',
      ['-ZZ', '-H', dir.url, '-D', bob, '-w', pw],
      dir.caFile,
    );
    expect(startTls).toEqual({ code: 0, out: `dn:${bob}\n` });
    const ldaps = await ldap('ldapwhoami', ['-H', dir.ldapsUrl, '-D', bob, '-w', pw], dir.caFile);
    expect(ldaps).toEqual({ code: 0, out: `dn:${bob}\n` });
  });
});
