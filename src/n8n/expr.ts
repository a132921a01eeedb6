import { ExpressionError, parseExpression } from '../expressions/parse.ts';
import { Unsupported, unsupported } from './issues.ts';
import { JsSyntaxError, parseJs, splitN8nTemplate, type JsNode } from './jsparse.ts';
import { lit, NULL, path, type Key, type Tx, type View } from './views.ts';

/**
 * Translates n8n expressions (JavaScript inside `{{ … }}`) into our expression language. The supported
 * subset is listed in docs/n8n-import.md; everything else throws Unsupported with the reason.
 */

export interface ExprScope {
  /** The current item ($json): the output of the node connected to this node's input. */
  input?: View;
  /** The output of an earlier node, by n8n name; throws Unsupported when it does not always run before. */
  node(name: string): View;
  /** The parameters of an n8n node, for `$('X').params` / `$node["X"].parameter`. */
  params(name: string): Record<string, unknown> | undefined;
  workflow: { id?: string; name: string };
  /** Records a use of `$env.NAME`; returns our expression for it. */
  env(name: string): string;
  /** Evaluate an expression the translator cannot express as JavaScript in the app (where the node allows it). */
  js?(expression: string): Tx;
}

/** Refusals of the translator that running the expression as JavaScript resolves. */
const RUNS_AS_JS = new Set([
  'date', 'regex', 'function', 'spread', 'operator', 'method', 'object-literal', 'new', 'math', 'object-fn', 'json-indent', 'parse-int-radix',
  'substring', 'negative-index', 'call', 'optional-call', 'call-arity', 'unsupported-call', 'translation', 'syntax', 'items', 'workflow-meta', 'item-object',
]);

/** Translate, or (for what only JavaScript can express) run it as JavaScript when the scope allows. */
function orJs<T>(js: string, scope: ExprScope, translate: () => T, fromTx: (t: Tx) => T): T {
  try {
    return translate();
  } catch (err) {
    if (scope.js && err instanceof Unsupported && RUNS_AS_JS.has(err.code)) return fromTx(scope.js(js));
    throw err;
  }
}

const atom = (src: string, type: Tx['type'] = 'unknown'): Tx => ({ src, kind: 'atom', type });
const op = (src: string, type: Tx['type'] = 'unknown'): Tx => ({ src, kind: 'op', type });
const paren = (t: Tx): string => (t.kind === 'op' ? `(${t.src})` : t.src);
const call = (fn: string, args: Tx[], type: Tx['type'] = 'unknown'): Tx => atom(`${fn}(${args.map((a) => a.src).join(', ')})`, type);

function litTx(v: string | number | boolean | null): Tx {
  if (v === null) return NULL;
  if (typeof v === 'string') return atom(lit(v), 'string');
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) unsupported('number', `the number ${v} cannot be represented`);
    return v < 0 ? op(String(v), 'number') : atom(String(v), 'number');
  }
  return atom(String(v), 'boolean');
}

