/**
 * The task directory on the host: created for the job (mode 0700, owned by the job's uid:gid,
 * root's for root jobs) with the script in it. The directory is the user's: it may hold a
 * symlink where the script goes, so the script is written without following links.
 *
 * Above it, nothing is listable by other local accounts: shared_dir, when god creates it, is
 * 0711 (enter, not list), and the user's level `<shared_dir>/<user>` is root:<user's gid> 0710,
 * so the user (and only their group) can reach their own task directories by job id but nobody
 * else can list anybody's job ids. It stays root's: a user cannot swap a task directory for a
 * link.
 */
import { constants } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GodError } from '@god/core';
import { SCRIPT_NAME } from './spec.js';

/** Who owns the task directory and the script. */
export interface Owner {
  uid: number;
  gid: number;
}

/**
 * Creates (or takes over again, for a retry) `taskDir` for `owner` and writes `script` in it;
 * `userGid` is the group of the user's level (the job's user's gid, also for root jobs).
 */
export async function prepareTaskDir(
  taskDir: string,
  script: string,
  owner: Owner,
  userGid: number,
): Promise<void> {
  const userDir = dirname(taskDir);
  await mkdir(dirname(userDir), { recursive: true, mode: 0o711 });
  await ensureDir(userDir, 0o710);
  await chown(userDir, 0, userGid);
  await ensureDir(taskDir, 0o700);
  await chown(taskDir, owner.uid, owner.gid);
  await writeScript(`${taskDir}/${SCRIPT_NAME}`, script, owner);
}

/** `path` as a real directory (not a link) of `mode`, created when missing. */
async function ensureDir(path: string, mode: number): Promise<void> {
  await mkdir(path, { mode }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const stat = await lstat(path);
  if (!stat.isDirectory())
    throw new GodError('INVALID_INPUT', `task directory ${path} is not a directory`);
  await chmod(path, mode);
}

/** Writes the script as a new file (never through a link left in its place), mode 0755. */
async function writeScript(path: string, script: string, owner: Owner): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const file = await open(path, flags, 0o755);
  try {
    await file.writeFile(script, 'utf8');
    await file.chmod(0o755);
    await file.chown(owner.uid, owner.gid);
  } finally {
    await file.close();
  }
}
