/** The local auth plugin over an in-memory set of god's user records. */
import type { AuthContext, LocalAccount } from '@god/core';
import { describe, expect, it } from 'vitest';
import { createLocal, LocalAuthConfigSchema } from './index.js';
import { hashPassword, parseHash } from './scrypt.js';

const FAST = { logN: 14, r: 8, p: 1 };

/** A context whose user records are `records`, recording lookups and log lines. */
function makeContext(records: LocalAccount[]): {
  ctx: AuthContext;
  lookups: string[];
  lines: string[];
} {
  const lookups: string[] = [];
  const lines: string[] = [];
  const put = (level: string) => (fields: object, msg: string) =>
    lines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
  const byLogin = new Map(records.map((r) => [r.id, r]));
  const ctx: AuthContext = {
    logger: { debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error') },
    now: () => Date.now(),
    localAccounts: {
      get: (login) => {
        lookups.push(login);
        return Promise.resolve(byLogin.get(login) ?? null);
      },
    },
  };
  return { ctx, lookups, lines };
}

/** A user record for `id` with `passwordHash`. */
function makeRecord(id: string, passwordHash: string | null, uid = 5001): LocalAccount {
  return {
    id,
    uid,
    gid: 5000,
    sgids: [6001],
    home: `/home/${id}`,
    email: `${id}@god.test`,
    passwordHash,
  };
}

/** A local plugin at the floor cost over alice (password "wonderland") and keyless kim. */
async function makePlugin(): Promise<
  ReturnType<typeof makeContext> & { plugin: ReturnType<typeof createLocal>; aliceHash: string }
> {
  const aliceHash = await hashPassword('wonderland', FAST);
  const context = makeContext([makeRecord('alice', aliceHash), makeRecord('kim', null, 5002)]);
  const config = LocalAuthConfigSchema.parse({ scrypt_log_n: 14 });
  return { ...context, plugin: createLocal(config, context.ctx), aliceHash };
}

/** Median durations (ms) of `n` rounds of `fns`, interleaved so that load hits each alike. */
async function medianMs(n: number, fns: (() => Promise<unknown>)[]): Promise<number[]> {
  const times: number[][] = fns.map(() => []);
  for (let i = 0; i < n; i++) {
    for (const [k, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      times[k]!.push(performance.now() - t0);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(n / 2)]!);
}

describe('local auth plugin', () => {
  it('logs a user in with the right password, without the hash in the account', async () => {
    const { plugin } = await makePlugin();
    const account = await plugin.login('alice', 'wonderland');
    expect(account).toEqual({
      id: 'alice',
      uid: 5001,
      gid: 5000,
      sgids: [6001],
      home: '/home/alice',
      email: 'alice@god.test',
    });
    expect(account).not.toHaveProperty('passwordHash');
  });

  it('refuses a wrong password, an unknown user and a user without a password', async () => {
    const { plugin } = await makePlugin();
    expect(await plugin.login('alice', 'Wonderland')).toBeNull();
    expect(await plugin.login('nobody', 'wonderland')).toBeNull();
    expect(await plugin.login('kim', 'anything')).toBeNull();
  });

  it.each(['', ' alice', 'alice ', '*', 'alice)(uid=*', '../alice', 'a'.repeat(65), 'é'])(
    'refuses the login name %j before looking it up',
    async (login) => {
      const { plugin, lookups } = await makePlugin();
      expect(await plugin.login(login, 'wonderland')).toBeNull();
      expect(await plugin.account(login)).toBeNull();
      expect(lookups).toEqual([]);
    },
  );

  it('refuses an empty or over-long password before looking the user up', async () => {
    const { plugin, lookups } = await makePlugin();
    expect(await plugin.login('alice', '')).toBeNull();
    expect(await plugin.login('alice', 'x'.repeat(4097))).toBeNull();
    expect(lookups).toEqual([]);
  });

  it('spends as much time on an unknown user as on a wrong password', async () => {
    const { plugin } = await makePlugin();
    await plugin.login('alice', 'warm-up');
    const [wrong, unknown, keyless] = await medianMs(7, [
      () => plugin.login('alice', 'wrong'),
      () => plugin.login('nobody', 'wrong'),
      () => plugin.login('kim', 'wrong'),
    ]);
    // Without the dummy scrypt run an unknown user answers in well under a millisecond, a
    // wrong password in tens: the margin is wide so that a loaded machine does not flake.
    expect(wrong).toBeGreaterThan(2);
    expect(unknown).toBeGreaterThan(wrong! * 0.3);
    expect(keyless).toBeGreaterThan(wrong! * 0.3);
  });

  it('refuses a user whose stored hash is tampered, logging neither hash nor password', async () => {
    const aliceHash = await hashPassword('wonderland', FAST);
    const tampered = aliceHash.replace(/^scrypt\$14\$/, 'scrypt$12$');
    const { ctx, lines } = makeContext([makeRecord('alice', tampered)]);
    const plugin = createLocal(LocalAuthConfigSchema.parse({ scrypt_log_n: 14 }), ctx);
    expect(await plugin.login('alice', 'wonderland')).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn stored password hash is unusable .*below the floor/);
    for (const secret of ['wonderland', parseHash(aliceHash).key.toString('base64')])
      expect(lines.join('\n')).not.toContain(secret);
  });

  it('returns the current account without a password', async () => {
    const { plugin } = await makePlugin();
    expect(await plugin.account('alice')).toMatchObject({ id: 'alice', uid: 5001 });
    expect(await plugin.account('kim')).toMatchObject({ id: 'kim', uid: 5002 });
    expect(await plugin.account('nobody')).toBeNull();
  });

  it('hashes new passwords at the configured cost', async () => {
    const { plugin } = await makePlugin();
    const stored = await plugin.hashPassword('new password');
    expect(parseHash(stored)).toMatchObject({ logN: 14, r: 8, p: 1 });
  });
});

describe('LocalAuthConfigSchema', () => {
  it('defaults to N=2^15, r=8, p=1', () => {
    expect(LocalAuthConfigSchema.parse(undefined)).toEqual({
      scrypt_log_n: 15,
      scrypt_r: 8,
      scrypt_p: 1,
    });
  });

  it.each([
    [{ scrypt_log_n: 13 }, 'scrypt_log_n'],
    [{ scrypt_log_n: 21 }, 'scrypt_log_n'],
    [{ scrypt_log_n: 15.5 }, 'scrypt_log_n'],
    [{ scrypt_r: 4 }, 'scrypt_r'],
    [{ scrypt_p: 0 }, 'scrypt_p'],
    [{ scrypt_log_n: 20, scrypt_r: 16 }, 'scrypt_log_n'],
    [{ scrypt_log_n: '15' }, 'scrypt_log_n'],
  ])('refuses %j, naming %s', (value, path) => {
    const res = LocalAuthConfigSchema.safeParse(value);
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('refuses unknown keys', () => {
    const res = LocalAuthConfigSchema.safeParse({ scrypt_n: 32768 });
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]?.code).toBe('unrecognized_keys');
  });
});
