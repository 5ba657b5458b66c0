/**
 * `npm run demo`: god's main job on a fresh machine. Starts a private Redis (an ACL user with a
 * random password, reached only over a unix socket in a 0700 directory, as god should find it in
 * production) and a private dockerd (with the busybox test image) in temp dirs, then runs the
 * real `god demo` command against them
 * with the embedded SQLite store and a temp task directory: every role comes up in one process,
 * a sample script runs as a container and its output is printed. Everything is stopped and
 * removed at the end; the exit code is `god demo`'s.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, type RunningService } from './services/common.js';
import { startDockerd, TEST_IMAGE } from './services/dockerd.js';
import { startRedis } from './services/redis.js';

async function main(): Promise<number> {
  const dir = await tempDir('demo');
  const services: RunningService[] = [];
  try {
    console.error('starting a private Redis and dockerd for the demo…');
    const [redis, docker] = await Promise.all([startRedis({ secure: true }), startDockerd()]);
    services.push(redis, docker);
    const env = {
      ...process.env,
      GODOCKER_REDIS_SOCKET: redis.socket,
      GODOCKER_REDIS_USERNAME: redis.username,
      GODOCKER_REDIS_PASSWORD_FILE: redis.passwordFile,
      GODOCKER_TOKEN_SECRET_FILE: join(dir, 'token-secret'),
      GODOCKER_STORE: 'sqlite',
      GODOCKER_SQLITE_PATH: join(dir, 'god.db'),
      GODOCKER_EXECUTOR: 'docker',
    };
    const cli = join(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'main.js');
    const args = [
      cli,
      'demo',
      '--set',
      `shared_dir=${join(dir, 'tasks')}`,
      '--set',
      `plugins.docker.docker_host=${docker.url}`,
      '--set',
      `defaults.image=${TEST_IMAGE}`,
    ];
    console.error(`$ god ${args.slice(1).join(' ')}`);
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, args, { env, stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
    });
  } finally {
    await Promise.allSettled(services.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
