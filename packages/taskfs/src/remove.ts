/**
 * Removing a directory tree from descriptors: every unlink and rmdir names an entry of a
 * directory god holds open (fd.ts), so a link is removed as a link and never followed, a
 * directory renamed or swapped in during the removal is never left for another place, and
 * nothing on another file system (a mount point inside) is touched. Trees deeper than
 * MAX_DEPTH are flattened first (a deep directory is moved up to the top) so the number of open
 * descriptors stays bounded whatever the job built.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { GodError } from '@god/core';
import { at, closeQuietly, isGone, openChild, type Node } from './fd.js';
import { forEachLimit, PARALLEL } from './limit.js';
import { MAX_DEPTH } from './strip.js';

/** Tries at one entry that keeps changing type under us before giving up (a racing user). */
const MAX_TRIES = 8;
/** Readings of the top directory before giving up (entries keep coming). */
const MAX_PASSES = 10_000;

/** Removes the entry `name` of the open directory `parent`, recursively; absent is fine. */
export function removeEntry(parent: Node, name: Buffer): Promise<'removed' | 'absent'> {
  return removeChild(parent, name, null, 0);
}

/** Removes everything in `dir` (`top`: where too deep directories are moved up to). */
async function emptyDir(dir: Node, top: Node, depth: number): Promise<void> {
  // Entries moved up from below are found by the next reading of the top.
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const names = await readdir(at(dir.fh), { encoding: 'buffer' });
    if (names.length === 0) return;
    if (depth + 1 < MAX_DEPTH) {
      // Non-directories in parallel; directories one at a time (one descriptor per level).
      const subdirs: Buffer[] = [];
      await forEachLimit(names, PARALLEL, async (name) => {
        // Gone meanwhile (the job raced us): nothing left to remove under that name.
        const first = await lstat(at(dir.fh, name)).catch(() => null);
        if (first?.isDirectory() === true) subdirs.push(name);
        else await removeChild(dir, name, top, depth);
      });
      for (const name of subdirs) await removeChild(dir, name, top, depth);
    } else {
      // Too deep: move the entries up to the top directory under fresh names, walk them there.
      for (const name of names) {
        const fresh = Buffer.from(`.god-removing-${randomBytes(8).toString('hex')}`);
        await rename(at(dir.fh, name), at(top.fh, fresh)).catch(ignoreGone);
      }
    }
    if (depth > 0) return;
  }
  throw changing();
}

/** Removes `name` of `dir`; `top` is where too deep entries go (null: the entry itself). */
async function removeChild(
  dir: Node,
  name: Buffer,
  top: Node | null,
  depth: number,
): Promise<'removed' | 'absent'> {
  for (let i = 0; i < MAX_TRIES; i++) {
    let node: Node;
    try {
      node = await openChild(dir.fh, name);
    } catch (err) {
      if (isGone(err)) return 'absent';
      throw err;
    }
    try {
      if (node.st.dev !== dir.st.dev)
        throw new GodError('CONFLICT', 'a file system is mounted in the task directory');
      if (node.st.isDirectory()) {
        await emptyDir(node, top ?? node, top === null ? 0 : depth + 1);
        await rmdir(at(dir.fh, name));
      } else await unlink(at(dir.fh, name));
      return 'removed';
    } catch (err) {
      // Swapped meanwhile (a file became a directory or the reverse, or was refilled): again.
      if (!isGone(err) && !isBusy(err)) throw err;
    } finally {
      await closeQuietly(node.fh);
    }
  }
  throw changing();
}

function changing(): GodError {
  return new GodError('CONFLICT', 'the directory kept changing during its removal', {
    retryable: true,
  });
}

function isBusy(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

function ignoreGone(err: unknown): void {
  if (!isGone(err)) throw err;
}
