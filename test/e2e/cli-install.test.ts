/**
 * `god` on the PATH. The workstation build (scripts/bundle-cli.ts, what `npm run build` makes)
 * installed into a temporary prefix as the README says, and run there — outside the
 * repository, with no node_modules to fall back on — for help and for a real round trip with a
 * web process. And install.sh's cli step, which puts the full god on the PATH.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STUB_GROUP } from '../../packages/cli/src/commands/server-stubs.js';
import { WebHarness, type TestUser } from '../../packages/web/src/test-helpers.js';
import { bundleCli, serverInputs, type CliBundle } from '../../scripts/bundle-cli.js';
import { REPO_ROOT } from './processes.js';

interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs `file args` and resolves with its exit code and output, whatever the code. */
function run(
  file: string,
  args: readonly string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { ...opts, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}

/** An environment with nothing of the test runner's: only node on the PATH, a fresh home. */
function bareEnv(home: string, bin: string): Record<string, string> {
  return {
    PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'xdg'),
  };
}

describe('the workstation god, installed into a temporary prefix', () => {
  let bundle: CliBundle;
  let prefix = '';
  let home = '';
  let h: WebHarness;
  let alice: TestUser;
  const god = (args: string[]): Promise<Ran> =>
    run(join(prefix, 'bin', 'god'), args, { cwd: home, env: bareEnv(home, join(prefix, 'bin')) });

  beforeAll(async () => {
    const build = await mkdtemp(join(tmpdir(), 'god-cli-build-'));
    bundle = await bundleCli(join(build, 'god-cli.mjs'));
    prefix = await mkdtemp(join(tmpdir(), 'god-cli-prefix-'));
    home = await mkdtemp(join(tmpdir(), 'god-cli-home-'));
    // The README's command, with the temporary prefix for /usr/local.
    const installed = await run(
      'install',
      ['-D', '-m', '755', bundle.outfile, join(prefix, 'bin', 'god')],
      { cwd: home, env: bareEnv(home, '/nonexistent') },
    );
    expect(installed).toMatchObject({ code: 0, err: '' });
    h = await WebHarness.start(['defaults.image=god-test/busybox:latest']);
    alice = await h.user('alice');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('is one file of the client side only, needing nothing but Node.js', () => {
    expect(serverInputs(bundle.inputs)).toEqual([]);
    expect(bundle.inputs).toContain('packages/client/src/client.ts');
    expect(bundle.inputs.some((p) => p.startsWith('node_modules/commander/'))).toBe(true);
    expect(bundle.imports.filter((m) => !isBuiltin(m))).toEqual([]);
    // The check the build makes: anything of the server side is named.
    expect(
      serverInputs([
        'packages/cli/src/commands/submit.ts',
        'packages/cli/src/commands/roles.ts',
        'packages/cli/src/cli.ts',
        'packages/core/src/job.ts',
        'packages/store/src/index.ts',
        'plugins/executor-docker/src/index.ts',
        'node_modules/zod/index.js',
      ]),
    ).toEqual([
      'packages/cli/src/commands/roles.ts',
      'packages/cli/src/cli.ts',
      'packages/store/src/index.ts',
      'plugins/executor-docker/src/index.ts',
    ]);
  });

  it('runs god --help and god submit --help from the prefix', async () => {
    const help = await god(['--help']);
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toMatch(/^Usage: god \[options\] \[command\]/);
    expect(help.out).toContain('submit [options] [script]');
    expect(help.out).toContain(STUB_GROUP);
    const submit = await god(['submit', '--help']);
    expect(submit).toMatchObject({ code: 0, err: '' });
    expect(submit.out).toMatch(/^Usage: god submit \[options\] \[script\]/);
    expect(submit.out).toContain('--cmd <script>');
  });

  it('logs in with an API key, submits a job and lists it, against a real web process', async () => {
    const login = await god(['login', '--server', h.url, '--api-key', alice.key]);
    expect(login.err).toBe('');
    expect(login).toMatchObject({ code: 0, out: expect.stringContaining(`as alice`) as string });
    const submitted = await god(['submit', '--cmd', 'echo hi']);
    expect(submitted.err).toBe('');
    const id = /^submitted job (\d+)$/m.exec(submitted.out)?.[1];
    expect(id, submitted.out).toBeDefined();
    const job = await alice.client.getJob(Number(id));
    expect(job).toMatchObject({ user: { id: 'alice' }, command: { cmd: 'echo hi' } });
    const list = await god(['list']);
    expect(list).toMatchObject({ code: 0, err: '' });
    expect(list.out).toMatch(new RegExp(`^\\s*${id}\\s.*alice`, 'm'));
  });

  it('says that a server-side command needs the full install', async () => {
    const up = await god(['up']);
    expect(up.code).toBe(2);
    expect(up.out).toBe('');
    expect(up.err).toContain('`god up` runs on a server, from the full install');
  });
});

describe('install.sh cli', () => {
  it('puts a launcher of the full god in GOD_BIN_DIR (replacing an older one), and leaves it as it is when run again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'god-bin-'));
    const bin = join(dir, 'bin');
    const env = { ...bareEnv(dir, bin), GOD_BIN_DIR: bin };
    const step = (): Promise<Ran> =>
      run('bash', [join(REPO_ROOT, 'scripts/install.sh'), 'cli'], { cwd: dir, env });
    // The launcher of a checkout that has moved since is replaced.
    await mkdir(bin);
    await writeFile(
      join(bin, 'god'),
      `#!/bin/sh\n# Written by god's scripts/install.sh (step cli): the god command of /old.\nexec '/old/node' '/old/main.js' "$@"\n`,
      { mode: 0o755 },
    );
    const first = await step();
    expect(first, first.err).toMatchObject({ code: 0, err: '' });
    const launcher = join(bin, 'god');
    const main = join(REPO_ROOT, 'packages/cli/dist/main.js');
    expect(await readFile(launcher, 'utf8')).toContain(`exec '${process.execPath}' '${main}' "$@"`);
    const before = await stat(launcher);
    expect(before.mode & 0o777).toBe(0o755);

    const help = await run(launcher, ['--help'], { cwd: dir, env });
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toContain('bootstrap-admin [options] <login>');
    expect(help.out).not.toContain(STUB_GROUP);
    const submit = await run(launcher, ['submit', '--help'], { cwd: dir, env });
    expect(submit).toMatchObject({ code: 0, err: '' });
    expect(submit.out).toMatch(/^Usage: god submit \[options\] \[script\]/);

    const again = await step();
    expect(again).toMatchObject({
      code: 0,
      out: expect.stringContaining('already installed') as string,
    });
    expect((await stat(launcher)).mtimeMs).toBe(before.mtimeMs);
  });

  it('leaves a god that is not its launcher alone, and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'god-bin-'));
    const other = '#!/bin/sh\necho another god\n';
    await writeFile(join(dir, 'god'), other, { mode: 0o755 });
    const r = await run('bash', [join(REPO_ROOT, 'scripts/install.sh'), 'cli'], {
      cwd: dir,
      env: { ...bareEnv(dir, dir), GOD_BIN_DIR: dir },
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${dir}/god exists and is not god's launcher`);
    expect(await readFile(join(dir, 'god'), 'utf8')).toBe(other);
  });
});
