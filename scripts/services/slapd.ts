/**
 * A real OpenLDAP slapd (Debian's `slapd` package) for tests: a generated slapd.conf (mdb
 * backend, core/cosine/nis/inetorgperson schemas), a directory of posix users and groups under
 * `dc=god,dc=test` loaded offline with slapadd, and StartTLS plus ldaps with a throwaway
 * self-signed certificate, on random loopback ports in a temp dir. slapd runs in the
 * foreground (`-d none`) as a child process that `stop()` ends.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  spawnLogged,
  stopChild,
  tcpOpen,
  tempDir,
  waitForReady,
  type RunningService,
} from './common.js';

const run = promisify(execFile);

/** The suffix of the test directory. */
export const LDAP_BASE_DN = 'dc=god,dc=test';

/** A posix user of the test directory. */
export interface DirectoryUser {
  uid: string;
  uidNumber: number;
  gidNumber: number;
  home: string;
  /** Omitted for a user without mail. */
  mail?: string;
  /** The entry's parent under the suffix (ou=people unless said otherwise). */
  parent?: string;
  /** False for an inetOrgPerson that is not a posixAccount. */
  posix?: boolean;
}

/** The users: alice, bob, carol (two extra groups), dave (no mail), plain, and two twins. */
export const DIRECTORY_USERS: readonly DirectoryUser[] = [
  { uid: 'alice', uidNumber: 5001, gidNumber: 5000, home: '/home/alice', mail: 'alice@god.test' },
  { uid: 'bob', uidNumber: 5002, gidNumber: 5000, home: '/home/bob', mail: 'bob@god.test' },
  { uid: 'carol', uidNumber: 5003, gidNumber: 5000, home: '/home/carol', mail: 'carol@god.test' },
  { uid: 'dave', uidNumber: 5004, gidNumber: 5000, home: '/home/dave' },
  { uid: 'plain', uidNumber: 0, gidNumber: 0, home: '', mail: 'plain@god.test', posix: false },
  // Two entries with one uid: a login that names both must be refused.
  { uid: 'twin', uidNumber: 5010, gidNumber: 5000, home: '/home/twin' },
  {
    uid: 'twin',
    uidNumber: 5011,
    gidNumber: 5000,
    home: '/home/twin2',
    parent: 'ou=staff,ou=people',
  },
];

/** A posixGroup: members by memberUid, or by `member` DN (with extensibleObject to allow it). */
export interface DirectoryGroup {
  cn: string;
  gidNumber: number;
  memberUids?: string[];
  memberDns?: string[];
}

/** The groups: users (everyone's primary), physics (alice, carol), gpu (carol), admins (bob by DN). */
export const DIRECTORY_GROUPS: readonly DirectoryGroup[] = [
  { cn: 'users', gidNumber: 5000, memberUids: ['alice', 'bob', 'carol', 'dave'] },
  { cn: 'physics', gidNumber: 6001, memberUids: ['alice', 'carol'] },
  { cn: 'gpu', gidNumber: 6002, memberUids: ['carol'] },
  { cn: 'admins', gidNumber: 7001, memberDns: [`uid=bob,ou=people,${LDAP_BASE_DN}`] },
];

