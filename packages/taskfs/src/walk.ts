/**
 * Reaching a path inside a task directory as the job would: one component at a time from the
 * directory's descriptor, never through a link (openChild), and only where the job's own uid,
 * gid and groups may go by the mode bits. A process running as root therefore shows and serves
 * nothing the job itself could not read, not even a hard link to another user's file.
 */
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { NotFoundError } from '@god/core';
import { closeQuietly, isGone, openChild, openNode, type Node } from './fd.js';

/** Whose rights the walk has: the job's (for a root job, uid 0). */
export interface Identity {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: readonly number[];
}

/** Permission bits asked for (as in access(2)). */
export const R = 4;
/** Write permission. */
export const W = 2;
/** Search (directories) or execute permission. */
export const X = 1;

/** True when `who` may `want` (R|W|X bits) on a node of `st`, by its owner/group/other bits. */
export function mayAccess(st: Pick<Stats, 'mode' | 'uid' | 'gid'>, who: Identity, want: number) {
  if (who.uid === 0) return true;
  const shift = st.uid === who.uid ? 6 : st.gid === who.gid || who.groups.includes(st.gid) ? 3 : 0;
  return ((st.mode >> shift) & want) === want;
}

/** The components of a relative path (`a/b/c`); empty and `.` components are dropped. */
export function componentsOf(rel: string): Buffer[] {
  return rel
    .split('/')
    .filter((c) => c !== '' && c !== '.')
    .map((c) => Buffer.from(c, 'utf8'));
}

/**
 * Opens (O_PATH) the node at `rel` under the directory `root` for `who`: every directory on
 * the way, `root` included, must be a real directory the job may search. The last component
 * is returned as it is (file, directory, link...): the caller checks its type and rights.
 * Throws NotFoundError (never anything that tells why) when the path cannot be reached.
 */
export async function openAs(root: string, rel: string, who: Identity): Promise<Node> {
  let cur: Node;
  try {
    cur = await openNode(root);
  } catch (err) {
    throw notFoundOr(err, rel);
  }
  try {
    for (const name of componentsOf(rel)) {
      if (!cur.st.isDirectory() || !mayAccess(cur.st, who, X)) throw new NotFoundError(what(rel));
      const next = await openChild(cur.fh, name);
      await closeQuietly(cur.fh);
      cur = next;
    }
    return cur;
  } catch (err) {
    await closeQuietly(cur.fh);
    throw notFoundOr(err, rel);
  }
}

/** Closes a node's handle (for callers that only needed to look). */
export function closeNode(node: { fh: FileHandle } | null): Promise<void> {
  return closeQuietly(node?.fh);
}

function notFoundOr(err: unknown, rel: string): unknown {
  if (err instanceof NotFoundError || isGone(err) || (err as { code?: string }).code === 'EACCES')
    return new NotFoundError(what(rel));
  return err;
}

function what(rel: string): string {
  return `file ${rel === '' ? '.' : rel}`;
}
