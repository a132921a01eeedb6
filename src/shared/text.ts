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
