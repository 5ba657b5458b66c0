/**
 * Text from the server (job names, descriptions, reasons, error messages, file names) is data,
 * not terminal commands: control characters (C0, DEL, C1) and the code points that reorder or
 * break lines (bidi overrides and isolates, line and paragraph separators) are shown as visible
 * escapes (`\x1b`, `\u202e`). The API keeps the exact text; only what is printed changes.
 * DEL and code points from U+0080 up are written `\uXXXX`, which JSON also reads, so a JSON line stays
 * valid JSON with the same value (C0 never appears raw in JSON).
 */
import type { Output } from './output.js';

/* eslint-disable no-control-regex -- finding control characters is the point */
/** Every dangerous code point, newlines and tabs included (for one table cell or value). */
const ALL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same but for newline and tab, which lay out whole lines and JSON documents. */
const BUT_LAYOUT =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/** C0 as `\x1b` (JSON never holds one raw); DEL and above as `\u007f`, which JSON reads. */
function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x20
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with control and reordering characters escaped; `keepLayout` keeps newlines and tabs
 * (whole lines, JSON documents), otherwise they are escaped too (one cell, one value).
 */
export function visible(text: string, keepLayout = false): string {
  return text.replace(keepLayout ? BUT_LAYOUT : ALL, escape);
}

/** `io` printing every line through `visible` (newlines and tabs kept). */
export function visibleOutput(io: Output): Output {
  return {
    out: (line) => io.out(visible(line, true)),
    err: (line) => io.err(visible(line, true)),
  };
}
