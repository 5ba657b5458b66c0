/**
 * Escape sequences in a job's name or description reach the terminal as visible text, never as
 * commands, in `god list` and `god show` (CLI against a real web process); the API keeps the
 * exact text.
 */
import type { Job } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from '../../web/src/test-helpers.js';
import { makeRig, type CliRig } from './test-cli.js';

let h: WebHarness;
let alice: TestUser;
let asAlice: CliRig['run'];

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
  asAlice = (await makeRig({ GOD_SERVER: h.url, GOD_API_KEY: alice.key })).run;
});
afterAll(async () => {
  await h?.stop();
});

const NAME = '\x1b]0;pwned\x07\x1b[2J';
const DESCRIPTION = 'line one\nstate:        over:success\u202etxt.exe\u009b31m';
// eslint-disable-next-line no-control-regex -- what must never reach a terminal raw
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminal escapes from job fields', () => {
  it('prints them escaped in god list and god show, and the API keeps them exactly', async () => {
    const submitted = await alice.client.submit({
      container: { image: 'god-test/busybox:latest' },
      command: { cmd: 'true' },
      meta: { name: NAME, description: DESCRIPTION },
    });
    const list = await asAlice(['list']);
    expect(list.code).toBe(0);
    expect(RAW.test(list.out)).toBe(false);
    const row = list.out.split('\n').find((l) => l.startsWith(`${submitted.id} `));
    expect(row).toContain('\\x1b]0;pwned\\x07\\x1b[2J');

    const show = await asAlice(['show', String(submitted.id)]);
    expect(show.code).toBe(0);
    expect(RAW.test(show.out)).toBe(false);
    const lines = show.out.split('\n');
    expect(lines).toContain(`job:         ${submitted.id} \\x1b]0;pwned\\x07\\x1b[2J`);
    expect(lines).toContain(
      'description: line one\\x0astate:        over:success\\u202etxt.exe\\u009b31m',
    );
    // A forged line stays inside the description's own line.
    expect(lines.filter((l) => l.startsWith('state:'))).toHaveLength(1);

    const asJson = await asAlice(['show', String(submitted.id), '--json']);
    expect(RAW.test(asJson.out)).toBe(false);
    expect((JSON.parse(asJson.out) as Job).meta).toMatchObject({
      name: NAME,
      description: DESCRIPTION,
    });
    expect((await h.store.getJob(submitted.id))?.meta).toMatchObject({
      name: NAME,
      description: DESCRIPTION,
    });
  });

  it('escapes what error messages echo back', async () => {
    const r = await asAlice(['show', '\x1b[2J\u202e1']);
    expect(r.code).toBe(2);
    expect(RAW.test(r.err)).toBe(false);
    expect(r.err).toContain('\\x1b[2J\\u202e1');
  });
});
