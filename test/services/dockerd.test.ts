/** Smoke tests of the private dockerd that the global setup starts (and of its cleanup). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { dockerCli, startDockerd, strayPids, TEST_IMAGE } from '../../scripts/services/dockerd.js';

const run = promisify(execFile);

/** Runs the docker CLI against `host` and returns its stdout. */
async function docker(host: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(dockerCli(), ['-H', host, ...args]);
  return stdout;
}

/** Runs `script` with sh in a fresh test-image container without network; returns its stdout. */
function sh(host: string, script: string, ...options: string[]): Promise<string> {
  return docker(
    host,
    'run',
    '--rm',
    '--network',
    'none',
    ...options,
    TEST_IMAGE,
    'sh',
    '-c',
    script,
  );
}

describe('private dockerd', () => {
  const host = inject('dockerHost');

  it('runs the busybox test image as root', async () => {
    expect(await sh(host, 'echo hello; id -u')).toBe('hello\n0\n');
  });

  it("runs a job as a user's uid:gid with a writable /tmp", async () => {
    const script = 'id -u; id -g; echo x > /tmp/f && cat /tmp/f; test -x /usr/bin/env && echo env';
    expect(await sh(host, script, '--user', '1234:5678')).toBe('1234\n5678\nx\nenv\n');
  });

  it('reports a failing command as a failure', async () => {
    await expect(sh(host, 'exit 3')).rejects.toMatchObject({ code: 3 });
  });

  it('leaves no process, mount or dir behind when stopped with a container running', async () => {
    const own = await startDockerd();
    let id = '';
    try {
      id = (
        await docker(own.url, 'run', '-d', '--network', 'none', TEST_IMAGE, 'sleep', '600')
      ).trim();
      const pid = Number(await docker(own.url, 'inspect', '-f', '{{.State.Pid}}', id));
      expect(pid).toBeGreaterThan(0);
      expect(await strayPids(own.dir, [id])).toContain(pid);
    } finally {
      await own.stop();
    }
    expect(await strayPids(own.dir, [id])).toEqual([]);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(own.dir);
    expect(existsSync(own.dir)).toBe(false);
  });
});