function describe(n: JsNode, src: string): string {
  const text = src.slice(n.start, n.end);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** `.replaceAll('"', '\\"')` or `.replace(/"/g, '\\"')`: escaping a value for JSON text by hand. */
function isQuoteEscape(a: JsNode, b: JsNode): boolean {
  const quote = (a.type === 'Literal' && a.value === '"') || (a.type === 'Regex' && a.pattern === '"' && a.flags.includes('g'));
  return quote && b.type === 'Literal' && b.value === '\\"';
}

function containsObject(n: JsNode): boolean {
  if (n.type === 'Object') return true;
  return n.type === 'Array' && n.elements.some(containsObject);
}

// ---------------------------------------------------------------- member chains

type Seg = { kind: 'member'; node: JsNode; computed: boolean; key: JsNode } | { kind: 'call'; node: JsNode; args: JsNode[]; optional: boolean };

/** Flatten a.b[c](d).e into a root and a list of segments. */
function flatten(n: JsNode): { root: JsNode; segs: Seg[] } {
  const segs: Seg[] = [];
  let cur = n;
  for (;;) {
    if (cur.type === 'Member') {
      segs.unshift({ kind: 'member', node: cur, computed: cur.computed, key: cur.property });
      cur = cur.object;
    } else if (cur.type === 'Call') {
      segs.unshift({ kind: 'call', node: cur, args: cur.args, optional: cur.optional });
      cur = cur.callee;
    } else return { root: cur, segs };
  }
}

function staticKey(s: Seg | undefined): Key | undefined {
  if (!s || s.kind !== 'member') return undefined;
  const k = s.key;
  if (k.type !== 'Literal') return undefined;
  if (typeof k.value === 'string') return k.value;
  if (typeof k.value === 'number' && Number.isInteger(k.value) && k.value >= 0) return k.value;
  return undefined;
}

function stringArg(n: JsNode | undefined): string | undefined {
  if (n?.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n?.type === 'Template' && n.exprs.length === 0) return n.quasis[0];
  return undefined;
}

class Translator {
  readonly scope: ExprScope;
  readonly src: string;
  /** Inside a JSON string: `.replaceAll('"', '\\"')` (escaping for JSON text) is not needed in our templates. */
  readonly jsonString: boolean;
  constructor(scope: ExprScope, src: string, jsonString = false) {
    this.scope = scope;
    this.src = src;
    this.jsonString = jsonString;
  }

  fail(n: JsNode, code: string, reason: string): never {
    return unsupported(code, `${reason} (in \`${describe(n, this.src)}\`)`);
  }

  /** An item view reached from a root pattern, with the segments after `.json`. */
  itemRoot(root: JsNode, segs: Seg[]): { view: View; rest: Seg[] } | { value: unknown; rest: Seg[] } | undefined {
    const sc = this.scope;
    const needInput = (): View => sc.input ?? this.fail(root, 'no-input', '$json is used in a node that has no input item');
    if (root.type !== 'Identifier') return undefined;
    const k = (i: number) => staticKey(segs[i]);
    const isCall = (i: number, argc = 0) => segs[i]?.kind === 'call' && (segs[i] as { args: JsNode[] }).args.length === argc;
    /** .item.json | .first().json | .last().json | .all()[0].json | .json → index after `json`. */
    const itemAccess = (i: number, what: string): number => {
      if (k(i) === 'item' && k(i + 1) === 'json') return i + 2;
      if (k(i) === 'json') return i + 1;
      if ((k(i) === 'first' || k(i) === 'last') && isCall(i + 1) && k(i + 2) === 'json') return i + 3;
      if ((k(i) === 'first' || k(i) === 'last') && isCall(i + 1, 1)) this.fail(root, 'items', `${what}.${String(k(i))}(n) reads several items; a Catalyst workflow handles one item`);
      if (k(i) === 'all' && isCall(i + 1) && k(i + 2) === 0 && k(i + 3) === 'json') return i + 4;
      if (k(i) === 'all') this.fail(root, 'items', `${what}.all() is the list of all items; a Catalyst workflow handles one item (use .first() or .item)`);
      if (k(i) === 'item' || k(i) === 'first' || k(i) === 'last') {
        if (k(i + (k(i) === 'item' ? 1 : 2)) === 'binary') this.fail(root, 'binary', 'binary data is not supported');
        this.fail(root, 'item-object', `${what}.${String(k(i))} without .json: only the item's JSON can be read`);
      }
      if (k(i) === 'isExecuted') return -2;
      if (k(i) === 'binary') this.fail(root, 'binary', 'binary data is not supported');
      if (k(i) === 'context' || k(i) === 'runIndex' || k(i) === 'pairedItem') this.fail(root, 'node-metadata', `${what}.${String(k(i))} is n8n execution metadata without a Catalyst equivalent`);
      return -1;
    };
    switch (root.name) {
      case '$json':
        return { view: needInput(), rest: segs };
      case '$binary':
        return this.fail(root, 'binary', 'binary data is not supported');
      case '$input': {
        const j = itemAccess(0, '$input');
        if (j < 0) return this.fail(root, 'input-access', 'use $input.item.json, $input.first().json or $input.last().json');
        return { view: needInput(), rest: segs.slice(j) };
      }
      case '$': {
        const first = segs[0];
        if (first?.kind !== 'call' || first.args.length !== 1) return this.fail(root, 'node-ref', "$() takes one node name: $('Node')");
        const name = stringArg(first.args[0]);
        if (name === undefined) return this.fail(root, 'node-ref', "$() needs a literal node name, e.g. $('Webhook')");
        return this.nodeAccess(root, name, segs, 1, itemAccess, `$('${name}')`);
      }
      case '$node': {
        const name = k(0);
        if (typeof name !== 'string') return this.fail(root, 'node-ref', '$node needs a literal node name, e.g. $node["Webhook"]');
        return this.nodeAccess(root, name, segs, 1, itemAccess, `$node["${name}"]`);
      }
      case '$items': {
        const first = segs[0];
        if (first?.kind !== 'call') return this.fail(root, 'items', '$items() reads several items; a Catalyst workflow handles one item');
        const name = first.args.length === 0 ? undefined : stringArg(first.args[0]);
        if (first.args.length > 1 || (first.args.length === 1 && name === undefined)) return this.fail(root, 'items', "only $items('Node')[0].json is supported");
        if (k(1) !== 0 || k(2) !== 'json') return this.fail(root, 'items', `$items(…) is the list of items; only $items(…)[0].json is supported`);
        return { view: name === undefined ? needInput() : sc.node(name), rest: segs.slice(3) };
      }
      case '$item': {
        const first = segs[0];
        if (first?.kind !== 'call' || first.args.length !== 1 || !(first.args[0].type === 'Literal' && first.args[0].value === 0)) {
          return this.fail(root, 'items', '$item(n) with n ≠ 0 reads another item; a Catalyst workflow handles one item');
        }
        if (k(1) === '$node' && typeof k(2) === 'string') return this.nodeAccess(root, k(2) as string, segs, 3, itemAccess, `$item(0).$node["${String(k(2))}"]`);
        if (k(1) === '$json') return { view: needInput(), rest: segs.slice(2) };
        return this.fail(root, 'items', 'only $item(0).$node["Node"].json and $item(0).$json are supported');
      }
      default:
        return undefined;
    }
  }

  private nodeAccess(
    root: JsNode,
    name: string,
    segs: Seg[],
    i: number,
    itemAccess: (i: number, what: string) => number,
    what: string,
  ): { view: View; rest: Seg[] } | { value: unknown; rest: Seg[] } {
    const k = (j: number) => staticKey(segs[j]);
    if (k(i) === 'params' || k(i) === 'parameter') {
      const params = this.scope.params(name);
      if (!params) return this.fail(root, 'node-ref', `there is no node "${name}"`);
      let v: unknown = params;
      let j = i + 1;
      for (; j < segs.length; j++) {
        const key = k(j);
        if (key === undefined) break;
        v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[String(key)] : undefined;
      }
      if (typeof v === 'string' && v.startsWith('=')) return this.fail(root, 'node-params', `${what}.params reads a parameter that is itself an expression`);
      if (v !== null && typeof v === 'object') return this.fail(root, 'node-params', `${what}.params must lead to a single value`);
      return { value: v ?? null, rest: segs.slice(j) };
    }
    const j = itemAccess(i, what);
    if (j === -2) {
      this.scope.node(name);
      return { value: true, rest: segs.slice(i + 1) };
    }
    if (j < 0) return this.fail(root, 'node-ref', `use ${what}.item.json, .first().json or .last().json`);
    return { view: this.scope.node(name), rest: segs.slice(j) };
  }

  /** Translate an expression that may be an item reference, a global call or a method chain. */
  chain(n: JsNode): Tx {
    const { root, segs } = flatten(n);
    const item = this.itemRoot(root, segs);
    let cur: Tx;
    let rest: Seg[];
    if (item && 'view' in item) {
      // Consume the static keys, then read them from the view in one go.
      const keys: Key[] = [];
      let i = 0;
      for (; i < item.rest.length; i++) {
        const key = staticKey(item.rest[i]);
        if (key === undefined) break;
        // `.length` and methods are not data keys.
        if (key === 'length' && !(item.rest[i] as { computed: boolean }).computed) break;
        if (item.rest[i + 1]?.kind === 'call') break;
        keys.push(key);
      }
      cur = keys.length === 0 ? item.view.whole() : item.view.at(keys);
      rest = item.rest.slice(i);
    } else if (item) {
      const v = item.value;
      cur = v === true || v === false || v === null || typeof v === 'number' || typeof v === 'string' ? litTx(v) : this.fail(root, 'node-params', 'unsupported parameter value');
      rest = item.rest;
    } else {
      const g = this.global(root, segs);
      cur = g.tx;
      rest = segs.slice(g.used);
    }
    for (let i = 0; i < rest.length; i++) {
      const s = rest[i];
      if (s.kind === 'call') this.fail(s.node, 'call', 'only the supported methods can be called');
      const name = !s.computed && s.key.type === 'Literal' ? String(s.key.value) : undefined;
      const next = rest[i + 1];
      if (name !== undefined && next?.kind === 'call') {
        if (next.optional) this.fail(next.node, 'optional-call', 'optional calls (?.()) are not supported');
        cur = this.method(s.node, cur, name, next.args);
        i++;
        continue;
      }
      if (name === 'length') {
        cur = call('len', [cur], 'number');
        continue;
      }
      if (s.computed) {
        const key = s.key.type === 'Literal' ? litTx(s.key.value) : this.expr(s.key);
        if (key.type === 'number' && key.src.startsWith('-')) this.fail(s.node, 'negative-index', 'negative indexes read undefined in JavaScript; write the index you mean');
        cur = atom(`${paren(cur)}[${key.src}]`);
      } else cur = atom(path(paren(cur), [name!]));
    }
    return cur;
  }

  /** A call or member access rooted at a global (JSON, Math, $now, String(…), …). Returns how many segments it used. */
  private global(root: JsNode, segs: Seg[]): { tx: Tx; used: number } {
    const args = (i: number): JsNode[] | undefined => (segs[i]?.kind === 'call' ? (segs[i] as { args: JsNode[] }).args : undefined);
    const want = (a: JsNode[] | undefined, min: number, max: number, what: string): JsNode[] => {
      if (!a || a.length < min || a.length > max) this.fail(root, 'call-arity', `${what} takes ${min === max ? min : `${min} to ${max}`} argument(s)`);
      return a!;
    };
    const tx = (a: JsNode[]) => a.map((x) => this.expr(x));
    if (root.type === 'Identifier') {
      const k1 = staticKey(segs[0]);
      switch (root.name) {
        case 'JSON': {
          const a = args(1);
          if (k1 === 'stringify') {
            const [v, ...extra] = want(a, 1, 3, 'JSON.stringify');
            if (extra.length) this.fail(root, 'json-indent', 'JSON.stringify with a replacer or indentation is not supported');
            return { tx: call('json', [this.expr(v)], 'string'), used: 2 };
          }
          if (k1 === 'parse') return { tx: call('parseJson', tx(want(a, 1, 1, 'JSON.parse'))), used: 2 };
          break;
        }
        case 'Math': {
          const a = args(1);
          const map: Record<string, string> = { abs: 'abs', round: 'round', max: 'max', min: 'min' };
          if (typeof k1 === 'string' && map[k1] && a) {
            if (k1 === 'round') return { tx: call('round', tx(want(a, 1, 1, 'Math.round')), 'number'), used: 2 };
            return { tx: call(map[k1], tx(want(a, 1, 16, `Math.${k1}`)), 'number'), used: 2 };
          }
          return this.fail(root, 'math', `Math.${String(k1)} is not supported (only abs, round, max, min)`);
        }
        case 'Object': {
          const a = args(1);
          if (k1 === 'keys') return { tx: call('keys', tx(want(a, 1, 1, 'Object.keys')), 'array'), used: 2 };
          if (k1 === 'values') return { tx: call('values', tx(want(a, 1, 1, 'Object.values')), 'array'), used: 2 };
          return this.fail(root, 'object-fn', `Object.${String(k1)} is not supported (only keys, values)`);
        }
        case 'String':
          return { tx: call('str', tx(want(args(0), 1, 1, 'String()')), 'string'), used: 1 };
        case 'Number':
        case 'parseFloat':
          return { tx: call('float', tx(want(args(0), 1, 1, `${root.name}()`)), 'number'), used: 1 };
        case 'parseInt': {
          const a = want(args(0), 1, 2, 'parseInt()');
          if (a[1] && !(a[1].type === 'Literal' && a[1].value === 10)) this.fail(root, 'parse-int-radix', 'parseInt with a radix other than 10 is not supported');
          return { tx: call('int', [this.expr(a[0])], 'number'), used: 1 };
        }
        case 'Boolean':
          return { tx: call('bool', tx(want(args(0), 1, 1, 'Boolean()')), 'boolean'), used: 1 };
        case '$if': {
          const [c, a, b] = tx(want(args(0), 3, 3, '$if()'));
          return { tx: op(`${paren(c)} ? ${paren(a)} : ${paren(b)}`), used: 1 };
        }
        case '$ifEmpty': {
          const [v, d] = tx(want(args(0), 2, 2, '$ifEmpty()'));
          return { tx: op(`(${paren(v)} == null || ${paren(v)} == '' || ${paren(v)} == []) ? ${paren(d)} : ${paren(v)}`), used: 1 };
        }
        case '$max':
        case '$min':
          return { tx: call(root.name.slice(1), tx(want(args(0), 1, 16, `${root.name}()`)), 'number'), used: 1 };
        case '$now':
        case 'DateTime': {
          let used = 0;
          if (root.name === 'DateTime') {
            if (k1 !== 'now' || !args(1) || args(1)!.length) return this.fail(root, 'date', 'only DateTime.now().toISO() is supported');
            used = 2;
          }
          const m = staticKey(segs[used]);
          if (m === undefined) return { tx: call('now', [], 'string'), used };
          if ((m === 'toISO' || m === 'toString' || m === 'toJSON') && args(used + 1)?.length === 0) return { tx: call('now', [], 'string'), used: used + 2 };
          return this.fail(root, 'date', `$now.${String(m)} (date arithmetic or formatting) is not supported; Catalyst has now() (an ISO-8601 UTC timestamp)`);
        }
        case '$today':
          return this.fail(root, 'date', '$today is not supported; Catalyst has now() (an ISO-8601 UTC timestamp)');
        case '$env': {
          const name = k1;
          if (typeof name !== 'string') return this.fail(root, 'env', '$env needs a literal name: $env.NAME');
          if (!/^[A-Z][A-Z0-9_]{0,127}$/.test(name)) return this.fail(root, 'env', `environment variable "${name}" is not UPPER_SNAKE_CASE, which Catalyst settings require`);
          return { tx: atom(this.scope.env(name)), used: 1 };
        }
        case '$workflow': {
          if (k1 === 'name') return { tx: litTx(this.scope.workflow.name), used: 1 };
          if (k1 === 'id' && this.scope.workflow.id) return { tx: litTx(this.scope.workflow.id), used: 1 };
          if (k1 === 'active') return { tx: litTx(true), used: 1 };
          return this.fail(root, 'workflow-meta', `$workflow.${String(k1)} is not available`);
        }
        case '$runIndex':
        case '$itemIndex':
          return { tx: litTx(0), used: 0 };
        case '$execution':
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
          return this.fail(root, 'n8n-variable', `${root.name} is n8n-specific and has no Catalyst equivalent`);
        case 'undefined':
          return { tx: NULL, used: 0 };
        case 'items':
          return this.fail(root, 'items', '`items` is the list of all items; a Catalyst workflow handles one item');
        default:
          return this.fail(root, 'unknown-variable', `unknown variable "${root.name}"`);
      }
      return this.fail(root, 'unsupported-call', `${root.name}.${String(k1)} is not supported`);
    }
    if (root.type === 'New') {
      const callee = root.callee;
      if (callee.type === 'Identifier' && callee.name === 'Date' && root.args.length === 0) {
        const m = staticKey(segs[0]);
        if ((m === 'toISOString' || m === 'toJSON') && args(1)?.length === 0) return { tx: call('now', [], 'string'), used: 2 };
      }
      return this.fail(root, 'date', 'dates (new Date(…)) are only supported as new Date().toISOString(), which becomes now()');
    }
    return { tx: this.primary(root), used: 0 };
  }

  /** Methods called on a value. */
  private method(n: JsNode, recv: Tx, name: string, argNodes: JsNode[]): Tx {
    const arity = (min: number, max = min) => {
      if (argNodes.length < min || argNodes.length > max) this.fail(n, 'call-arity', `.${name}() takes ${min === max ? min : `${min} to ${max}`} argument(s)`);
    };
    const noRegex = () => {
      if (argNodes.some((a) => a.type === 'Regex')) this.fail(n, 'regex', `.${name}() with a regular expression is not supported`);
    };
    const args = () => argNodes.map((a) => this.expr(a));
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
        if (this.jsonString && isQuoteEscape(argNodes[0], argNodes[1])) return recv;
        noRegex();
        if (argNodes[1].type === 'Arrow') this.fail(n, 'function', 'a replacement function cannot be translated');
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
          this.fail(n, 'substring', '.substring() is supported with literal non-negative indexes (start ≤ end) only; use .slice()');
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
        return this.fail(n, 'function', `.${name}() with a callback function cannot be translated`);
      case 'match':
      case 'test':
      case 'search':
      case 'matchAll':
        return this.fail(n, 'regex', `.${name}() uses regular expressions, which are not supported`);
      default:
        return this.fail(n, 'method', `.${name}() is not supported`);
    }
  }

  private primary(n: JsNode): Tx {
    switch (n.type) {
      case 'Literal':
        return litTx(n.value);
      case 'Array':
        return atom(`[${n.elements.map((e) => (e.type === 'Spread' ? this.fail(e, 'spread', 'spread (...) is not supported') : this.expr(e).src)).join(', ')}]`, 'array');
      case 'Template': {
        if (n.exprs.length === 0) return litTx(n.quasis[0]);
        const parts: Tx[] = [];
        n.quasis.forEach((q, i) => {
          if (q) parts.push(litTx(q));
          if (i < n.exprs.length) parts.push(this.expr(n.exprs[i]));
        });
        if (parts.length === 1) return call('str', parts, 'string');
        if (parts[0].type !== 'string') parts.unshift(litTx(''));
        return call('concat', parts, 'string');
      }
      case 'Regex':
        return this.fail(n, 'regex', 'regular expressions are not supported');
      case 'Object':
        return this.fail(n, 'object-literal', 'object literals are supported only as a whole parameter value');
      case 'Arrow':
        return this.fail(n, 'function', 'functions cannot be translated');
      case 'Assign':
        return this.fail(n, 'assignment', 'assignments cannot be translated (expressions must not change data)');
      case 'Spread':
        return this.fail(n, 'spread', 'spread (...) is not supported');
      case 'New':
        return this.fail(n, 'new', '`new` is not supported');
      case 'Identifier':
        return this.global(n, []).tx;
      /* c8 ignore next 2 */
      default:
        return this.fail(n, 'syntax', `unsupported syntax ${n.type}`);
    }
  }

  expr(n: JsNode): Tx {
    switch (n.type) {
      case 'Member':
      case 'Call':
      case 'Identifier':
        return this.chain(n);
      case 'New':
        return this.chain(n);
      case 'Unary': {
        const a = this.expr(n.argument);
        if (n.operator === '!') return op(`!${paren(a)}`, 'boolean');
        if (n.operator === '-') return op(`-${paren(a)}`, 'number');
        if (n.operator === '+') return call('float', [a], 'number');
        return this.fail(n, 'operator', `operator "${n.operator}" is not supported`);
      }
      case 'Binary': {
        const o = n.operator;
        const map: Record<string, string> = { '===': '==', '!==': '!=', '==': '==', '!=': '!=' };
        if (['+', '-', '*', '/', '%', '<', '<=', '>', '>=', '&&', '||', '??'].includes(o) || o in map) {
          const l = this.expr(n.left);
          const r = this.expr(n.right);
          const type: Tx['type'] = ['<', '<=', '>', '>=', '==', '!=', '===', '!=='].includes(o)
            ? 'boolean'
            : o === '+'
              ? l.type === 'string' || r.type === 'string'
                ? 'string'
                : l.type === 'number' && r.type === 'number'
                  ? 'number'
                  : 'unknown'
              : ['-', '*', '/', '%'].includes(o)
                ? 'number'
                : 'unknown';
          return op(`${paren(l)} ${map[o] ?? o} ${paren(r)}`, type);
        }
        return this.fail(n, 'operator', `operator "${o}" is not supported`);
      }
      case 'Conditional': {
        const t = this.expr(n.test);
        const a = this.expr(n.consequent);
        const b = this.expr(n.alternate);
        return op(`${paren(t)} ? ${paren(a)} : ${paren(b)}`, a.type === b.type ? a.type : 'unknown');
      }
      default:
        return this.primary(n);
    }
  }

  /** A whole parameter value: object literals become objects; a bare item reference becomes the item's value. */
  value(n: JsNode): unknown {
    if (n.type === 'Object') {
      const out: Record<string, unknown> = {};
      for (const p of n.props) {
        if ('spread' in p) return this.fail(n, 'spread', 'spread (...) in an object is not supported');
        out[p.key] = this.value(p.value);
      }
      return out;
    }
    if (n.type === 'Array' && containsObject(n)) {
      return n.elements.map((e) => (e.type === 'Spread' ? this.fail(e, 'spread', 'spread (...) is not supported') : this.value(e)));
    }
    if (n.type === 'Literal') return n.value;
    if (n.type === 'Call' && n.callee.type === 'Member' && n.callee.object.type === 'Identifier' && n.callee.object.name === 'JSON') {
      // fall through to expr()
    } else {
      const { root, segs } = flatten(n);
      const item = this.itemRoot(root, segs);
      if (item && 'view' in item && item.rest.length === 0) return item.view.value();
    }
    return `{{ ${this.expr(n).src} }}`;
  }
}

