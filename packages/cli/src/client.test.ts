/**
 * The workstation build of `god` against the full one: the same command tree (its server-side
 * commands as stubs that say where they run), and the same answers for the commands it has.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './cli.js';
import { runClientCli } from './client.js';
import { SERVER_COMMANDS, type ServerCommand } from './commands/server-commands.js';
import { needsFullInstall, registerServerStubs, STUB_GROUP } from './commands/server-stubs.js';
import { buildCommandTree } from './program.js';
import { testContext } from './test-cli.js';

/** Every command path of a tree (`submit`, `users add`, …). */
function paths(cmd: Command, prefix = ''): string[] {
  return cmd.commands.flatMap((c) => {
    const path = `${prefix}${c.name()}`;
    return [path, ...paths(c, `${path} `)];
  });
}

const full = buildProgram(testContext().ctx, () => undefined);
const workstation = buildCommandTree(testContext().ctx, () => undefined, registerServerStubs);
const names = Object.keys(SERVER_COMMANDS) as ServerCommand[];

/** `god <args>` as the workstation build, output captured. */
async function god(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const t = testContext();
  const code = await runClientCli(args, t.ctx);
  return { code, out: t.out(), err: t.err() };
}

describe('the workstation build of god', () => {
  it('has every command of the full build, and its server-side ones are exactly the table', () => {
    expect(paths(workstation)).toEqual(paths(full));
    const serverSide = (tree: Command, group: string): string[] =>
      tree.commands.filter((c) => c.helpGroup() === group).map((c) => c.name());
    expect(serverSide(full, full.commands.find((c) => c.name() === 'demo')!.helpGroup())).toEqual([
      'config',
      ...names,
    ]);
    expect(serverSide(workstation, STUB_GROUP)).toEqual(names);
  });

  it('answers every server-side command, with any flags or --help, by exit 2 and where it runs', async () => {
    for (const name of names)
      for (const args of [[name], [name, '--host', 'h1'], [name, '--help']]) {
        const r = await god(args);
        expect(r, args.join(' ')).toEqual({
          code: 2,
          out: '',
          err: `god: ${needsFullInstall(name)}\n`,
        });
      }
    expect(needsFullInstall('up')).toContain('full install');
  });

  it('lists the server-side commands in its help under their own heading, and keeps the client commands as they are', async () => {
    const help = await god(['--help']);
    expect(help.code).toBe(0);
    const stubs = help.out.slice(help.out.indexOf(STUB_GROUP), help.out.indexOf('Shell:'));
    for (const name of names) expect(stubs).toMatch(new RegExp(`^  ${name} `, 'm'));
    const submit = await god(['submit', '--help']);
    expect(submit.code).toBe(0);
    const t = testContext();
    const fullSubmit = buildProgram(t.ctx, () => undefined);
    await fullSubmit.parseAsync(['submit', '--help'], { from: 'user' }).catch(() => undefined);
    expect(submit.out).toBe(t.out());
  });

  it('checks a config file like the full build (config needs no server-side module)', async () => {
    const r = await god(['config', 'check', '--set', 'scheduler.lease.ttl_ms=100']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('scheduler.lease.renew_deadline_ms: must be less than ttl_ms');
  });
});
