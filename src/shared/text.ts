/** Text helpers with no domain knowledge. */

/**
 * The first non-empty line of a program's error output, with a leading `error: ` / `fatal: ` label
 * dropped (unless `keepLabel`) and the length bounded, so a message quotes the tool without flooding the terminal.
 */
export function firstLine(text: string, opts: { max?: number; empty?: string; keepLabel?: boolean } = {}): string {
  const max = opts.max ?? 300;
  const label = opts.keepLabel ? /^$/ : /^(fatal|error): /;
  const line = text.split('\n').map((l) => l.replace(label, '').trim()).find((l) => l !== '') ?? opts.empty ?? '';
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/**
 * Text for a terminal: control characters (C0 except tab and newline, DEL, C1) and escape sequences other
 * than the CLI's own erase-line (`ESC [ K`) are written as \u00XX, so a name from a definition or an n8n
 * export cannot recolour the terminal, set its title or clear the screen. Valid inside JSON strings too.
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b(?!\[K)|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
