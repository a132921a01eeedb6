/**
 * Double-quoted string literals of the languages Catalyst writes (Python, TOML): the escapes they
 * share in one place, the rest per language.
 */

const SHORT_ESCAPES = new Map([
  ['"', '\\"'],
  ['\\', '\\\\'],
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
]);

/**
 * `s` in double quotes: quote, backslash, LF, CR and tab as their short escapes; any other character
 * as `escape` spells its code point, or as itself when `escape` returns undefined.
 */
export function quoteWith(s: string, escape: (codePoint: number) => string | undefined): string {
  let out = '"';
  for (const ch of s) out += SHORT_ESCAPES.get(ch) ?? escape(ch.codePointAt(0)!) ?? ch;
  return `${out}"`;
}

/** `n` in hex, zero-padded to `width` digits. */
export const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
