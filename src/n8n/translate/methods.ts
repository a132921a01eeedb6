/**
 * Methods called on a value in n8n expressions: JavaScript's string and array methods and n8n's own
 * extensions (`isEmpty`, `toNumber`, `first`, …), each translated to our functions; callbacks and regular
 * expressions are refused (they run as JavaScript where the node allows it).
 */
import type { JsNode } from '../jsparse.ts';
import type { Tx } from '../views.ts';
import { atom, call, isQuoteEscape, op, paren, type Ctx } from './tx.ts';

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
      const [a, b] = args();
      if (name === 'replaceAll') return call('replace', [recv, a, b], 'string');
      // JavaScript's replace() with a string replaces the first occurrence only.
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
      const ok = argNodes.every((a) => a.type === 'Literal' && typeof a.value === 'number' && Number.isInteger(a.value) && a.value >= 0);
      if (!ok || (argNodes.length === 2 && (argNodes[0] as { value: number }).value > (argNodes[1] as { value: number }).value)) {
        t.fail(n, 'substring', '.substring() is supported with literal non-negative indexes (start ≤ end) only; use .slice()');
      }
      return call('slice', [recv, ...args()], 'string');
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
      return op(`len(${recv.src}) == 0`, 'boolean');
    case 'isNotEmpty':
      arity(0);
      return op(`len(${recv.src}) > 0`, 'boolean');
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
