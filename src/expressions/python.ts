import type jsep from 'jsep';
import { hex, quoteWith } from '../shared/quote.ts';
import { BINARY_OPERATORS } from './functions.ts';
import type { Ast } from './parse.ts';
import type { Json, Value } from './value.ts';

/**
 * Expressions compile to Python source over the run context `ctx` and the runtime helper module `rx`.
 * Nothing is ever eval'd at run time: the definition's strings only ever become Python string literals.
 */

/** A Python string literal for any JS string: printable ASCII stays, everything else is escaped. */
export function pyStr(s: string): string {
  return quoteWith(s, (cp) => (cp >= 0x20 && cp < 0x7f ? undefined : cp <= 0xff ? `\\x${hex(cp, 2)}` : cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`));
}

export function pyNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot represent ${n} in Python source`);
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return String(n);
  const s = String(n);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** A Python literal for a JSON value (dict keys in their given order). */
export function pyLiteral(v: Json): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pyStr(k)}: ${pyLiteral(x)}`)
    .join(', ')}}`;
}

const ROOT_PY: Record<string, string> = { input: 'ctx.input', nodes: 'ctx.nodes', env: 'ctx.env', request: 'ctx.request' };

/** Python source for one parsed expression. */
export function pyExpr(node: Ast): string {
  switch (node.type) {
    case 'Literal': {
      const v = (node as jsep.Literal).value;
      return pyLiteral(v as Json);
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      const root = ROOT_PY[name];
      if (!root) throw new Error(`unchecked identifier ${name}`);
      return root;
    }
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression;
      const key = m.computed ? pyExpr(m.property) : pyStr((m.property as jsep.Identifier).name);
      return `rx.get(${pyExpr(m.object)}, ${key})`;
    }
    case 'CallExpression': {
      const c = node as jsep.CallExpression;
      const name = (c.callee as jsep.Identifier).name;
      return `rx.fn_${name}(${c.arguments.map(pyExpr).join(', ')})`;
    }
    case 'BinaryExpression': {
      const b = node as jsep.BinaryExpression;
      const l = pyExpr(b.left);
      const r = pyExpr(b.right);
      if (b.operator === '&&') return `(${l} and ${r})`;
      if (b.operator === '||') return `(${l} or ${r})`;
      if (b.operator === '??') return `rx.coalesce2(${l}, ${r})`;
      return `rx.${BINARY_OPERATORS[b.operator]}(${l}, ${r})`;
    }
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression;
      const a = pyExpr(u.argument);
      if (u.operator === '!') return `(not ${a})`;
      if (u.operator === '-') return `rx.neg(${a})`;
      return `rx.pos(${a})`;
    }
    case 'ConditionalExpression': {
      const t = node as jsep.ConditionalExpression;
      return `(${pyExpr(t.consequent)} if ${pyExpr(t.test)} else ${pyExpr(t.alternate)})`;
    }
    case 'ArrayExpression':
      return `[${(node as jsep.ArrayExpression).elements.map((e) => pyExpr(e as Ast)).join(', ')}]`;
    default:
      throw new Error(`unchecked expression node ${node.type}`);
  }
}

/** Python source that evaluates a definition value at run time. */
export function pyValue(v: Value): string {
  switch (v.kind) {
    case 'literal':
      return pyLiteral(v.value);
    case 'expr':
      return pyExpr(v.expr.ast);
    case 'template':
      return `"".join((${v.parts.map((p) => ('text' in p ? pyStr(p.text) : `rx.text(${pyExpr(p.expr.ast)})`)).join(', ')},))`;
    case 'object':
      return `{${v.entries.map(([k, c]) => `${pyStr(k)}: ${pyValue(c)}`).join(', ')}}`;
    case 'array':
      return `[${v.items.map(pyValue).join(', ')}]`;
  }
}
