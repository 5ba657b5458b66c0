/** Shell completion from the command tree, and help that needs no server or credentials. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeRig } from './test-cli.js';

const run = promisify(execFile);

/** Whether `shell` is installed here (zsh and fish are optional on build machines). */
const has = (shell: string): boolean =>
  (process.env['PATH'] ?? '').split(':').some((d) => existsSync(join(d, shell)));

/** What the bash script completes for the words typed (the last one being completed). */
async function bashComplete(script: string, words: string[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'god-completion-'));
  await writeFile(join(dir, 'god.bash'), script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const { stdout } = await run('bash', [
    '-c',
    `source ${join(dir, 'god.bash')}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _god; printf '%s\\n' "\${COMPREPLY[@]}"`,
  ]);
  return stdout.split('\n').filter((l) => l !== '');
}

describe('god completion', () => {
  it('prints a bash script that completes commands, subcommands and options', async () => {
    const rig = await makeRig();
    const r = await rig.run(['completion', 'bash']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('complete -o default -F _god god');
    expect(await bashComplete(r.out, ['god', 'su'])).toEqual(['submit', 'suspend']);
    expect(await bashComplete(r.out, ['god', 'users', ''])).toEqual([
      'list',
      'show',
      'add',
      'set',
      'remove',
    ]);
    expect(await bashComplete(r.out, ['god', 'submit', '--ar'])).toEqual(['--array']);
    expect(await bashComplete(r.out, ['god', 'submit', '--cpu', '2', '--after'])).toEqual([
      '--after',
      '--afterok',
      '--afterany',
      '--afternotok',
    ]);
    expect(await bashComplete(r.out, ['god', 'projects', 'add', 'x', '--limit-c'])).toEqual([
      '--limit-cpu',
    ]);
    // After an option that takes a value, the shell's own completion (files) applies.
    expect(await bashComplete(r.out, ['god', 'submit', '--image', ''])).toEqual([]);
  });

  it('prints zsh and fish scripts naming every command and option', async () => {
    const rig = await makeRig();
    const zsh = await rig.run(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.out).toMatch(/^#compdef god\n/);
    expect(zsh.out).toContain("('users add') subs=()");
    expect(zsh.out).toContain("'--uid:uid the jobs run as'");
    expect(zsh.out).toContain("'bootstrap-admin:create (or promote) an administrator");
    const fish = await rig.run(['completion', 'fish']);
    expect(fish.code).toBe(0);
    expect(fish.out).toContain(`complete -c god -n '__god_at "god"' -f -a "submit"`);
    expect(fish.out).toContain(`complete -c god -n '__god_at "god submit"' -l maxlifespan -r`);
    expect(fish.out).toContain(`complete -c god -n '__god_at "god logs"' -s f -l follow -d`);
    expect(fish.out).toContain('"god keys revoke"');
    expect(await rig.run(['completion', 'tcsh'])).toMatchObject({ code: 2 });
  });
});

describe('god completion in the real shells', () => {
  it.skipIf(!has('fish'))('completes in fish', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'god-completion-'));
    await writeFile(
      join(dir, 'god.fish'),
      (await (await makeRig()).run(['completion', 'fish'])).out,
    );
    const complete = async (line: string): Promise<string[]> => {
      const { stdout } = await run('fish', [
        '-c',
        `source ${join(dir, 'god.fish')}; complete -C '${line}'`,
      ]);
      return stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t')[0]!);
    };
    expect(await complete('god su')).toEqual(['submit', 'suspend']);
    expect(await complete('god users ')).toEqual(['add', 'list', 'remove', 'set', 'show']);
    expect(await complete('god ls --st')).toEqual(['--state']);
  });

  it.skipIf(!has('zsh'))('completes in zsh', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'god-completion-'));
    await writeFile(join(dir, '_god'), (await (await makeRig()).run(['completion', 'zsh'])).out);
    // zsh's completion widgets need a terminal: _describe and _files stand in, printing what they get.
    const complete = async (words: string[]): Promise<string> => {
      const { stdout } = await run('zsh', [
        '-c',
        `compdef() { :; }; _describe() { local n=$4; print -l -- "\${(@P)n}" | cut -d: -f1 | tr '\\n' ' '; }; ` +
          `_files() { print -n FILES; }; source ${join(dir, '_god')}; ` +
          `words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _god`,
      ]);
      return stdout.trim();
    };
    expect(await complete(['god', 'projects', ''])).toBe('list show add set members remove');
    expect((await complete(['god', 'submit', '--ar'])).split(' ')).toContain('--array');
    expect(await complete(['god', 'submit', '--image', ''])).toBe('FILES');
  });
});

describe('help', () => {
  it('works for every command with no server and no credentials', async () => {
    // Unreachable server, no stored login: help must not need either.
    const rig = await makeRig({ GOD_SERVER: 'http://127.0.0.1:1' });
    const top = await rig.run(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of [
      'submit',
      'list',
      'logs',
      'login',
      'users',
      'projects',
      'keys',
      'bootstrap-admin',
      'web',
      'up',
      'completion',
    ])
      expect(top.out).toMatch(new RegExp(`\\n  ${cmd}[ |]`));
    expect(top.out).toContain('GOD_SERVER');
    expect(top.out).toContain('GOD_API_KEY');
    expect(top.out).toContain('Exit status:');
    for (const args of [
      ['submit', '--help'],
      ['users', 'add', '--help'],
      ['help', 'logs'],
      ['config', 'server', '--help'],
    ]) {
      const r = await rig.run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out).toMatch(/^Usage: god /);
      expect(r.err).toBe('');
    }
    expect((await rig.run(['submit', '--help'])).out).toContain('--afternotok <ids>');
    expect((await rig.run(['frobnicate'])).code).toBe(2);
  });
});
