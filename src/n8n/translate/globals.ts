/**
 * Globals in n8n expressions: `JSON`, `Math`, `Object`, `String()`, `Number()`, `parseInt()`, n8n's `$if`,
 * `$ifEmpty`, `$min`, `$max`, dates (`$now`, `DateTime.now()`, `new Date()`), `$env`, `$workflow`, and the
 * n8n variables the app does not have (refused with the reason).
 */
import type { JsNode } from '../jsparse.ts';
import { NULL, type Tx } from '../views.ts';
import { atom, call, litTx, op, paren, staticKey, type Ctx, type Seg } from './tx.ts';

/**
 * Globals of JavaScript itself (ECMAScript, not browser or Node.js APIs) and of the JavaScript node
 * (Luxon's Duration and Interval): an expression using them runs as JavaScript where the node allows it.
 */
const JS_GLOBALS = new Set([
  'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI', 'isNaN', 'isFinite', 'Array', 'Date', 'RegExp', 'Intl',
  'Set', 'Map', 'Symbol', 'BigInt', 'Infinity', 'NaN', 'Error', 'Duration', 'Interval',
]);

/** A call or member access rooted at a global (JSON, Math, $now, String(…), …). Returns how many segments it used. */
export function globalValue(t: Ctx, root: JsNode, segs: Seg[]): { tx: Tx; used: number } {
  const args = (i: number): JsNode[] | undefined => (segs[i]?.kind === 'call' ? (segs[i] as { args: JsNode[] }).args : undefined);
  const want = (a: JsNode[] | undefined, min: number, max: number, what: string): JsNode[] => {
    if (!a || a.length < min || a.length > max) t.fail(root, 'call-arity', `${what} takes ${min === max ? min : `${min} to ${max}`} argument(s)`);
    return a!;
  };
  const tx = (a: JsNode[]) => a.map((x) => t.expr(x));
  if (root.type === 'Identifier') {
    const k1 = staticKey(segs[0]);
    switch (root.name) {
      case 'JSON': {
        const a = args(1);
        if (k1 === 'stringify') {
          const [v, ...extra] = want(a, 1, 3, 'JSON.stringify');
          if (extra.length) t.fail(root, 'json-indent', 'JSON.stringify with a replacer or indentation is not supported');
          return { tx: call('json', [t.expr(v)], 'string'), used: 2 };
        }
        if (k1 === 'parse') return { tx: call('parseJson', tx(want(a, 1, 1, 'JSON.parse'))), used: 2 };
        break;
      }
      case 'Math': {
        const a = args(1);
        const map: Record<string, string> = { abs: 'abs', round: 'round', max: 'max', min: 'min' };
        if (typeof k1 === 'string' && map[k1] && a) {
          if (k1 === 'round') {
            // JavaScript rounds .5 up (Math.round(-2.5) is -2); round() rounds it away from zero.
            const [x] = tx(want(a, 1, 1, 'Math.round'));
            return { tx: op(`${paren(x)} - int(${x.src}) == -0.5 ? int(${x.src}) : round(${x.src})`, 'number'), used: 2 };
          }
          return { tx: call(map[k1], tx(want(a, 1, 16, `Math.${k1}`)), 'number'), used: 2 };
        }
        return t.fail(root, 'math', `Math.${String(k1)} is not supported (only abs, round, max, min)`);
      }
      case 'Object': {
        const a = args(1);
        if (k1 === 'keys') return { tx: call('keys', tx(want(a, 1, 1, 'Object.keys')), 'array'), used: 2 };
        if (k1 === 'values') return { tx: call('values', tx(want(a, 1, 1, 'Object.values')), 'array'), used: 2 };
        return t.fail(root, 'object-fn', `Object.${String(k1)} is not supported (only keys, values)`);
      }
      case 'String':
        return { tx: call('str', tx(want(args(0), 1, 1, 'String()')), 'string'), used: 1 };
      case 'Number':
      case 'parseFloat':
        return { tx: call('float', tx(want(args(0), 1, 1, `${root.name}()`)), 'number'), used: 1 };
      case 'parseInt': {
        const a = want(args(0), 1, 2, 'parseInt()');
        if (a[1] && !(a[1].type === 'Literal' && a[1].value === 10)) t.fail(root, 'parse-int-radix', 'parseInt with a radix other than 10 is not supported');
        return { tx: call('int', [t.expr(a[0])], 'number'), used: 1 };
      }
      case 'Boolean':
        return { tx: call('bool', tx(want(args(0), 1, 1, 'Boolean()')), 'boolean'), used: 1 };
      case '$if': {
        const [c, a, b] = tx(want(args(0), 3, 3, '$if()'));
        return { tx: op(`${paren(c)} ? ${paren(a)} : ${paren(b)}`), used: 1 };
      }
      case '$ifEmpty': {
        const [v, d] = tx(want(args(0), 2, 2, '$ifEmpty()'));
        // n8n: undefined, null, '', an empty list or an empty object.
        return { tx: op(`(${paren(v)} == null || ${paren(v)} == '' || ${paren(v)} == [] || json(${v.src}) == '{}') ? ${paren(d)} : ${paren(v)}`), used: 1 };
      }
      case '$max':
      case '$min':
        return { tx: call(root.name.slice(1), tx(want(args(0), 1, 16, `${root.name}()`)), 'number'), used: 1 };
      case '$now':
      case 'DateTime': {
        let used = 0;
        if (root.name === 'DateTime') {
          if (k1 !== 'now' || !args(1) || args(1)!.length) return t.fail(root, 'date', 'only DateTime.now().toISO() is supported');
          used = 2;
        }
        const m = staticKey(segs[used]);
        if (m === undefined) return { tx: call('now', [], 'string'), used };
        if ((m === 'toISO' || m === 'toString' || m === 'toJSON') && args(used + 1)?.length === 0) return { tx: call('now', [], 'string'), used: used + 2 };
        return t.fail(root, 'date', `$now.${String(m)} (date arithmetic or formatting) is not supported; Catalyst has now() (an ISO-8601 UTC timestamp)`);
      }
      case '$today':
        return t.fail(root, 'date', '$today is not supported; Catalyst has now() (an ISO-8601 UTC timestamp)');
      case '$env': {
        const name = k1;
        if (typeof name !== 'string') return t.fail(root, 'env', '$env needs a literal name: $env.NAME');
        if (!/^[A-Z][A-Z0-9_]{0,127}$/.test(name)) return t.fail(root, 'env', `environment variable "${name}" is not UPPER_SNAKE_CASE, which Catalyst settings require`);
        return { tx: atom(t.scope.env(name)), used: 1 };
      }
      case '$workflow': {
        if (k1 === 'name') return { tx: litTx(t.scope.workflow.name), used: 1 };
        // An export without an id has never been saved in n8n (which gives it an id when imported):
        // it is our workflow's name, the id JavaScript nodes see.
        const id = t.scope.workflow.id || t.scope.workflow.ownName;
        if (k1 === 'id' && id) return { tx: litTx(id), used: 1 };
        if (k1 === 'active') return { tx: litTx(true), used: 1 };
        return t.fail(root, 'workflow-meta', `$workflow.${String(k1)} is not available`);
      }
      case '$runIndex':
      case '$itemIndex':
        return { tx: litTx(0), used: 0 };
      case '$execution':
        // The JavaScript node provides it ({id: the request id, mode: 'production'}).
        return t.fail(root, 'workflow-meta', '$execution (the run) has no translation');
      case '$prevNode':
      case '$vars':
      case '$secrets':
      case '$parameter':
      case '$position':
      case '$mode':
      case '$jmespath':
      case '$fromAI':
      case '$evaluateExpression':
      case '$getWorkflowStaticData':
        return t.fail(root, 'n8n-variable', `${root.name} is n8n-specific and has no Catalyst equivalent`);
      case 'undefined':
        return { tx: NULL, used: 0 };
      case 'items':
        return t.fail(root, 'items', '`items` is the list of all items; a Catalyst workflow handles one item');
      default:
        if (JS_GLOBALS.has(root.name)) return t.fail(root, 'js-global', `${root.name} is JavaScript the translator does not translate`);
        return t.fail(root, 'unknown-variable', `unknown variable "${root.name}"`);
    }
    return t.fail(root, 'unsupported-call', `${root.name}.${String(k1)} is not supported`);
  }
  if (root.type === 'New') {
    const callee = root.callee;
    if (callee.type === 'Identifier' && callee.name === 'Date' && root.args.length === 0) {
      const m = staticKey(segs[0]);
      if ((m === 'toISOString' || m === 'toJSON') && args(1)?.length === 0) return { tx: call('now', [], 'string'), used: 2 };
    }
    return t.fail(root, 'date', 'dates (new Date(…)) are only supported as new Date().toISOString(), which becomes now()');
  }
  return { tx: t.primary(root), used: 0 };
}
