/**
 * An attacker with an account and a shell on a login node, next to god: they can reach Redis
 * on loopback (no password by default) and walk the shared task directories with their own
 * uid. Whatever they read there must not make them an administrator or tell them about other
 * users' jobs.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { taskDirOf } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTaskDir } from '../../plugins/executor-docker/src/task-dir.js';
import { startGodWeb, type God } from './god.js';
import { actAs } from './job-actor.js';
import { send } from './wire.js';

let god: God;

beforeAll(async () => {
  god = await startGodWeb();
  // As on a real host, other accounts can reach shared_dir; only god's own modes protect it.
  await chmod(god.dir, 0o711);
}, 120_000);

afterAll(async () => {
  await god?.stop();
});

/** Every string value Redis holds (any key, any prefix): what a local user can read. */
async function redisStrings(): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await god.redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const k of batch)
      if ((await god.redis.type(k)) === 'string') out.push((await god.redis.get(k)) ?? '');
  } while (cursor !== '0');
  return out;
}

describe('a local user next to god', () => {
  const forge = 'cannot forge an administrator’s token from anything Redis holds';
  it(forge, async () => {
    // A token exists once someone has logged in.
    await send(god.url, {
      method: 'POST',
      path: '/api/v1/auth/token',
      headers: { Authorization: `Bearer ${god.alice.key}` },
    });
    const candidates = await redisStrings();
    expect(candidates.length).toBeGreaterThan(0);
    const accepted: string[] = [];
    for (const secret of candidates) {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(god.admin.id)
        .setIssuer('god')
        .setAudience('god-api')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(secret));
      const a = await send(god.url, {
        method: 'GET',
        path: '/api/v1/users',
        headers: { Authorization: `Bearer ${token}` },
      });
      if (a.status !== 401) accepted.push(`a token signed with a Redis value got ${a.status}`);
    }
    expect(accepted).toEqual([]);
  });

  const peek = 'cannot list the job ids of another user’s task directories';
  it(peek, async () => {
    const job = await god.jobOf(god.alice);
    const dir = taskDirOf(god.config.shared_dir, job);
    await prepareTaskDir(
      dir,
      'echo hi\n',
      { uid: god.alice.uid, gid: god.alice.uid },
      god.alice.uid,
    );
    const seen = await actAs(god.bob.uid, '/', {
      kind: 'once',
      steps: [{ op: 'readdir', path: join(dir, '..') }],
    });
    const names = JSON.parse(seen) as string[] | string;
    // An error code (EACCES) or a listing without the job: both keep the id from bob.
    expect(Array.isArray(names) ? names : []).not.toContain(String(job.id));
  });
});
