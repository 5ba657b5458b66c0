import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GodError } from '@god/core';
import { parseHwlocBitmap, parseHwlocXml } from './hwloc.js';
import { readSysfsTopology } from './sysfs.js';
import { hwlocFixture, sysfsFixture } from './test-fixtures.js';

/** A minimal hwloc 2.x document around `body` (objects inside the Machine). */
function doc(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE topology SYSTEM "hwloc2.dtd">
<topology version="2.0">
  <object type="Machine" os_index="0" cpuset="0x0000000f" gp_index="1">${body}</object>
</topology>`;
}

describe('parseHwlocBitmap', () => {
  it('reads one and several 32-bit words, most significant first', () => {
    expect(parseHwlocBitmap('0x0')).toEqual([]);
    expect(parseHwlocBitmap('0x00000011')).toEqual([0, 4]);
    expect(parseHwlocBitmap('0xff00ff00')).toEqual([
      8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31,
    ]);
    expect(parseHwlocBitmap('0x00000001,0x80000000')).toEqual([31, 32]);
  });

  it('refuses infinite and malformed bitmaps', () => {
    expect(() => parseHwlocBitmap('0xf...f')).toThrow(GodError);
    expect(() => parseHwlocBitmap('ff')).toThrow(/not a finite cpuset bitmap/);
  });
});

describe('hwloc XML fixtures', () => {
  it.each(['desktop-4c8t', 'dual-2s2n-8c2t'])(
    '%s parses to the same topology as the sysfs snapshot',
    async (name) => {
      const fromXml = parseHwlocXml(await readFile(hwlocFixture(name), 'utf8'));
      const fromSysfs = await readSysfsTopology({ root: sysfsFixture(name) });
      expect(fromXml).toEqual(fromSysfs);
      expect(fromXml.nodes.length).toBeGreaterThan(0);
    },
  );
});

describe('parseHwlocXml', () => {
  it('reads hwloc 1.x trees where the NUMA node is the parent of the package', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<topology>
  <object type="Machine" os_index="0" cpuset="0x00000003">
    <object type="NUMANode" os_index="0" cpuset="0x00000003" local_memory="1073741824">
      <object type="Socket" os_index="0" cpuset="0x00000003">
        <object type="Core" os_index="0" cpuset="0x00000003">
          <object type="PU" os_index="0" cpuset="0x00000001"/>
          <object type="PU" os_index="1" cpuset="0x00000002"/>
        </object>
      </object>
    </object>
  </object>
</topology>`;
    expect(parseHwlocXml(xml)).toEqual({
      sockets: 1,
      nodes: [
        {
          id: 0,
          cpus: [0, 1],
          memBytes: 1073741824,
          cores: [{ id: 0, socket: 0, threads: [0, 1] }],
        },
      ],
    });
  });

  it('makes a PU outside any Core its own core, and a second node on the same cpus memory-only', () => {
    const xml = doc(`
    <object type="Package" os_index="3" cpuset="0x00000003">
      <object type="NUMANode" os_index="0" cpuset="0x00000003" local_memory="2147483648"/>
      <object type="MemCache" cpuset="0x00000003">
        <object type="NUMANode" os_index="2" cpuset="0x00000003" local_memory="4294967296"/>
      </object>
      <object type="PU" os_index="0" cpuset="0x00000001"/>
      <object type="PU" os_index="1" cpuset="0x00000002"/>
    </object>`);
    expect(parseHwlocXml(xml)).toEqual({
      sockets: 1,
      nodes: [
        {
          id: 0,
          cpus: [0, 1],
          memBytes: 2147483648,
          cores: [
            { id: 0, socket: 3, threads: [0] },
            { id: 1, socket: 3, threads: [1] },
          ],
        },
        { id: 2, cpus: [], memBytes: 4294967296, cores: [] },
      ],
    });
  });

  it.each([
    ['not XML at all', 'lstopo: command failed', /not well-formed/],
    ['XML that is not hwloc', '<html><body>nope</body></html>', /no <topology> element/],
    ['no NUMA node', doc('<object type="PU" os_index="0" cpuset="0x1"/>'), /no NUMANode/],
    [
      'a node without memory',
      doc('<object type="NUMANode" os_index="0" cpuset="0x1"/><object type="PU" os_index="0"/>'),
      /local_memory/,
    ],
    [
      'a PU without os_index',
      doc(
        '<object type="NUMANode" os_index="0" cpuset="0x1" local_memory="1"/><object type="PU"/>',
      ),
      /PU object without a valid os_index/,
    ],
    [
      'a cpu in no node',
      doc(
        '<object type="NUMANode" os_index="0" cpuset="0x1" local_memory="1"/>' +
          '<object type="PU" os_index="0"/><object type="PU" os_index="1"/>',
      ),
      /online cpu 1 is in no NUMA node/,
    ],
  ])('refuses %s', (_what, xml, message) => {
    expect(() => parseHwlocXml(xml)).toThrow(message);
  });
});
