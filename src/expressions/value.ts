import { ExpressionError, hasExpression, parseTemplate, type ParsedExpression, type Reference, type TemplatePart } from './parse.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A definition value after expression parsing: what codegen turns into Python. A string that is
 * exactly one `{{ … }}` keeps the expression's type (`expr`); text mixed with expressions is a
 * string `template`.
 */
export type Value =
  | { kind: 'literal'; value: Json }
  | { kind: 'expr'; expr: ParsedExpression }
  | { kind: 'template'; parts: TemplatePart[] }
  | { kind: 'object'; entries: [string, Value][] }
  | { kind: 'array'; items: Value[] };

/** An expression problem inside a value, with the path of keys/indices leading to it. */
export class ValueError extends ExpressionError {
  readonly path: (string | number)[];
  constructor(err: ExpressionError, path: (string | number)[]) {
    super(err.message, err.offset, err.fix);
    this.path = path;
  }
}

/** Parse every string in a JSON value; collects all errors instead of stopping at the first. */
export function compileValue(raw: unknown, errors: ValueError[], path: (string | number)[] = []): Value {
  if (typeof raw === 'string') {
    if (!hasExpression(raw)) return { kind: 'literal', value: raw };
    try {
      const parts = parseTemplate(raw);
      if (parts.length === 1 && 'expr' in parts[0] && raw.trim() === `{{${parts[0].expr.source}}}`) {
        return { kind: 'expr', expr: parts[0].expr };
      }
      if (parts.every((p) => 'text' in p)) return { kind: 'literal', value: parts.map((p) => ('text' in p ? p.text : '')).join('') };
      return { kind: 'template', parts };
    } catch (err) {
      if (err instanceof ExpressionError) {
        errors.push(new ValueError(err, path));
        return { kind: 'literal', value: raw };
      }
      throw err;
    }
  }
  if (Array.isArray(raw)) return { kind: 'array', items: raw.map((v, i) => compileValue(v, errors, [...path, i])) };
  if (raw !== null && typeof raw === 'object') {
    const entries = Object.entries(raw as Record<string, unknown>).map(([k, v]): [string, Value] => [k, compileValue(v, errors, [...path, k])]);
    return { kind: 'object', entries };
  }
  if (raw === undefined) return { kind: 'literal', value: null };
  return { kind: 'literal', value: raw as Json };
}

/** Every reference a value makes, with the path of the value part that makes it. */
export function valueRefs(v: Value, path: (string | number)[] = [], out: { ref: Reference; path: (string | number)[]; source: string }[] = []) {
  switch (v.kind) {
    case 'literal':
      break;
    case 'expr':
      for (const ref of v.expr.refs) out.push({ ref, path, source: v.expr.source });
      break;
    case 'template':
      for (const p of v.parts) if ('expr' in p) for (const ref of p.expr.refs) out.push({ ref, path, source: p.expr.source });
      break;
    case 'object':
      for (const [k, child] of v.entries) valueRefs(child, [...path, k], out);
      break;
    case 'array':
      v.items.forEach((child, i) => valueRefs(child, [...path, i], out));
      break;
  }
  return out;
}

/** True when the value needs no run-time evaluation. */
export function isStatic(v: Value): boolean {
  if (v.kind === 'literal') return true;
  if (v.kind === 'object') return v.entries.every(([, c]) => isStatic(c));
  if (v.kind === 'array') return v.items.every(isStatic);
  return false;
}
