/**
 * Removing a job's task directory, and never anything else. shared_dir (configured by the
 * administrator) is opened as a directory; below it nothing is followed: the user's directory
 * must be a real directory (a symlink there is refused), and the task directory is removed from
 * directory descriptors (@god/taskfs removeEntry), so a link inside is removed as a link, a
 * directory swapped for a link during the removal leads nowhere, and nothing on another file
 * system is touched.
 */
import { relative, resolve, sep, isAbsolute } from 'node:path';
import { GodError, taskDirOf, type Job } from '@god/core';
import {
  closeQuietly,
  isGone,
  openChild,
  openDirectory,
  removeEntry,
  type Node,
} from '@god/taskfs';

/** True when `path` lies strictly inside `root` (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** What removing a task directory did. */
export type RemoveResult = 'removed' | 'absent';

/**
 * Removes the task directory of `job` under `sharedDir` (relative paths resolve against the
 * process's working directory, as everywhere in the config). An absent directory is fine; a
 * user directory that is not a real directory under shared_dir throws a GodError
 * (`INVALID_CONFIG`: the file system contradicts shared_dir).
 */
export async function removeTaskDir(
  sharedDir: string,
  job: Pick<Job, 'id' | 'user'>,
): Promise<RemoveResult> {
  const root = resolve(sharedDir);
  const dir = resolve(taskDirOf(sharedDir, job));
  if (!isInside(root, dir)) throw outside(job.id, dir, root);
  const top = await orNull(openDirectory(root));
  if (top === null) return 'absent';
  let user: Node | null = null;
  try {
    user = await orNull(openChild(top.fh, Buffer.from(job.user.id)));
    if (user === null) return 'absent';
    if (!user.st.isDirectory() || user.st.dev !== top.st.dev)
      throw outside(job.id, `${root}/${job.user.id}`, root);
    return await removeEntry(user, Buffer.from(String(job.id)));
  } finally {
    await closeQuietly(user?.fh);
    await closeQuietly(top.fh);
  }
}

async function orNull(p: Promise<Node>): Promise<Node | null> {
  try {
    return await p;
  } catch (err) {
    if (isGone(err)) return null;
    throw err;
  }
}

function outside(id: number, path: string, root: string): GodError {
  return new GodError(
    'INVALID_CONFIG',
    `task directory of job ${id} is under ${path}, not a directory of shared_dir ${root}: not removed`,
  );
}