// ---------------------------------------------------------------- entry points

function checked(src: string, expression: string): string {
  try {
    parseExpression(src);
  } catch (err) {
    if (err instanceof ExpressionError) throw new Unsupported('translation', `the translation \`${src}\` is not a valid Catalyst expression: ${err.message}`, { expression });
    throw err;
  }
  return src;
}

function withExpression<T>(expression: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Unsupported) {
      err.expression ??= expression;
      throw err;
    }
    if (err instanceof JsSyntaxError) throw new Unsupported('syntax', `cannot parse the n8n expression: ${err.message}`, { expression });
    throw err;
  }
}

/** Translate one n8n expression (the JavaScript between `{{ }}`) to our expression source. */
export function translateExpression(js: string, scope: ExprScope, opts: { jsonString?: boolean } = {}): Tx {
  return orJs(
    js,
    scope,
    () =>
      withExpression(js, () => {
        const t = new Translator(scope, js, opts.jsonString).expr(parseJs(js));
        checked(t.src, js);
        return t;
      }),
    (t) => t,
  );
}

/** Translate one n8n expression used as a whole parameter value: may produce an object. */
export function translateValueExpression(js: string, scope: ExprScope): unknown {
  return orJs(
    js,
    scope,
    () =>
      withExpression(js, () => {
        const v = new Translator(scope, js).value(parseJs(js));
        checkValue(v, js);
        return v;
      }),
    (t) => `{{ ${t.src} }}`,
  );
}

