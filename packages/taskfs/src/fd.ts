/**
 * Directory-descriptor primitives (Linux). Node has no openat(2), so a path is built from an open
 * directory as `/proc/self/fd/<fd>/<name>`: the kernel starts the lookup at the inode the
 * descriptor holds, whatever has been renamed or swapped on the way since it was opened, and
 * O_NOFOLLOW keeps the one remaining component from being a link. Nodes are first opened with
 * O_PATH (no read, no side effect even on a FIFO or a device) and looked at with fstat; only a
 * node of the right type is then reopened for I/O through its own descriptor, which reaches the
 * very same inode.
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** open(2)'s O_PATH (Linux, every architecture god runs on); Node does not export it. */
export const O_PATH = 0o10000000;

/** A node opened with O_PATH, and what fstat said of it at that moment. */
export interface Node {
  fh: FileHandle;
  st: Stats;
}

/** A directory entry name: raw bytes (names need not be UTF-8), one component, never `.`/`..`. */
export type Name = Buffer;

/** `/proc/self/fd/<fd>`, or the entry `name` of that directory. */
export function at(dir: FileHandle, name?: Name): Buffer {
  const base = Buffer.from(`/proc/self/fd/${dir.fd}`);
  return name === undefined ? base : Buffer.concat([base, Buffer.from('/'), name]);
}

/** True when `name` is one plain component (no `/`, no NUL, not empty, `.` or `..`). */
export function isPlainName(name: Name): boolean {
  if (name.length === 0 || name.includes(0x2f) || name.includes(0)) return false;
  const s = name.toString('latin1');
  return s !== '.' && s !== '..';
}

/** Opens `path` itself (not what a link at its end points to) with O_PATH, and fstats it. */
export async function openNode(path: string | Buffer): Promise<Node> {
  const fh = await open(path, O_PATH | constants.O_NOFOLLOW);
  try {
    return { fh, st: await fh.stat() };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Opens the directory `path` with O_PATH, following links (for configured roots only). */
export async function openDirectory(path: string): Promise<Node> {
  const fh = await open(path, O_PATH | constants.O_DIRECTORY);
  try {
    return { fh, st: await fh.stat() };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Opens the entry `name` of `dir` without following a link there (see openNode). */
export function openChild(dir: FileHandle, name: Name): Promise<Node> {
  if (!isPlainName(name)) {
    const err = new Error('not a plain file name') as NodeJS.ErrnoException;
    err.code = 'ENOENT';
    return Promise.reject(err);
  }
  return openNode(at(dir, name));
}

/** Reopens the inode an O_PATH node holds, for reading (`O_RDONLY`, no blocking open). */
export function reopenForReading(node: Node): Promise<FileHandle> {
  return open(at(node.fh), constants.O_RDONLY | constants.O_NONBLOCK);
}

/** Closes a handle, ignoring a failure to close (nothing left to do about it). */
export async function closeQuietly(fh: FileHandle | null | undefined): Promise<void> {
  await fh?.close().catch(() => undefined);
}

/** True for the errors a name that vanished, changed type or became a link gives. */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  // ENAMETOOLONG: a name longer than the file system allows cannot exist there either.
  return (
    code === 'ENOENT' ||
    code === 'ELOOP' ||
    code === 'ENOTDIR' ||
    code === 'EISDIR' ||
    code === 'ENAMETOOLONG'
  );
}
