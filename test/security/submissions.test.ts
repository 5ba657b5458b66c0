/**
 * Submissions at the edges, through both APIs: every numeric requirement written as the JSON
 * text of an odd number (1e-300, 1e308, 1e400, -0, 2**53+1, …), and text that is not UTF-8. A
 * submission is refused with a 400 naming the field, or stored with a quantity that is an
 * integer in base units, positive when what was asked was positive (never rounded away to "no
 * limit").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGodWeb, type God } from './god.js';
import { ODD_NUMBER_TEXT, INVALID_UTF8 } from './odd-values.js';
import { send, type Answer } from './wire.js';

let god: God;

beforeAll(async () => {
  god = await startGodWeb();
}, 120_000);

afterAll(async () => {
  await god?.stop();
});

const FIELDS = ['cpu', 'ram', 'gpus', 'maxlifespan', 'tmpstorage'] as const;

function post(path: string, body: Buffer): Promise<Answer> {
  return send(god.url, {
    method: 'POST',
    path,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${god.alice.key}` },
    body,
  });
}

/** The id of the job an accepted submission made (both APIs), or null. */
function createdId(a: Answer): number | null {
  if (a.status >= 300) return null;
  const b = JSON.parse(a.text) as { id?: number; job?: { id: number } };
  return b.job?.id ?? b.id ?? null;
}

describe('odd submissions', () => {
  const quantities =
    'stores every quantity as an integer in base units, positive when asked positive, or refuses it';
  it(
    quantities,
    async () => {
      const problems: string[] = [];
      for (const field of FIELDS)
        for (const n of ODD_NUMBER_TEXT) {
          const v1 = `{"container":{"image":"god-test/busybox:latest"},"command":{"cmd":"true"},"requirements":{"${field}":${n}}}`;
          const tmp = field === 'tmpstorage' ? `{"size":${n}}` : n;
          const compat = `{"meta":{"name":"j"},"container":{"image":"god-test/busybox:latest"},"command":{"cmd":"true"},"requirements":{"${field}":${tmp}}}`;
          for (const [path, body] of [
            ['/api/v1/jobs', v1],
            ['/api/1.0/task', compat],
          ] as const) {
            const a = await post(path, Buffer.from(body));
            if (a.status >= 500) problems.push(`${path} ${field}=${n}: ${a.status}`);
            const id = createdId(a);
            if (id === null) continue;
            const job = await god.store.getJob(id);
            const stored = (job?.requirements as Record<string, unknown> | undefined)?.[field];
            const asked = Number(n);
            // One definition of every quantity: an integer in base units, within a maximum.
            if (typeof stored === 'number' && !Number.isSafeInteger(stored))
              problems.push(`${path} ${field}=${n}: stored ${stored}`);
            if (asked > 0 && (stored === 0 || stored === null))
              problems.push(`${path} ${field}=${n}: accepted and stored ${stored}`);
          }
        }
      expect(problems).toEqual([]);
    },
    120_000,
  );

  const utf8 = 'refuses text that is not UTF-8 with a 400, through both APIs';
  it(utf8, async () => {
    const problems: string[] = [];
    for (const bytes of INVALID_UTF8)
      for (const path of ['/api/v1/jobs', '/api/1.0/task']) {
        const body = Buffer.concat([
          Buffer.from(
            '{"container":{"image":"god-test/busybox:latest"},"command":{"cmd":"true"},"meta":{"name":"j","description":"x',
          ),
          Buffer.from(bytes),
          Buffer.from('"}}'),
        ]);
        const a = await post(path, body);
        if (a.status !== 400)
          problems.push(`${path} with ${Buffer.from(bytes).toString('hex')}: ${a.status}`);
      }
    expect(problems).toEqual([]);
  });
});
