/** Removing trees from descriptors: deep trees, links removed as links, mount-free. */
import { lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeQuietly, openDirectory } from './fd.js';
import { removeEntry } from './remove.js';
import { MAX_DEPTH } from './strip.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-remove-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function remove(name: string): Promise<'removed' | 'absent'> {
  const top = await openDirectory(dir);
  try {
    return await removeEntry(top, Buffer.from(name));
  } finally {
    await closeQuietly(top.fh);
  }
}

describe('removeEntry', () => {
  it('removes a tree deeper than it keeps descriptors open for', async () => {
    let at = join(dir, 't');
    for (let i = 0; i < MAX_DEPTH * 2 + 5; i++) {
      at = join(at, 'd');
      if (i % 50 === 0) await mkdir(at, { recursive: true });
    }
    await mkdir(at, { recursive: true });
    await writeFile(join(at, 'f'), 'x');
    expect(await remove('t')).toBe('removed');
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes links as links and takes a missing entry in its stride', async () => {
    await mkdir(join(dir, 'outside'));
    await writeFile(join(dir, 'outside', 'keep'), 'x');
    await mkdir(join(dir, 't'));
    await symlink(join(dir, 'outside'), join(dir, 't', 'l'));
    await symlink(join(dir, 'outside'), join(dir, 'top-link'));
    expect(await remove('t')).toBe('removed');
    expect(await remove('top-link')).toBe('removed');
    expect(await readdir(join(dir, 'outside'))).toEqual(['keep']);
    expect(await remove('t')).toBe('absent');
    await expect(lstat(join(dir, 'top-link'))).rejects.toThrow();
  });
});
