/**
 * Methods called on a value in n8n expressions: JavaScript's string and array methods and n8n's own
 * extensions (`isEmpty`, `toNumber`, `first`, …), each translated to our functions; callbacks and regular
 * expressions are refused (they run as JavaScript where the node allows it).
 */
import type { JsNode } from '../jsparse.ts';
import type { Tx } from '../views.ts';
import { atom, call, isQuoteEscape, litTx, op, paren, stringArg, type Ctx } from './tx.ts';

/** Methods called on a value. */
export function method(t: Ctx, n: JsNode, recv: Tx, name: string, argNodes: JsNode[]): Tx {
  const arity = (min: number, max = min) => {
    if (argNodes.length < min || argNodes.length > max) t.fail(n, 'call-arity', `.${name}() takes ${min === max ? min : `${min} to ${max}`} argument(s)`);
  };
  const noRegex = () => {
    if (argNodes.some((a) => a.type === 'Regex')) t.fail(n, 'regex', `.${name}() with a regular expression is not supported`);
  };
  const args = () => argNodes.map((a) => t.expr(a));
  switch (name) {
    case 'toLowerCase':
    case 'toLocaleLowerCase':
      arity(0);
      return call('lower', [recv], 'string');
    case 'toUpperCase':
    case 'toLocaleUpperCase':
      arity(0);
      return call('upper', [recv], 'string');
    case 'trim':
      arity(0);
      return call('trim', [recv], 'string');
    case 'includes':
      arity(1);
      return call('contains', [recv, ...args()], 'boolean');
    case 'startsWith':
    case 'endsWith':
      arity(1);
      return call(name, [recv, ...args()], 'boolean');
    case 'split': {
      arity(1);
      noRegex();
      return call('split', [recv, ...args()], 'array');
    }
    case 'replaceAll':
    case 'replace': {
      arity(2);
      if (t.jsonString && isQuoteEscape(argNodes[0], argNodes[1])) return recv;
      noRegex();
      if (argNodes[1].type === 'Arrow') t.fail(n, 'function', 'a replacement function cannot be translated');
      const search = stringArg(argNodes[0]);
      const a = t.expr(argNodes[0]);
      const b = replacement(t, n, argNodes[1], search);
      if (name === 'replaceAll') return call('replace', [recv, a, b], 'string');
      // JavaScript's replace() with a string replaces the first occurrence only ('' matches at the start).
      if (search === '') return call('concat', [atom("''"), b, recv], 'string');
      const r = paren(recv);
      const parts = `split(${r}, ${a.src})`;
      return op(`contains(${r}, ${a.src}) ? ${parts}[0] + ${paren(b)} + join(slice(${parts}, 1), ${a.src}) : ${r}`, 'string');
    }
    case 'slice': {
      arity(1, 2);
      return call('slice', [recv, ...args()], recv.type === 'array' ? 'array' : recv.type === 'string' ? 'string' : 'unknown');
    }
    case 'substring': {
      arity(1, 2);
      // JavaScript: indexes are truncated, negative ones are 0, and start > end swaps them.
      const idx = argNodes.map((a) => {
        const v = numberLiteral(a);
        return v !== undefined && Number.isFinite(v) ? Math.max(0, Math.trunc(v)) : undefined;
      });
      if (idx.some((i) => i === undefined)) t.fail(n, 'substring', '.substring() is translated with literal indexes only; use .slice()');
      const [start, end] = idx as number[];
      const bounds = end === undefined ? [start] : [Math.min(start, end), Math.max(start, end)];
      return call('slice', [recv, ...bounds.map((i) => atom(String(i), 'number'))], 'string');
    }
    case 'join':
      arity(0, 1);
      return call('join', [recv, ...args()], 'string');
    case 'concat':
      if (argNodes.length === 0) return recv;
      return call('concat', [recv, ...args()]);
    case 'toString':
      arity(0);
      return call('str', [recv], 'string');
    case 'toJsonString':
      arity(0);
      return call('json', [recv], 'string');
    case 'toNumber':
      arity(0);
      return call('float', [recv], 'number');
    case 'isEmpty':
      arity(0);
      return op(isEmpty(recv), 'boolean');
    case 'isNotEmpty':
      arity(0);
      return op(`!(${isEmpty(recv)})`, 'boolean');
    case 'first':
      arity(0);
      return atom(`${paren(recv)}[0]`);
    case 'last':
      arity(0);
      return atom(`${paren(recv)}[len(${recv.src}) - 1]`);
    case 'keys':
      arity(0);
      return call('keys', [recv], 'array');
    case 'values':
      arity(0);
      return call('values', [recv], 'array');
    case 'round':
      arity(0, 1);
      return call('round', [recv, ...args()], 'number');
    case 'abs':
      arity(0);
      return call('abs', [recv], 'number');
    case 'map':
    case 'filter':
    case 'find':
    case 'findIndex':
    case 'reduce':
    case 'some':
    case 'every':
    case 'forEach':
    case 'flatMap':
    case 'sort':
      return t.fail(n, 'function', `.${name}() with a callback function cannot be translated`);
    case 'match':
    case 'test':
    case 'search':
    case 'matchAll':
      return t.fail(n, 'regex', `.${name}() uses regular expressions, which are not supported`);
    default:
      return t.fail(n, 'method', `.${name}() is not supported`);
  }
}

/**
 * n8n's isEmpty(): '' for text, no items for lists, no keys for objects, and falsy for the rest (null,
 * 0, false); it never fails, whatever the type.
 */
function isEmpty(recv: Tx): string {
  return `contains([null, '', 0, false, []], ${recv.src}) || json(${recv.src}) == '{}'`;
}

/**
 * The replacement of replace()/replaceAll() with a string pattern. In JavaScript `$$` is `$` and `$&`
 * the matched text; `` $` `` and `$'` (the text around the match) have no translation. A replacement
 * that is not a literal is inserted as it is (a `$` in it is not a pattern).
 */
function replacement(t: Ctx, n: JsNode, node: JsNode, search: string | undefined): Tx {
  const text = stringArg(node);
  if (text === undefined || !text.includes('$')) return t.expr(node);
  if (/\$[`']/.test(text) || (text.includes('$&') && search === undefined)) t.fail(n, 'method', "a replacement with $`, $' or $& of a computed pattern cannot be translated");
  return litTx(text.replace(/\$(\$|&)/g, (_, c: string) => (c === '$' ? '$' : search!)));
}

/** A number written as a literal (`3`, `-2`, `+1.5`). */
function numberLiteral(n: JsNode): number | undefined {
  if (n.type === 'Literal') return typeof n.value === 'number' ? n.value : undefined;
  if (n.type !== 'Unary' || (n.operator !== '-' && n.operator !== '+')) return undefined;
  const v = numberLiteral(n.argument);
  return v === undefined ? undefined : n.operator === '-' ? -v : v;
}
