import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { visible } from './visible.js';

/* eslint-disable no-control-regex -- what must never reach a terminal raw */
const DANGEROUS =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/* eslint-enable no-control-regex */

describe('visible', () => {
  it('shows C0, C1 and bidi controls as escapes', () => {
    expect(visible('\x1b]0;pwned\x07\x1b[2J')).toBe('\\x1b]0;pwned\\x07\\x1b[2J');
    expect(visible('a\u202eb\u2066c\u009bd\u007f')).toBe('a\\u202eb\\u2066c\\u009bd\\u007f');
    expect(visible('two\nlines\tand\r')).toBe('two\\x0alines\\x09and\\x0d');
    expect(visible('two\nlines\tand\r', true)).toBe('two\nlines\tand\\x0d');
    expect(visible('日本 café 🧬 \\x1b')).toBe('日本 café 🧬 \\x1b');
  });

  it('leaves nothing dangerous, and keeps a JSON line JSON with the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(DANGEROUS.test(visible(s))).toBe(false);
        expect(/[\n\t]/.test(visible(s))).toBe(false);
        const line = visible(JSON.stringify({ name: s }), true);
        expect(DANGEROUS.test(line)).toBe(false);
        expect((JSON.parse(line) as { name: string }).name).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});
