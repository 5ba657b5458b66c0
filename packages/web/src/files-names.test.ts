/**
 * Downloads of files with any name: never a 5xx, an RFC 6266 Content-Disposition, and every file
 * handle closed on every path (sent, refused, client gone mid-body), measured on /proc/self/fd.
 */
import { request } from 'node:http';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { taskDirOf, type Job } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
});
afterAll(async () => {
  await h?.stop();
});

const NAMES = [
  '日本.txt',
  'a\r\nb.txt',
  'q"u\'o\\te;.txt',
  '\x01\x1b[31m.txt',
  'tab\t.txt',
  '%41.txt',
];
const BIG = 'big-日本.bin';
const BIG_SIZE = 4 * 1024 * 1024;

/** One GET on a fresh connection; `abort`: the client goes away after the first body bytes. */
function get(job: Job, path: string, abort: boolean): Promise<{ status: number; cd?: string }> {
  const url = new URL(`${h.url}/api/v1/jobs/${job.id}/files/download`);
  url.searchParams.set('path', path);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: false, headers: { Authorization: `Bearer ${alice.key}`, Connection: 'close' } },
      (res) => {
        const out = { status: res.statusCode ?? 0, cd: res.headers['content-disposition'] };
        if (abort && out.status === 200) {
          res.once('data', () => {
            req.destroy();
            resolve(out);
          });
          return;
        }
        res.resume();
        res.once('end', () => resolve(out));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end();
  });
}

async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

async function fdsBackTo(limit: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  let n = await openFds();
  while (n > limit && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    n = await openFds();
  }
  return n;
}

describe('downloads of files with odd names', () => {
  it('answers with an RFC 6266 header for any name', async () => {
    const job = await h.jobOf(alice);
    for (const name of NAMES) await h.writeTaskFile(job, name, 'x');
    const r = await get(job, '日本.txt', false);
    expect(r.status).toBe(200);
    expect(r.cd).toBe(`attachment; filename="??.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`);
    const crlf = await get(job, 'a\r\nb.txt', false);
    expect(crlf.status).toBe(200);
    expect(crlf.cd).toContain(`filename*=UTF-8''a%0D%0Ab.txt`);
  });

  it('closes every file on every path over 2,000 requests, some cut off mid-body', async () => {
    const job = await h.jobOf(alice);
    const dir = taskDirOf(h.config.shared_dir, job);
    for (const name of NAMES) await h.writeTaskFile(job, name, 'x'.repeat(100));
    await h.writeTaskFile(job, BIG, '');
    await writeFile(join(dir, BIG), Buffer.alloc(BIG_SIZE, 1));
    // A name that is not UTF-8 at all, made directly on disk.
    await writeFile(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0xff, 0xfe, 0x2e])]), 'x');
    const paths = [...NAMES, BIG, '\ufffd\ufffd.', '%FF%FE.', 'missing-日本'];
    await get(job, NAMES[0]!, false); // warm up: the server's own descriptors are open
    const baseline = await openFds();
    const statuses = new Map<number, number>();
    const total = 2_000;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const i = next++;
        const path = paths[i % paths.length]!;
        const { status } = await get(job, path, path === BIG && i % 3 !== 0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(1_000);
    expect(await fdsBackTo(baseline + 5)).toBeLessThanOrEqual(baseline + 5);
  });
});