function checkValue(v: unknown, js: string): void {
  if (typeof v === 'string' && v.startsWith('{{ ') && v.endsWith(' }}')) checked(v.slice(3, -3), js);
  else if (Array.isArray(v)) v.forEach((x) => checkValue(x, js));
  else if (v !== null && typeof v === 'object') Object.values(v).forEach((x) => checkValue(x, js));
}

/** True when an n8n parameter is exactly one expression reading a whole item (`={{ $json }}`, `={{ $('X').item.json }}`). */
export function isWholeItem(raw: unknown, scope: ExprScope): boolean {
  if (typeof raw !== 'string' || !raw.startsWith('=')) return false;
  try {
    const parts = splitN8nTemplate(raw.slice(1));
    if (parts.length !== 1 || !('expr' in parts[0])) return false;
    const { root, segs } = flatten(parseJs(parts[0].expr));
    const t = new Translator(scope, parts[0].expr);
    const item = t.itemRoot(root, segs);
    return !!item && 'view' in item && item.rest.length === 0;
  } catch {
    return false;
  }
}

/** Escape literal text for our templates: a literal `{{` is written `\{{`. */
export function escapeText(s: string): string {
  return s.replace(/\{\{/g, '\\{{');
}

/** True when an n8n parameter string is an expression (starts with `=`). */
export function isN8nExpression(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('=');
}

/**
 * Convert an n8n parameter value to our definition value. Strings starting with `=` are n8n templates:
 * text mixed with `{{ js }}`. A template that is exactly one expression keeps the expression's type (and
 * an object literal becomes an object). `want: 'string'` forces a text result.
 */
export function convertValue(raw: unknown, scope: ExprScope, want: 'any' | 'string' = 'any'): unknown {
  if (typeof raw !== 'string') return raw === undefined ? null : raw;
  if (!raw.startsWith('=')) return escapeText(raw);
  const text = raw.slice(1);
  let parts: ReturnType<typeof splitN8nTemplate>;
  try {
    parts = splitN8nTemplate(text);
  } catch (err) {
    if (err instanceof JsSyntaxError) throw new Unsupported('syntax', `cannot parse the n8n expression: ${err.message}`, { expression: raw });
    throw err;
  }
  const exprs = parts.filter((p) => 'expr' in p);
  if (exprs.length === 0) return escapeText(text);
  if (parts.length === 1 && 'expr' in parts[0]) {
    const js = parts[0].expr;
    if (want === 'string') {
      const t = translateExpression(js, scope);
      return t.type === 'string' ? `{{ ${t.src} }}` : `{{ str(${t.src}) }}`;
    }
    return translateValueExpression(js, scope);
  }
  let out = '';
  for (const p of parts) {
    if ('text' in p) out += escapeText(p.text);
    else {
      if (out.endsWith('\\')) throw new Unsupported('template', 'a backslash directly before {{ cannot be represented', { expression: raw });
      out += `{{ ${translateExpression(p.expr, scope).src} }}`;
    }
  }
  return out;
}

/** The expression (as a Tx) for a parameter used inside a larger expression (conditions, comparisons). */
export function convertToTx(raw: unknown, scope: ExprScope): Tx {
  if (raw === undefined || raw === null) return NULL;
  if (typeof raw === 'number' || typeof raw === 'boolean') return litTx(raw);
  if (typeof raw !== 'string') return unsupported('value', `unsupported parameter value ${JSON.stringify(raw).slice(0, 40)}`);
  if (!raw.startsWith('=')) return litTx(raw);
  let parts: ReturnType<typeof splitN8nTemplate>;
  try {
    parts = splitN8nTemplate(raw.slice(1));
  } catch (err) {
    if (err instanceof JsSyntaxError) throw new Unsupported('syntax', `cannot parse the n8n expression: ${err.message}`, { expression: raw });
    throw err;
  }
  if (parts.length === 1 && 'text' in parts[0]) return litTx(parts[0].text);
  if (parts.length === 1 && 'expr' in parts[0]) return translateExpression(parts[0].expr, scope);
  const txs = parts.map((p) => ('text' in p ? litTx(p.text) : translateExpression(p.expr, scope)));
  if (txs[0].type !== 'string') txs.unshift(litTx(''));
  return call('concat', txs, 'string');
}

export { litTx };
