/**
 * Reading inside a job's task directory, and never outside it. A requested path is relative,
 * has no `..` or NUL, and is resolved with realpath: a symlink the job planted that points
 * elsewhere (`ln -s /etc/shadow out`) resolves outside the directory and is refused. Only
 * directories and regular files are served (no sockets, devices or FIFOs).
 */
import { constants } from 'node:fs';
import { open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ValidationError } from '@god/core';
import { notFound } from '../http/errors.js';

/** One entry of a directory listing. */
export interface FileEntry {
  name: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  /** Last modification, epoch ms. */
  mtime: number;
}

/** The real path of `rel` inside `root`, or an error: bad path (400), outside or missing (404). */
export async function resolveInside(root: string, rel: string): Promise<string> {
  if (rel.includes('\0') || isAbsolute(rel) || rel.split(/[\\/]/).includes('..'))
    throw new ValidationError('invalid path', [
      { path: 'query.path', message: 'must be a path inside the task directory, without ..' },
    ]);
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(join(realRoot, rel));
  } catch {
    throw notFound(`file ${rel || '.'}`);
  }
  const inside = relative(realRoot, real);
  if (inside !== '' && (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)))
    throw notFound(`file ${rel}`);
  return real;
}

/** The entries of a directory inside the task directory, sorted by name. */
export async function listDir(root: string, rel: string): Promise<FileEntry[]> {
  const dir = await resolveInside(root, rel);
  const info = await stat(dir);
  if (!info.isDirectory()) throw notFound(`directory ${rel}`);
  const names = await readdir(dir);
  const entries = await Promise.all(
    names.sort().map(async (name): Promise<FileEntry | null> => {
      try {
        const s = await stat(join(dir, name));
        const type = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
        return { name, type, size: s.size, mtime: s.mtimeMs };
      } catch {
        return null; // removed meanwhile, or a dangling link
      }
    }),
  );
  return entries.filter((e): e is FileEntry => e !== null);
}

/**
 * A regular file inside the task directory, opened for reading. The job owns the directory and
 * could swap a checked file for a symlink before we open it, so the open does not follow a final
 * symlink, and what the descriptor really is (/proc/self/fd) is checked again after the open.
 */
export async function openInside(
  root: string,
  rel: string,
): Promise<{ fh: FileHandle; size: number }> {
  const path = await resolveInside(root, rel);
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    throw notFound(`file ${rel}`);
  }
  try {
    const [realRoot, actual, info] = await Promise.all([
      realpath(root),
      readlink(`/proc/self/fd/${fh.fd}`),
      fh.stat(),
    ]);
    const inside = relative(realRoot, actual);
    if (!info.isFile() || inside === '' || inside.startsWith('..') || isAbsolute(inside))
      throw notFound(`file ${rel}`);
    return { fh, size: info.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Bytes `from`..`to` of an open file (to: exclusive). */
export async function readBytes(fh: FileHandle, from: number, to: number): Promise<Buffer> {
  if (to <= from) return Buffer.alloc(0);
  const buf = Buffer.alloc(to - from);
  const { bytesRead } = await fh.read(buf, 0, buf.length, from);
  return buf.subarray(0, bytesRead);
}

/** Where the last `lines` lines of a file of `size` bytes start (reads at most 8 MiB back). */
export async function tailStart(fh: FileHandle, size: number, lines: number): Promise<number> {
  if (lines === 0) return size;
  const window = Math.min(size, 8 * 1024 * 1024);
  const buf = await readBytes(fh, size - window, size);
  let seen = 0;
  // A trailing newline ends the last line; it does not start another one.
  for (let i = buf.length - 1 - (buf[buf.length - 1] === 0x0a ? 1 : 0); i >= 0; i--) {
    if (buf[i] === 0x0a && ++seen === lines) return size - buf.length + i + 1;
  }
  return size - buf.length;
}
