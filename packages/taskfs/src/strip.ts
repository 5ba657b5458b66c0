/**
 * Making what a job left in its task directory harmless on the host, whatever the mount options:
 * no set-uid/set-gid bit, no file capability, no device node. Run when the job's container has
 * ended (nothing inside can redo it) and before the job is `over`. The tree is walked from
 * descriptors without following links (fd.ts) and without crossing into another file system.
 *
 * chown(2) of a non-directory clears its set-uid bit, its set-gid bit when group-executable, and
 * its `security.capability` attribute, even when owner and group stay the same; chmod then clears
 * what remains. Only root jobs can set capabilities or make device nodes (other jobs run with
 * every capability dropped), so only their files are chowned.
 */
import type { Stats } from 'node:fs';
import { chmod, chown, lstat, readdir, unlink } from 'node:fs/promises';
import { at, closeQuietly, isGone, openChild, openNode, type Node } from './fd.js';
import { forEachLimit, PARALLEL } from './limit.js';

/** Deeper directories than this are sealed (mode 0) rather than walked: one descriptor a level. */
export const MAX_DEPTH = 128;

const SET_ID = 0o6000;

/** Who the job ran as on the host. */
export interface JobOwner {
  /** 0 for a root job. */
  uid: number;
}

/** What stripping changed. */
export interface StripReport {
  /** Files whose set-id bits (or capabilities) were removed. */
  stripped: number;
  /** Device nodes removed. */
  devices: number;
  /** Directories too deep to walk, made inaccessible to everyone but root. */
  sealed: number;
  /** Hard links to files the job does not own, left alone (changing them changes the original). */
  foreign: number;
}

/** Strips the task directory `dir` (absent: nothing to do). Throws on unexpected I/O errors. */
export async function stripTaskDir(dir: string, owner: JobOwner): Promise<StripReport> {
  const report: StripReport = { stripped: 0, devices: 0, sealed: 0, foreign: 0 };
  let root: Node;
  try {
    root = await openNode(dir);
  } catch (err) {
    if (isGone(err)) return report;
    throw err;
  }
  try {
    if (!root.st.isDirectory()) return report;
    // A root job's directory is root's: closed again first (the job may have opened it), so no
    // other account can move a file to a place the walk has already passed.
    if (owner.uid === 0) await chmod(at(root.fh), 0o700);
    await stripDir(root, owner, report, 0, root.st.dev);
  } finally {
    await closeQuietly(root.fh);
  }
  return report;
}

async function stripDir(
  dir: Node,
  owner: JobOwner,
  report: StripReport,
  depth: number,
  dev: number,
): Promise<void> {
  const names = await readdir(at(dir.fh), { encoding: 'buffer' });
  const subdirs: Buffer[] = [];
  // Files in parallel; directories afterwards, one at a time (one descriptor per level).
  await forEachLimit(names, PARALLEL, async (name) => {
    // A first look (no link followed): most entries need nothing, and are left at that.
    const first = await lstat(at(dir.fh, name)).catch(ignoreGoneAs(null));
    if (first === null) return;
    if (first.isDirectory()) subdirs.push(name);
    else if (needsLook(first, owner)) await visit(dir, name, owner, report, depth, dev);
  });
  for (const name of subdirs) await visit(dir, name, owner, report, depth, dev);
}

/** True when an entry may need a change: set-id bits, a device, or a root job's file (caps). */
function needsLook(st: Stats, owner: JobOwner): boolean {
  if (st.isBlockDevice() || st.isCharacterDevice()) return true;
  return st.isFile() && (owner.uid === 0 || (st.mode & SET_ID) !== 0);
}

/** Opens `name` of `dir` and acts on what the descriptor holds (not on the first look). */
async function visit(
  dir: Node,
  name: Buffer,
  owner: JobOwner,
  report: StripReport,
  depth: number,
  dev: number,
): Promise<void> {
  let node: Node;
  try {
    node = await openChild(dir.fh, name);
  } catch (err) {
    if (isGone(err)) return; // removed meanwhile
    throw err;
  }
  try {
    const { st } = node;
    if (st.dev !== dev) return; // a mount point: not the job's file system
    if (st.isDirectory()) {
      if (depth + 1 < MAX_DEPTH) await stripDir(node, owner, report, depth + 1, dev);
      else {
        await chmod(at(node.fh), 0);
        report.sealed++;
      }
    } else if (st.isBlockDevice() || st.isCharacterDevice()) {
      await unlink(at(dir.fh, name)).catch(ignoreGoneAs(undefined));
      report.devices++;
    } else if (st.isFile()) {
      await stripFile(node, owner, report);
    }
  } finally {
    await closeQuietly(node.fh);
  }
}

async function stripFile(node: Node, owner: JobOwner, report: StripReport): Promise<void> {
  const { st } = node;
  const mine = st.uid === owner.uid;
  if (st.nlink > 1 && !mine) {
    // A hard link to somebody else's file (made from the host): its inode is not the job's.
    if ((st.mode & SET_ID) !== 0) report.foreign++;
    return;
  }
  const path = at(node.fh);
  if (owner.uid === 0) await chown(path, st.uid, st.gid); // clears capabilities too
  const now = owner.uid === 0 ? (await node.fh.stat()).mode : st.mode;
  if ((now & SET_ID) !== 0) await chmod(path, now & 0o1777);
  if (((owner.uid === 0 ? st.mode : now) & SET_ID) !== 0) report.stripped++;
}

function ignoreGoneAs<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (!isGone(err)) throw err;
    return value;
  };
}
