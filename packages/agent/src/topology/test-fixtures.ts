/** Paths of the topology fixtures (sysfs snapshots, hwloc XML) and a builder of small sysfs trees. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The sysfs root of a snapshot (`desktop-4c8t`, `dual-2s2n-8c2t`, `quad-4s4n-6c`, ...). */
export function sysfsFixture(name: string): string {
  return join(FIXTURES, name, 'sys');
}

/** The `/proc/meminfo` of a snapshot that has one. */
export function meminfoFixture(name: string): string {
  return join(FIXTURES, name, 'proc', 'meminfo');
}

/** An hwloc XML fixture's path. */
export function hwlocFixture(name: string): string {
  return join(FIXTURES, 'hwloc', `${name}.xml`);
}

/** Writes `files` (path relative to a fresh temp dir → content) and returns the dir. */
export async function makeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'god-topology-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** The files of one CPU's topology directory in a sysfs tree. */
export function cpuFiles(
  cpu: number,
  pkg: number,
  coreId: number,
  siblings: string | null,
  siblingsFile = 'thread_siblings_list',
): Record<string, string> {
  const dir = `devices/system/cpu/cpu${cpu}/topology`;
  const files: Record<string, string> = {
    [`${dir}/physical_package_id`]: `${pkg}\n`,
    [`${dir}/core_id`]: `${coreId}\n`,
  };
  if (siblings !== null) files[`${dir}/${siblingsFile}`] = `${siblings}\n`;
  return files;
}
