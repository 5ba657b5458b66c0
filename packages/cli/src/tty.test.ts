/** The password prompt: nothing typed is echoed, Backspace edits, Ctrl-C cancels. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { promptHidden, readAll } from './tty.js';

/** A stand-in for a terminal's stdin: a stream with a raw mode. */
function terminal(): NodeJS.ReadStream & { modes: boolean[] } {
  const t = new PassThrough() as unknown as NodeJS.ReadStream & { modes: boolean[] };
  t.isRaw = false;
  t.modes = [];
  t.setRawMode = (mode: boolean) => {
    t.modes.push(mode);
    t.isRaw = mode;
    return t;
  };
  return t;
}

describe('promptHidden', () => {
  it('reads a line in raw mode without echoing it, then restores the terminal', async () => {
    const input = terminal();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    const answer = promptHidden(input, output, 'Password: ');
    input.write('secx\u007fret\r');
    expect(await answer).toBe('secret');
    expect(shown).toBe('Password: \n');
    expect(input.modes).toEqual([true, false]);
  });

  it('cancels on Ctrl-C with exit 130', async () => {
    const input = terminal();
    const answer = promptHidden(input, new PassThrough(), 'Password: ');
    input.write('abc\u0003');
    const err = await answer.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: 130 });
    expect(input.isRaw).toBe(false);
  });
});

describe('readAll', () => {
  it('collects a stream to its end', async () => {
    const s = new PassThrough();
    const all = readAll(s);
    s.write('one ');
    s.end('two');
    expect((await all).toString()).toBe('one two');
  });
});
