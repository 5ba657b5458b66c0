import { spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@god/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSecretFile, readSecretFile } from './secret-file.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-secret-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'auth.token_secret_file';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).message;
  }
  throw new Error('expected a refusal');
}

describe('ensureSecretFile', () => {
  it('makes a random secret in a 0600 file inside a new 0700 directory, then reads it back', async () => {
    const path = join(dir, 'state', 'token-secret');
    const secret = ensureSecretFile(path, KEY);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    expect(await readFile(path, 'utf8')).toBe(`${secret}\n`);
    expect(ensureSecretFile(path, KEY)).toBe(secret);
  });

  it('gives processes that start at once the same secret', async () => {
    const path = join(dir, 'token-secret');
    const script = `import(${JSON.stringify(new URL('./secret-file.ts', import.meta.url).href)}).then((m) => process.stdout.write(m.ensureSecretFile(${JSON.stringify(path)}, 'k')))`;
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.once('error', reject);
        child.once('exit', (code) =>
          code === 0 ? resolve(out) : reject(new Error(`exit ${code}`)),
        );
      });
    const secrets = await Promise.all([run(), run(), run(), run()]);
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toBe(readSecretFile(path, KEY));
  });

  it.each([0o640, 0o604, 0o660, 0o644])('refuses a file of mode %o', async (mode) => {
    const path = join(dir, 'token-secret');
    await writeFile(path, 'x'.repeat(40), { mode: 0o600 });
    await chmod(path, mode);
    expect(refusal(() => ensureSecretFile(path, KEY))).toMatch(
      /auth\.token_secret_file: .* has mode 0\d+: other accounts may read it/,
    );
  });

  it('refuses a file owned by another account, a link, a directory and an empty file', async () => {
    const owned = join(dir, 'owned');
    await writeFile(owned, 'x'.repeat(40), { mode: 0o600 });
    if (process.getuid?.() === 0) {
      await chown(owned, 4242, 4242);
      expect(refusal(() => readSecretFile(owned, KEY))).toMatch(/is owned by uid 4242/);
    }
    const real = join(dir, 'real');
    await writeFile(real, 'y'.repeat(40), { mode: 0o600 });
    await symlink(real, join(dir, 'link'));
    expect(refusal(() => ensureSecretFile(join(dir, 'link'), KEY))).toMatch(/symbolic link/);
    expect(refusal(() => readSecretFile(dir, KEY))).toMatch(/not a regular file/);
    await writeFile(join(dir, 'empty'), '', { mode: 0o600 });
    expect(refusal(() => readSecretFile(join(dir, 'empty'), KEY))).toMatch(/is empty/);
    expect(refusal(() => readSecretFile(join(dir, 'none'), KEY))).toMatch(/does not exist/);
  });
});
