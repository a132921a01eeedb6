/** Python names derived from definition names: deterministic, collision-free, never a keyword. */

export const PY_KEYWORDS: ReadonlySet<string> = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield',
]);

/** A workflow name (`lookup-order`) as a Python module name (`lookup_order`). */
export function moduleName(workflow: string): string {
  const s = workflow.replace(/-/g, '_');
  return PY_KEYWORDS.has(s) ? `${s}_` : s;
}

/** `lookup-order` → `LookupOrder`. */
export function pascal(name: string): string {
  return name
    .split(/[-_]/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

/** `support-bot` → `SUPPORT_BOT`. */
export function upperSnake(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

/** The environment variable holding a peer project's base URL. */
export function peerEnvVar(project: string): string {
  return `CATALYST_PEER_${upperSnake(project)}_URL`;
}

/** Hands out unique names: the first request for a base gets it, later ones get base_2, base_3, … */
export class NameAllocator {
  private readonly used = new Set<string>();
  take(base: string): string {
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** Dedent a block of user code and expand leading tabs (one definition, shared with the validate-time check). */
export { codeLines as dedent } from '../definitions/python-check.ts';

/**
 * Natural order as ruff's isort sorts names (strnatcmp): digit runs compare by value, except that a run
 * with a leading zero compares digit by digit (as a fraction would), so `wf_0924` < `wf_3` < `wf_1051`.
 */
export function naturalCompare(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let i = 0;
  let j = 0;
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  while (i < x.length && j < y.length) {
    if (isDigit(x[i]) && isDigit(y[j])) {
      let ei = i;
      let ej = j;
      while (isDigit(x[ei])) ei++;
      while (isDigit(y[ej])) ej++;
      const ra = x.slice(i, ei);
      const rb = y.slice(j, ej);
      if (ra !== rb) {
        if (ra[0] === '0' || rb[0] === '0') return ra < rb ? -1 : 1;
        if (ra.length !== rb.length) return ra.length - rb.length;
        return ra < rb ? -1 : 1;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (x[i] !== y[j]) return x[i] < y[j] ? -1 : 1;
    i++;
    j++;
  }
  return x.length - i - (y.length - j) || (a < b ? -1 : a > b ? 1 : 0);
}
