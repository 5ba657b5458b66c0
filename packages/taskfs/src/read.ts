/**
 * What the web serves from a task directory: listings with lstat semantics (a link is shown as
 * itself, never as what it points to; what the job may not read shows no size or time) and regular files opened for reading, both reached with
 * openAs, so only what the job itself may read, and only inside its directory.
 */
import { lstat, readdir, type FileHandle } from 'node:fs/promises';
import { GodError, NotFoundError } from '@god/core';
import { at, closeQuietly, reopenForReading } from './fd.js';
import { mayAccess, openAs, R, X, type Identity } from './walk.js';

/** One entry of a directory listing (type and size are the entry's own, links not followed). */
export interface DirEntry {
  name: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  /** Last modification, epoch ms. */
  mtime: number;
}

/** The entries of the directory `rel` under `root`, as `who` may list it, sorted by name. */
export async function listAs(root: string, rel: string, who: Identity): Promise<DirEntry[]> {
  const dir = await openAs(root, rel, who);
  try {
    if (!dir.st.isDirectory() || !mayAccess(dir.st, who, R | X))
      throw new NotFoundError(`directory ${rel === '' ? '.' : rel}`);
    const names = await readdir(at(dir.fh), { encoding: 'buffer' });
    const entries = await Promise.all(
      names.map(async (name): Promise<DirEntry | null> => {
        try {
          const s = await lstat(at(dir.fh, name));
          // Something the job neither owns nor may read (a hard link to another account's
          // file, made where protected_hardlinks is off) is shown without its size and time.
          if (s.uid !== who.uid && !mayAccess(s, who, R))
            return { name: name.toString('utf8'), type: 'other', size: 0, mtime: 0 };
          const type = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
          // Names that are not UTF-8 are shown with replacement characters.
          return { name: name.toString('utf8'), type, size: s.size, mtime: s.mtimeMs };
        } catch {
          return null; // removed meanwhile
        }
      }),
    );
    return entries
      .filter((e): e is DirEntry => e !== null)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } finally {
    await closeQuietly(dir.fh);
  }
}

/**
 * The regular file `rel` under `root`, opened for reading if `who` may read it. A file that still
 * carries a set-uid or set-gid bit (the job is running, or its end was not processed) is refused.
 */
export async function openFileAs(
  root: string,
  rel: string,
  who: Identity,
): Promise<{ fh: FileHandle; size: number }> {
  const node = await openAs(root, rel, who);
  try {
    if (!node.st.isFile() || !mayAccess(node.st, who, R)) throw new NotFoundError(`file ${rel}`);
    if ((node.st.mode & 0o6000) !== 0)
      throw new GodError('FORBIDDEN', `file ${rel} has a set-uid or set-gid bit: not served`);
    const fh = await reopenForReading(node);
    return { fh, size: node.st.size };
  } finally {
    await closeQuietly(node.fh);
  }
}