/** What tests need to use the directory (all plain data, so vitest can provide it). */
export interface SlapdInfo {
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

/** A `{SSHA}` userPassword value: base64(SHA1(password + salt) + salt), as slappasswd makes. */
export function sshaPassword(password: string, salt: Buffer = randomBytes(8)): string {
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** slapd.conf for a directory in `dir`. */
function slapdConf(dir: string, readerDn: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile ${join(dir, 'slapd.pid')}
argsfile ${join(dir, 'slapd.args')}
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile ${join(dir, 'cert.pem')}
TLSCertificateKeyFile ${join(dir, 'key.pem')}
# A DN with an empty password is an unauthenticated bind that succeeds here (RFC 4513 5.1.2
# allows it): so the tests prove that god refuses empty passwords itself.
allow bind_anon_dn

database mdb
suffix "${LDAP_BASE_DN}"
directory ${join(dir, 'data')}
maxsize 67108864
index objectClass eq
index uid,memberUid,member eq
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="${readerDn}" read
  by self read
  by * none
`;
}

/** One LDIF entry from its DN and attribute lines. */
function entry(dn: string, lines: (string | false)[]): string {
  return [`dn: ${dn}`, ...lines.filter((l): l is string => l !== false), ''].join('\n');
}

/** The LDIF of the whole directory. */
function directoryLdif(
  readerDn: string,
  readerPassword: string,
  passwords: Record<string, string>,
): string {
  const people = `ou=people,${LDAP_BASE_DN}`;
  const out = [
    entry(LDAP_BASE_DN, [
      'objectClass: dcObject',
      'objectClass: organization',
      'dc: god',
      'o: god',
    ]),
    entry(readerDn, [
      'objectClass: organizationalRole',
      'objectClass: simpleSecurityObject',
      'cn: god-reader',
      `userPassword: ${sshaPassword(readerPassword)}`,
    ]),
    entry(people, ['objectClass: organizationalUnit', 'ou: people']),
    entry(`ou=staff,${people}`, ['objectClass: organizationalUnit', 'ou: staff']),
    entry(`ou=groups,${LDAP_BASE_DN}`, ['objectClass: organizationalUnit', 'ou: groups']),
  ];
  for (const u of DIRECTORY_USERS) {
    const posix = u.posix !== false;
    out.push(
      entry(`uid=${u.uid},${u.parent ?? 'ou=people'},${LDAP_BASE_DN}`, [
        'objectClass: inetOrgPerson',
        posix && 'objectClass: posixAccount',
        `uid: ${u.uid}`,
        `cn: ${u.uid}`,
        `sn: ${u.uid}`,
        posix && `uidNumber: ${u.uidNumber}`,
        posix && `gidNumber: ${u.gidNumber}`,
        posix && `homeDirectory: ${u.home}`,
        u.mail !== undefined && `mail: ${u.mail}`,
        `userPassword: ${sshaPassword(passwords[u.uid]!)}`,
      ]),
    );
  }
  for (const g of DIRECTORY_GROUPS) {
    out.push(
      entry(`cn=${g.cn},ou=groups,${LDAP_BASE_DN}`, [
        'objectClass: posixGroup',
        g.memberDns !== undefined && 'objectClass: extensibleObject',
        `cn: ${g.cn}`,
        `gidNumber: ${g.gidNumber}`,
        ...(g.memberUids ?? []).map((m) => `memberUid: ${m}`),
        ...(g.memberDns ?? []).map((m) => `member: ${m}`),
      ]),
    );
  }
  return out.join('\n');
}

/** Writes a self-signed certificate for 127.0.0.1 and localhost into `dir` (cert.pem, key.pem). */
async function makeCertificate(dir: string): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=god-test-slapd',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
}

/** Random passwords for the service account and each user (the twins share one). */
function makePasswords(): { reader: string; users: Record<string, string> } {
  const pw = (): string => randomBytes(12).toString('base64url');
  const users: Record<string, string> = {};
  for (const u of DIRECTORY_USERS) users[u.uid] ??= pw();
  return { reader: pw(), users };
}

/**
 * Writes slapd.conf, the certificate and the LDIF into `dir` and loads the LDIF offline with
 * slapadd (the mdb files exist before slapd opens them, so no admin DN is needed); returns the
 * path of slapd.conf.
 */
async function prepareDirectory(
  dir: string,
  readerDn: string,
  passwords: ReturnType<typeof makePasswords>,
): Promise<string> {
  await mkdir(join(dir, 'data'));
  const conf = join(dir, 'slapd.conf');
  const ldif = join(dir, 'directory.ldif');
  await writeFile(conf, slapdConf(dir, readerDn), { mode: 0o600 });
  await writeFile(ldif, directoryLdif(readerDn, passwords.reader, passwords.users), {
    mode: 0o600,
  });
  await makeCertificate(dir);
  await run('slapadd', ['-q', '-f', conf, '-l', ldif]);
  return conf;
}

/** Starts slapd on two free loopback ports (ldap with StartTLS, ldaps) with the test directory. */
export async function startSlapd(): Promise<RunningService & SlapdInfo> {
  const dir = await tempDir('slapd');
  const readerDn = `cn=god-reader,${LDAP_BASE_DN}`;
  const passwords = makePasswords();
  const conf = await prepareDirectory(dir, readerDn, passwords).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `slapd setup failed (are slapd, ldap-utils and openssl installed? scripts/install.sh does it): ${String(err)}`,
    );
  });
  const port = await freePort();
  let ldapsPort = await freePort();
  while (ldapsPort === port) ldapsPort = await freePort();
  const listeners = `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`;
  // -d keeps slapd in the foreground (a child we can stop); "none" logs only its errors.
  const child = spawnLogged('slapd', dir, 'slapd', ['-f', conf, '-h', listeners, '-d', 'none']);
  try {
    await waitForReady(
      `slapd on ports ${port}, ${ldapsPort} (log in ${dir})`,
      child,
      async () => (await tcpOpen(port)) && (await tcpOpen(ldapsPort)),
    );
  } catch (err) {
    await stopChild(child, null);
    throw err;
  }
  return {
    name: 'slapd',
    url: `ldap://127.0.0.1:${port}`,
    ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
    port,
    dir,
    caFile: join(dir, 'cert.pem'),
    baseDn: LDAP_BASE_DN,
    peopleDn: `ou=people,${LDAP_BASE_DN}`,
    groupsDn: `ou=groups,${LDAP_BASE_DN}`,
    bindDn: readerDn,
    bindPassword: passwords.reader,
    passwords: passwords.users,
    stop: () => stopChild(child, dir),
  };
}
