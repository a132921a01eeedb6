import { UserError } from '../shared/errors.ts';

/** A problem in a definition file, positioned for an editor and a human. */
export interface Diagnostic {
  file: string;
  /** 1-based; 0 when the problem is about the file as a whole. */
  line: number;
  col: number;
  /** Field path inside the file, e.g. `nodes[2].url` ('' for the file itself). */
  path: string;
  message: string;
  /** How to fix it, when we can say. */
  fix?: string;
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const path = d.path ? ` ${d.path}:` : '';
  return `${where}:${path} ${d.message}${d.fix ? ` (fix: ${d.fix})` : ''}`;
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message));
}

/** Thrown by library functions that need valid definitions; carries every problem found. */
export class DefinitionError extends UserError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(`${diagnostics.length} problem(s) in the definitions:\n${sortDiagnostics(diagnostics).map(formatDiagnostic).join('\n')}`);
    this.name = 'DefinitionError';
    this.diagnostics = diagnostics;
  }
}
