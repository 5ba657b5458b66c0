/**
 * The task directory on the host: created for the job (mode 0700, owned by the job's uid:gid,
 * root's for root jobs) with the script in it. The directory is the user's: it may hold a
 * symlink where the script goes, so the script is written without following links.
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

/** Creates (or takes over again, for a retry) `taskDir` for `owner` and writes `script` in it. */
export async function prepareTaskDir(taskDir: string, script: string, owner: Owner): Promise<void> {
  // The per-user level is root's: a user cannot swap their task directory for a link.
  await mkdir(dirname(taskDir), { recursive: true, mode: 0o755 });
  await mkdir(taskDir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const stat = await lstat(taskDir);
  if (!stat.isDirectory())
    throw new GodError('INVALID_INPUT', `task directory ${taskDir} is not a directory`);
  await chmod(taskDir, 0o700);
  await chown(taskDir, owner.uid, owner.gid);
  await writeScript(`${taskDir}/${SCRIPT_NAME}`, script, owner);
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
