/** A real redis-server on a random loopback port, persistence off, in a temp dir. */
import {
  freePort,
  spawnLogged,
  stopChild,
  tcpOpen,
  tempDir,
  waitForReady,
  type RunningService,
} from './common.js';

/** Starts redis-server on a free loopback port, without persistence, in a fresh temp dir. */
export async function startRedis(): Promise<RunningService> {
  const dir = await tempDir('redis');
  const port = await freePort();
  const child = spawnLogged('redis', dir, 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'yes',
  ]);
  try {
    await waitForReady(`redis-server on port ${port} (log in ${dir})`, child, () => tcpOpen(port));
  } catch (err) {
    await stopChild(child, null);
    throw err;
  }
  return {
    name: 'redis',
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => stopChild(child, dir),
  };
}
