/**
 * Quoting for the non-Python files of a generated app: TOML and YAML strings (deploy configs), Markdown
 * table cells (README), .env values. Python literals come from src/expressions/python.ts.
 */
import { hex, quoteWith } from '../shared/quote.ts';

/** A TOML basic string (escapes quotes, backslashes and every control character). */
export function tomlStr(s: string): string {
  return quoteWith(s, (cp) => (cp < 0x20 || cp === 0x7f ? `\\u${hex(cp, 4)}` : undefined));
}

/** A YAML double-quoted scalar (JSON string syntax is valid YAML 1.2). */
export function yamlStr(s: string): string {
  return JSON.stringify(s).replace(/[\u007f\u0085\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text for a Markdown table cell: one line, pipes escaped (HTML is escaped by the template). */
export function mdCell(s: string): string {
  return oneLine(s).replace(/\|/g, '\\|');
}

/**
 * A value for a .env line, literal as `python -m app` and `docker run --env-file` read it (never a shell):
 * line breaks cannot be written, so a multi-line value is shown JSON-escaped after a note.
 */
export function dotenvValue(s: string): string {
  return /[\r\n]/.test(s) ? `(multi-line default, JSON-escaped: ${JSON.stringify(s)})` : s;
}

/** Whitespace runs as one space, trimmed (a comment or a table cell on one line). */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
