import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { detectTopology } from './detect.js';
import { readSysfsTopology } from './sysfs.js';
import { hwlocFixture, sysfsFixture } from './test-fixtures.js';

// Stand-in hwloc binaries: real executables that print what lstopo would, so the child
// process path (arguments, exit status, output) is exercised for real.
let bin: string;

async function script(name: string, body: string): Promise<string> {
  const path = join(bin, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'god-hwloc-'));
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

describe('detectTopology', () => {
  const root = sysfsFixture('dual-2s2n-8c2t');

  it('uses hwloc when the binary exists and its XML parses', async () => {
    // Only answers when called as `--no-io --of xml -`.
    const lstopo = await script(
      'lstopo',
      `[ "$*" = "--no-io --of xml -" ] || exit 3\ncat '${hwlocFixture('desktop-4c8t')}'`,
    );
    const found = await detectTopology({ root, hwloc: [lstopo] });
    expect(found.source).toBe('hwloc');
    expect(found.command).toBe(lstopo);
    // The XML describes the desktop, not the sysfs root it was given: it came from hwloc.
    expect(found.topology.nodes.map((n) => n.cpus.length)).toEqual([8]);
  });

  it('tries the next name when one is not installed', async () => {
    const hwlocLs = await script('hwloc-ls', `cat '${hwlocFixture('desktop-4c8t')}'`);
    const found = await detectTopology({ root, hwloc: [join(bin, 'absent'), hwlocLs] });
    expect(found).toMatchObject({ source: 'hwloc', command: hwlocLs });
  });

  it('falls back to sysfs without complaint when no hwloc binary exists', async () => {
    const found = await detectTopology({ root, hwloc: [join(bin, 'absent')] });
    expect(found).toEqual({ source: 'sysfs', topology: await readSysfsTopology({ root }) });
  });

  it('falls back to sysfs and says why when hwloc fails or prints garbage', async () => {
    const broken = await script('broken', 'echo "lstopo: failed to load topology" >&2; exit 1');
    const garbage = await script('garbage', 'echo "<html>nope</html>"');
    const found = await detectTopology({ root, hwloc: [broken, garbage] });
    expect(found.source).toBe('sysfs');
    expect(found.topology.nodes).toHaveLength(2);
    expect(found.hwlocError).toContain(`${broken}: `);
    expect(found.hwlocError).toContain(`${garbage}: hwloc XML: no <topology> element`);
  });

  it('looks for lstopo on the PATH by default, and skips hwloc when told to', async () => {
    await script('lstopo', `cat '${hwlocFixture('desktop-4c8t')}'`);
    vi.stubEnv('PATH', `${bin}:${process.env['PATH'] ?? ''}`);
    try {
      expect(await detectTopology({ root })).toMatchObject({ source: 'hwloc', command: 'lstopo' });
      expect((await detectTopology({ root, hwloc: false })).source).toBe('sysfs');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
