/**
 * What an attacker types instead of what the API expects: strings with control characters,
 * bidi overrides, lone surrogates and megabytes of text; numbers at the edges of IEEE 754
 * written as JSON text (1e-300, 1e308, 1e400, -0, 2**53+1); JSON with duplicate keys,
 * `__proto__` / `constructor` keys and thousands of nesting levels; invalid UTF-8 and broken
 * percent-encodings. Bodies are produced as raw bytes so that nothing on the client side
 * "repairs" them before god sees them.
 */
import fc from 'fast-check';

/** Numbers as JSON text, including ones JavaScript cannot represent exactly. */
export const ODD_NUMBER_TEXT = [
  '0',
  '-0',
  '1e-300',
  '5e-324',
  '1e308',
  '1.7976931348623157e308',
  '1e400',
  '-1e400',
  '9007199254740993',
  '-9007199254740993',
  '18446744073709551617',
  '4294967296',
  '0.5',
  '-1',
  '1E3',
  '0.0000001',
  '123456789012345678901234567890',
] as const;

/** Strings that are numbers, or almost, and strings that are dangerous elsewhere. */
export const ODD_STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e-300',
  '1e308',
  '0x10',
  ' 1',
  '1 ',
  '1,5',
  '8G',
  '8 GiB',
  '-8G',
  '1e-300G',
  '9007199254740993',
  '\u0000',
  'a\u0000b',
  '\u001b[31mred\u001b[0m',
  '\u001b]0;pwned\u0007',
  '\r\nX-Injected: 1',
  '\u202egnp.exe',
  '\ud800',
  '\udfff\ud800',
  '日本.txt',
  '👩‍👩‍👧',
  'e\u0301',
  '../../../../etc/passwd',
  '/etc/shadow',
  '..',
  '.',
  '%2e%2e%2f',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '$where',
  '{"$gt":""}',
  '*',
  'ALICE',
  'Bob',
  'root-admin',
  'ROOT-ADMIN',
  'alice ',
  'root',
  'default',
  'god_0000000000000000_' + 'A'.repeat(43),
  'x'.repeat(5_000),
] as const;

/** A string an attacker might send. */
export function oddString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.integer({ min: 0, max: 0x1f }), { minLength: 1, maxLength: 8 })
        .map((cs) => String.fromCharCode(...cs)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('a', 'é', '\u0000', '日'), fc.integer({ min: 1_000, max: 70_000 }))
        .map(([c, n]) => c.repeat(n)),
    },
  );
}

/** Byte sequences that are not UTF-8: stray continuation, overlong, surrogate, truncated. */
export const INVALID_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc3],
  [0xe6, 0x97],
] as const;

/** Deeply nested JSON text. */
export function deepJson(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('[', '{"a":'))
    .map(([n, open]) => open.repeat(n) + '1' + (open === '[' ? ']' : '}').repeat(n));
}

/** Extra object members an attacker adds: prototype pollution and privilege fields. */
const EXTRA_MEMBERS = [
  '"__proto__":{"admin":true,"root":true}',
  '"constructor":{"prototype":{"admin":true}}',
  '"admin":true',
  '"user":{"id":"root-admin","uid":0,"gid":0}',
  '"state":"running"',
  '"id":1',
  '"privileged":true',
];

/**
 * The JSON text of `value` with its leaves sometimes replaced by odd ones, and its objects
 * sometimes given duplicate keys or extra members (so the text is not what JSON.stringify of
 * any JavaScript value would give).
 */
export function rawJsonOf(value: unknown, depth = 0): fc.Arbitrary<string> {
  if (depth > 6) return fc.constant(JSON.stringify(value) ?? 'null');
  if (Array.isArray(value)) {
    if (value.length === 0) return fc.constantFrom('[]', '[null]', '[[]]');
    return fc
      .tuple(...value.map((v) => rawJsonOf(v, depth + 1)))
      .map((parts) => `[${parts.join(',')}]`);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const members =
      entries.length === 0
        ? fc.constant([] as string[])
        : fc.tuple(
            ...entries.map(([k, v]) =>
              rawJsonOf(v, depth + 1).map((t) => `${JSON.stringify(k)}:${t}`),
            ),
          );
    const duplicate =
      entries.length === 0
        ? fc.constant(null)
        : fc.option(
            fc
              .tuple(fc.constantFrom(...entries.map(([k]) => k)), leafText())
              .map(([k, t]) => `${JSON.stringify(k)}:${t}`),
            { freq: 4 },
          );
    const extra = fc.option(fc.constantFrom(...EXTRA_MEMBERS), { freq: 4 });
    return fc
      .tuple(members, duplicate, extra)
      .map(
        ([ms, dup, ex]) =>
          `{${[...ms, ...(dup === null ? [] : [dup]), ...(ex === null ? [] : [ex])].join(',')}}`,
      );
  }
  const same = JSON.stringify(value) ?? 'null';
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant(same) },
    { weight: 1, arbitrary: leafText() },
  );
}

/** An odd JSON leaf as text. */
export function leafText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...ODD_NUMBER_TEXT),
    oddString().map((s) => JSON.stringify(s)),
    // Escapes JSON.parse accepts but that are not valid Unicode.
    fc.constantFrom('"\\ud800"', '"\\udc00x"', '"\\u0000"', '"\\u001b[2J"'),
    fc.constantFrom('true', 'null', '[]', '{}'),
  );
}

/** Bytes of a body: the text, sometimes with invalid UTF-8 spliced into a string. */
export function bodyBytes(text: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(text, fc.option(fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat()), { freq: 5 }))
    .map(([t, bad]) => {
      const buf = Buffer.from(t, 'utf8');
      if (bad === null) return buf;
      const [bytes, at] = bad;
      const quotes = [...buf.entries()].filter(([, b]) => b === 0x22).map(([i]) => i);
      const i = quotes.length === 0 ? 0 : quotes[at % quotes.length]! + 1;
      return Buffer.concat([buf.subarray(0, i), Buffer.from(bytes), buf.subarray(i)]);
    });
}

/** Percent-encodes every byte of the UTF-8 form of `s` (lone surrogates become U+FFFD). */
export function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8'))
    out += /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).padStart(2, '0').toUpperCase()}`;
  return out;
}

/** A path segment as it goes on the wire (already percent-encoded, or broken on purpose). */
export function oddSegment(ids: readonly (string | number)[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...ids).map((v) => pct(String(v))) },
    { weight: 3, arbitrary: oddString().map((s) => pct(s.slice(0, 2_000))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%ff',
        '%c0%af',
        '%ed%a0%80',
        '%00',
        '..',
        '%2e%2e',
        ';x=1',
      ),
    },
  );
}

/** A query value (already encoded). */
export function oddQueryValue(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: oddString().map((s) => pct(s.slice(0, 1_500))) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_NUMBER_TEXT) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%ff', '%c3', '%ed%a0%80', 'a%00b') },
  );
}

/** Bearer values that are not anyone's credential. */
export const BAD_CREDENTIALS = [
  'god_0000000000000000_' + 'A'.repeat(43),
  'god_',
  '',
  'x'.repeat(20_000),
  // alg none, subject an administrator.
  `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"root-admin","exp":9999999999}').toString('base64url')}.`,
  // HS256 signed with an empty secret.
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyb290LWFkbWluIn0.3nHnMSTAr4hs3HThTqpmSvLt5yZUPT1K-n9uIsBh9-o',
  'Bearer',
  'Basic YWxpY2U6YWxpY2U=',
] as const;
