/** A real redis-server on a random loopback port, persistence off, in a temp dir. */
import {
  freePort,
  spawnLogged,
  stopChild,
  tcpOpen,
  tempDir,
  waitFor,
  type RunningService,
} from './common.js';

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
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(`redis-server on port ${port} (log in ${dir})`, async () => {
    if (exited) throw new Error(`redis-server exited, see ${dir}/redis.log`);
    return tcpOpen(port);
  });
  return {
    name: 'redis',
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => stopChild(child, dir),
  };
}
