/**
 * Removing a job's task directory, and never anything else: the path comes from
 * `taskDirOf(shared_dir, job)`, and both it and shared_dir are resolved through symlinks before
 * the removal, which happens only when the real path lies strictly inside the real shared_dir.
 * A symlinked user directory pointing elsewhere is refused, not followed.
 */
import { realpath, rm } from 'node:fs/promises';
import { dirname, relative, resolve, sep, isAbsolute } from 'node:path';
import { GodError, taskDirOf, type Job } from '@god/core';

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
 * path that is, or resolves to, anything outside shared_dir throws a GodError (`INVALID_CONFIG`: the file system contradicts shared_dir).
 */
export async function removeTaskDir(
  sharedDir: string,
  job: Pick<Job, 'id' | 'user'>,
): Promise<RemoveResult> {
  const root = resolve(sharedDir);
  const dir = resolve(taskDirOf(sharedDir, job));
  if (!isInside(root, dir)) throw outside(job.id, dir, root);
  const realRoot = await realOrNull(root);
  if (realRoot === null) return 'absent';
  // The parent (the user's directory) is resolved: a symlink there would lead elsewhere. The
  // task directory itself is resolved too, in case it is a symlink.
  const realParent = await realOrNull(dirname(dir));
  if (realParent === null) return 'absent';
  if (realParent !== realRoot && !isInside(realRoot, realParent)) {
    throw outside(job.id, realParent, realRoot);
  }
  const realDir = await realOrNull(dir);
  if (realDir === null) return 'absent';
  if (!isInside(realRoot, realDir)) throw outside(job.id, realDir, realRoot);
  await rm(realDir, { recursive: true, force: true });
  return 'removed';
}

async function realOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function outside(id: number, path: string, root: string): GodError {
  return new GodError(
    'INVALID_CONFIG',
    `task directory of job ${id} resolves to ${path}, outside shared_dir ${root}: not removed`,
  );
}
