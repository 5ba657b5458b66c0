/**
 * Reading inside a job's task directory, and never outside it, with the job's own rights. A
 * requested path is relative, without `..` or NUL; it is then walked one component at a time
 * from the directory's descriptor without following any link (@god/taskfs), so a link the job
 * planted (`ln -s /etc/shadow out`) or swaps in during the request leads nowhere, and a file or
 * directory the job's uid/gid could not read itself (a hard link to someone else's file) is not
 * shown or served either. Only directories and regular files are served.
 */
import type { FileHandle } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { ValidationError, type Job } from '@god/core';
import { identityOf, listAs, openFileAs, type DirEntry } from '@god/taskfs';

/** One entry of a directory listing (a link is shown as `other`, with its own size). */
export type FileEntry = DirEntry;

/** Refuses a path that is not relative and plain (400 naming `query.path`). */
export function checkRelative(rel: string): void {
  if (rel.includes('\0') || isAbsolute(rel) || rel.split(/[\\/]/).includes('..'))
    throw new ValidationError('invalid path', [
      { path: 'query.path', message: 'must be a path inside the task directory, without ..' },
    ]);
}

/** The entries of a directory inside `job`'s task directory `root`, sorted by name. */
export function listDir(root: string, job: Job, rel: string): Promise<FileEntry[]> {
  checkRelative(rel);
  return listAs(root, rel, identityOf(job));
}

/** A regular file inside `job`'s task directory `root`, opened for reading (caller closes). */
export function openInside(
  root: string,
  job: Job,
  rel: string,
): Promise<{ fh: FileHandle; size: number }> {
  checkRelative(rel);
  return openFileAs(root, rel, identityOf(job));
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
