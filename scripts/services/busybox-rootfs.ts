/**
 * The root filesystem of the tests' container image `god-test/busybox:latest`: Debian's static
 * busybox (package busybox-static) with all its applets linked where busybox puts them, a
 * world-writable /tmp and a minimal /etc/passwd and /etc/group. Built without any registry:
 * a tarball cached in the temp dir, rebuilt when missing or older than the busybox binary.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  open,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the rootfs tarball is cached between runs. */
export function rootfsCachePath(): string {
  return join(tmpdir(), 'god-busybox-rootfs.tar');
}

/** The static busybox to put in the image: $GOD_BUSYBOX, else /bin/busybox or /usr/bin/busybox. */
export function busyboxBinary(): string {
  const fromEnv = process.env['GOD_BUSYBOX'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const found = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (found === undefined) {
    throw new Error(
      'busybox not found: install the Debian package busybox-static (scripts/install.sh)',
    );
  }
  return found;
}

/**
 * True when `path` is an ELF executable without a program interpreter (PT_INTERP), i.e. one
 * that runs in an empty image. Debian's `busybox` package is dynamically linked; `busybox-static`
 * is not.
 */
export async function isStaticElf(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    await fh.read(head, 0, 64, 0);
    const elf64 = head.readUInt32BE(0) === 0x7f454c46 && head[4] === 2 && head[5] === 1;
    if (!elf64) throw new Error(`${path} is not a 64-bit little-endian ELF file`);
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    await fh.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      if (table.readUInt32LE(i * phentsize) === 3 /* PT_INTERP */) return false;
    }
    return true;
  } finally {
    await fh.close();
  }
}

/** Lays out the rootfs of the test image in `root` (an empty directory). */
export async function layoutRootfs(busybox: string, root: string): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp']) {
    await mkdir(join(root, d), { recursive: true });
  }
  await chmod(join(root, 'tmp'), 0o1777);
  await copyFile(busybox, join(root, 'bin/busybox'));
  await chmod(join(root, 'bin/busybox'), 0o755);
  const { stdout } = await run(busybox, ['--list-full']);
  // Entries look like `bin/sh` or `usr/bin/env`; `linuxrc` (no directory) is not an applet we want.
  const applets = stdout.split('\n').filter((a) => a.includes('/') && a !== 'bin/busybox');
  for (const applet of applets) {
    await mkdir(dirname(join(root, applet)), { recursive: true });
    await symlink('/bin/busybox', join(root, applet));
  }
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

/** Builds the rootfs tarball at `out` (atomically: written aside, then renamed). */
export async function buildRootfsTar(busybox: string, out: string): Promise<void> {
  if (!(await isStaticElf(busybox))) {
    throw new Error(`${busybox} is dynamically linked: install the Debian package busybox-static`);
  }
  const work = await mkdtemp(join(tmpdir(), 'god-rootfs-'));
  const partial = `${out}.${process.pid}.partial`;
  try {
    const root = join(work, 'root');
    await mkdir(root);
    await layoutRootfs(busybox, root);
    await run('tar', [
      '--numeric-owner',
      '--owner=0',
      '--group=0',
      '-C',
      root,
      '-cf',
      partial,
      '.',
    ]);
    await rename(partial, out);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}

/** The cached rootfs tarball, built first if missing or older than the busybox binary. */
export async function ensureRootfsTar(): Promise<string> {
  const busybox = busyboxBinary();
  const out = rootfsCachePath();
  const [bin, tar] = await Promise.all([stat(busybox), stat(out).catch(() => null)]);
  if (tar === null || tar.mtimeMs < bin.mtimeMs || tar.size === 0) {
    await buildRootfsTar(busybox, out);
  }
  return out;
}
