/**
 * n8n JavaScript that runs as JavaScript in the generated app (the `javascript` node): Code nodes, and
 * the expressions the translator cannot turn into our expression language. Both are parsed with acorn
 * here and reference-checked: the nodes they read (`$('Name')`, `$node["Name"]`) must run before, the
 * settings they read (`$env.NAME`) are declared, and n8n features the app cannot provide are refused
 * with the reason instead of failing at run time.
 */
import { parse, parseExpressionAt, type Node as AcornNode } from 'acorn';
import { JS_PARSE_OPTIONS } from '../definitions/javascript.ts';
import type { NodeOut } from './context.ts';
import type { ExprScope } from './expr.ts';
import { Unsupported, unsupported } from './issues.ts';
import type { Tx, View } from './views.ts';

/** `$`-names the JavaScript node provides (see catalyst_runtime/js.py). */
const PROVIDED = new Set(['$input', '$json', '$', '$node', '$env', '$now', '$today', '$workflow', '$execution', '$item', '$itemIndex', '$runIndex']);
/** What each unavailable n8n name is, for the refusal. */
const REFUSED: Record<string, [string, string]> = {
  $binary: ['binary', 'binary data ($binary) is not available'],
  $vars: ['workflow-meta', 'n8n variables ($vars) are not available'],
  $prevNode: ['workflow-meta', '$prevNode is not available'],
  $getWorkflowStaticData: ['workflow-meta', 'workflow static data is not available (a Catalyst run keeps no state between runs)'],
  $items: ['items', '$items() is not available in JavaScript nodes; use $("Node").all()'],
  $jmespath: ['function', '$jmespath() is not available'],
  $evaluateExpression: ['function', '$evaluateExpression() is not available'],
  $fromAI: ['function', '$fromAI() is not available'],
  $secrets: ['credential-type', 'n8n external secrets are not available'],
  fetch: ['code-io', 'fetch is not available: JavaScript nodes have no network'],
  process: ['code-io', 'process is not available in JavaScript nodes'],
  Buffer: ['code-io', 'Buffer (a Node.js API) is not available in JavaScript nodes'],
  setTimeout: ['code-io', 'timers are not available in JavaScript nodes'],
  setInterval: ['code-io', 'timers are not available in JavaScript nodes'],
};
/**
 * n8n's extension methods that expressions run as JavaScript can call: each call is rewritten to the
 * app's implementation (catalyst_runtime/n8n_extensions.js), as n8n rewrites its expressions.
 */
export const EXTENSION_METHODS = new Set([
  'toSentenceCase', 'toTitleCase', 'toSnakeCase', 'urlEncode', 'urlDecode', 'base64Encode', 'base64Decode', 'isEmail', 'isUrl', 'isDomain',
  'isNumeric', 'extractEmail', 'extractUrl', 'extractDomain', 'removeTags', 'quote', 'parseJson', 'isEmpty', 'isNotEmpty', 'toJsonString', 'keys', 'values',
  'hasField', 'first', 'last', 'reverse', 'sum', 'min', 'max', 'average', 'pluck', 'chunk', 'round', 'floor', 'ceil', 'abs', 'isInteger', 'isEven', 'isOdd',
]);
/** Extension method names JavaScript has too (`$input.first()`, `Math.max()`, `Object.keys()`): Code nodes may call them. */
const JS_NAMES = new Set(['first', 'last', 'keys', 'values', 'reverse', 'min', 'max', 'round', 'floor', 'ceil', 'abs', 'isInteger']);
/** n8n's other extension methods (not JavaScript): refused where they are called, rather than failing at run time. */
const N8N_METHODS = new Set([
  'toDateTime', 'toNumber', 'toBoolean', 'extractUrlPath', 'removeDuplicates', 'compact', 'toInt', 'toFloat', 'randomItem', 'smartJoin', 'renameKeys', 'removeField', 'removeFieldsContaining',
  'keepFieldsContaining', 'merge', 'replaceSpecialChars', 'difference', 'intersection', 'union', 'unique', 'beginningOf', 'endOfMonth',
  'isBetween', 'isInLast', 'removeMarkdown', 'toDecimalNumber', 'toWholeNumber', 'isDst', 'isWeekend', 'diffToNow', 'diffTo', 'mergeIntoObject', 'hash', 'toDate', 'extract', 'append',
]);

interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function walk(node: unknown, visit: (n: AstNode, parent: AstNode | undefined) => void, parent?: AstNode): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit, parent);
    return;
  }
  if (!node || typeof node !== 'object' || typeof (node as AstNode).type !== 'string') return;
  visit(node as AstNode, parent);
  for (const [k, v] of Object.entries(node)) if (k !== 'loc' && v && typeof v === 'object') walk(v, visit, node as AstNode);
}

/**
 * n8n's expression-only helpers (not in Code nodes), defined before the expressions that use them, as
 * n8n defines them.
 */
const EXPRESSION_HELPERS: Record<string, string> = {
  $ifEmpty:
    'const $ifEmpty = (value, defaultValue) => (value === undefined || value === null || value === \'\' || (Array.isArray(value) && value.length === 0) || (typeof value === \'object\' && Object.keys(value).length === 0) ? defaultValue : value);',
  $if: 'const $if = (condition, valueIfTrue, valueIfFalse) => (condition ? valueIfTrue : valueIfFalse);',
};

export interface JsRefs {
  nodes: string[];
  env: string[];
  /** The expression helpers it uses (EXPRESSION_HELPERS; only expressions may). */
  helpers?: string[];
  /** The code reads the current item ($json, $input, items, $item). */
  item: boolean;
}

const strOf = (n: unknown): string | undefined => {
  const x = n as AstNode | undefined;
  if (x?.type === 'Literal' && typeof x.value === 'string') return x.value;
  if (x?.type === 'TemplateLiteral' && (x.expressions as unknown[]).length === 0) return ((x.quasis as { value: { cooked: string } }[])[0]).value.cooked;
  return undefined;
};

/** The references of parsed n8n JavaScript; throws Unsupported for what the app cannot provide. */
export function jsRefs(ast: AcornNode, what: string, expression = false): JsRefs {
  const nodes = new Set<string>();
  const env = new Set<string>();
  const helpers = new Set<string>();
  let item = false;
  const declared = new Set<string>();
  walk(ast, (n) => {
    if ((n.type === 'VariableDeclarator' || n.type === 'FunctionDeclaration') && (n.id as AstNode | null)?.type === 'Identifier') declared.add((n.id as unknown as { name: string }).name);
  });
  walk(ast, (n, parent) => {
    if (n.type === 'ThisExpression') unsupported('code-this', `${what} uses \`this\` (n8n's helpers such as this.helpers.httpRequest are not available)`);
    if (n.type === 'ImportExpression') unsupported('code-module', `${what} loads a module, which JavaScript nodes cannot`);
    if (n.type === 'CallExpression') {
      const callee = n.callee as AstNode;
      if (callee.type === 'MemberExpression' && !callee.computed) {
        const name = (callee.property as unknown as { name: string }).name;
        if (N8N_METHODS.has(name) || (!expression && EXTENSION_METHODS.has(name) && !JS_NAMES.has(name))) unsupported('n8n-method', `${what} calls .${name}(), an n8n extension method that plain JavaScript does not have`);
      }
      if (callee.type === 'Identifier' && (callee as unknown as { name: string }).name === 'require' && !declared.has('require')) {
        const mod = strOf((n.arguments as unknown[])[0]);
        if (mod !== 'crypto' && mod !== 'node:crypto') unsupported('code-module', `${what} loads the module ${mod === undefined ? '(computed name)' : JSON.stringify(mod)}: JavaScript nodes have no network, file system or modules except crypto (createHash, createHmac for sha1/sha256)`);
      }
      if (callee.type === 'Identifier' && (callee as unknown as { name: string }).name === '$') {
        const name = strOf((n.arguments as unknown[])[0]);
        if (name === undefined) unsupported('node-ref', `${what} reads a node chosen at run time ($(…) with a computed name)`);
        nodes.add(name);
      }
    }
    if (n.type === 'MemberExpression') {
      const obj = n.object as AstNode & { name?: string };
      if (obj.type === 'Identifier' && obj.name === '$node') {
        const name = n.computed ? strOf(n.property) : (n.property as unknown as { name: string }).name;
        if (name === undefined) unsupported('node-ref', `${what} reads $node[…] with a computed name`);
        nodes.add(name);
      }
      if (obj.type === 'Identifier' && obj.name === '$env') {
        const name = n.computed ? strOf(n.property) : (n.property as unknown as { name: string }).name;
        if (name === undefined) unsupported('env', `${what} reads $env[…] with a computed name`);
        env.add(name);
      }
    }
    if (n.type !== 'Identifier') return;
    const name = (n as unknown as { name: string }).name;
    const p = parent;
    if (p && ((p.type === 'MemberExpression' && p.property === n && !p.computed) || (p.type === 'Property' && p.key === n && !p.computed && p.value !== n))) return;
    if (declared.has(name)) return;
    if (name === 'require') {
      if (p?.type === 'CallExpression' && p.callee === n) return;
      unsupported('code-module', `${what} uses require other than require('crypto')`);
    }
    if (name === '$json' || name === '$input' || name === 'items' || name === '$item') item = true;
    if (Object.hasOwn(REFUSED, name)) {
      const [code, reason] = REFUSED[name];
      unsupported(code, `${what}: ${reason}`);
    }
    if (expression && Object.hasOwn(EXPRESSION_HELPERS, name)) {
      helpers.add(name);
      return;
    }
    if (name.startsWith('$') && !PROVIDED.has(name)) unsupported('unknown-variable', `${what} uses ${name}, which Catalyst does not provide (available: ${[...PROVIDED].join(', ')})`);
    if (name === '$env' && !(p?.type === 'MemberExpression' && p.object === n)) unsupported('env', `${what} reads the whole $env`);
  });
  return { nodes: [...nodes].sort(), env: [...env].sort(), item, helpers: [...helpers].sort() };
}

function parseOrRefuse<T>(f: () => T, what: string, source: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SyntaxError) throw new Unsupported('syntax', `${what} does not parse as JavaScript: ${e.message}`, { expression: source.length > 200 ? `${source.slice(0, 197)}…` : source });
    throw e;
  }
}

/** The item a JavaScript node receives as $json: the view's value (a webhook's item is rebuilt from `input`). */
export function itemValue(view: View | undefined): unknown {
  if (!view) return {};
  return view.jsValue ? view.jsValue() : view.value();
}

/** Luxon methods that give a DateTime, for following a chain from `$now`, `$today` or `DateTime`. */
const DATETIME_METHODS = new Set(['now', 'local', 'utc', 'fromISO', 'fromJSDate', 'fromMillis', 'fromSeconds', 'fromFormat', 'fromSQL', 'fromObject', 'plus', 'minus', 'set', 'setZone', 'setLocale', 'startOf', 'endOf', 'toLocal', 'toUTC', 'reconfigure']);

function isDateTime(n: AstNode): boolean {
  if (n.type === 'Identifier') return n.name === '$now' || n.name === '$today';
  if (n.type !== 'CallExpression') return false;
  const callee = n.callee as AstNode;
  if (callee.type !== 'MemberExpression' || callee.computed) return false;
  const method = (callee.property as AstNode).name as string;
  const obj = callee.object as AstNode;
  if (obj.type === 'Identifier' && obj.name === 'DateTime') return DATETIME_METHODS.has(method);
  return DATETIME_METHODS.has(method) && isDateTime(obj);
}

/**
 * n8n expressions extend DateTime with `format(fmt)` (Luxon's `toFormat`; n8n Code nodes do not have it):
 * `x.format(` on a DateTime from `$now`, `$today` or `DateTime.…()` is rewritten to `x.toFormat(`.
 */
export function dateTimeFormat(js: string, ast: AcornNode): string {
  const at: number[] = [];
  walk(ast, (n) => {
    if (n.type !== 'CallExpression') return;
    const callee = n.callee as AstNode;
    if (callee.type === 'MemberExpression' && !callee.computed && (callee.property as AstNode).name === 'format' && isDateTime(callee.object as AstNode)) at.push((callee.property as AstNode).start);
  });
  for (const i of at.sort((a, b) => b - a)) js = `${js.slice(0, i)}toFormat${js.slice(i + 'format'.length)}`;
  return js;
}

/** The links of an optional chain from `top` down to its base (a member or call below them is a link). */
function chainLinks(top: AstNode): { base: AstNode; links: AstNode[] } {
  const links: AstNode[] = [];
  let n = top;
  while (n.type === 'MemberExpression' || n.type === 'CallExpression') {
    links.unshift(n);
    n = (n.type === 'MemberExpression' ? n.object : n.callee) as AstNode;
  }
  return { base: n, links };
}

const isExtensionCallee = (n: AstNode): boolean => n.type === 'MemberExpression' && !n.computed && EXTENSION_METHODS.has((n.property as AstNode).name as string);

/**
 * n8n's extension method calls in an expression (`x.toTitleCase()`, `x?.quote("'")`) rewritten to
 * `__catalyst.ext(x, "toTitleCase", [])`, the app's implementation; nested calls are rewritten too.
 * An optional chain holding such a call keeps its short-circuit, as n8n's rewrite does: each `?.` link
 * tests its value once, `((__catalyst_v) => __catalyst_v == null ? undefined : <rest>)(<value>)`, so
 * `a?.b.toTitleCase().length` is undefined when `a` is null.
 */
export function extensionCalls(js: string): string {
  const ast = parseExpressionAt(js, 0, { ...JS_PARSE_OPTIONS, preserveParens: true });
  const targets: AstNode[] = [];
  walk(ast, (n) => {
    if (n.type === 'CallExpression' && isExtensionCallee(n.callee as AstNode)) targets.push(n);
    if (n.type === 'ChainExpression' && chainLinks(n.expression as AstNode).links.some((l) => l.type === 'CallExpression' && isExtensionCallee(l.callee as AstNode))) targets.push(n);
  });
  const rank = (n: AstNode) => (n.type === 'ChainExpression' ? 0 : 1);
  targets.sort((a, b) => a.start - b.start || b.end - a.end || rank(a) - rank(b));
  const argsOf = (call: AstNode): string => {
    const args = call.arguments as AstNode[];
    return args.length ? emit(args[0].start, args[args.length - 1].end) : '';
  };
  /** `links` applied to the value `cur` (their `?.` already tested). */
  const links = (cur: string, list: AstNode[]): string => {
    for (let i = 0; i < list.length; i++) {
      const l = list[i];
      const next = list[i + 1];
      if (l.type === 'MemberExpression' && next?.type === 'CallExpression' && next.callee === l && isExtensionCallee(l)) {
        cur = `__catalyst.ext(${cur}, ${JSON.stringify((l.property as AstNode).name)}, [${argsOf(next)}])`;
        i++;
      } else if (l.type === 'MemberExpression') {
        const p = l.property as AstNode;
        cur += l.computed ? `[${emit(p.start, p.end)}]` : `.${p.name as string}`;
      } else cur += `(${argsOf(l)})`;
    }
    return cur;
  };
  /** A chain up to `top`, split at its last `?.` link. */
  const chain = (top: AstNode): string => {
    const { base, links: list } = chainLinks(top);
    let k = list.length - 1;
    while (k >= 0 && !list[k].optional) k--;
    if (k < 0) return links(emit(base.start, base.end), list);
    const l = list[k];
    if (l.type === 'CallExpression') {
      unsupported('syntax', `the expression calls a function with ?.() in an optional chain that also uses n8n's extension methods; write the call without ?.`);
    }
    const tested = chain(l.object as AstNode);
    return `((__catalyst_v) => __catalyst_v == null ? undefined : ${links('__catalyst_v', list.slice(k))})(${tested})`;
  };
  const emit = (from: number, to: number): string => {
    let out = '';
    let at = from;
    for (const c of targets) {
      if (c.start < at || c.end > to) continue;
      if (c.type === 'ChainExpression') out += `${js.slice(at, c.start)}${chain(c.expression as AstNode)}`;
      else {
        const callee = c.callee as AstNode;
        const obj = callee.object as AstNode;
        out += `${js.slice(at, c.start)}__catalyst.ext(${emit(obj.start, obj.end)}, ${JSON.stringify((callee.property as AstNode).name)}, [${argsOf(c)}])`;
      }
      at = c.end;
    }
    return out + js.slice(at, to);
  };
  return emit(0, js.length);
}

/** The `javascript` node fields shared by Code nodes and expression nodes. */
function nodeFields(refs: JsRefs, scope: ExprScope, input: View | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (refs.item || input) out.item = itemValue(input);
  if (refs.nodes.length) out.nodes = Object.fromEntries(refs.nodes.map((name) => [name, itemValue(scope.node(name))]));
  if (refs.env.length) {
    for (const e of refs.env) scope.env(e);
    out.env = refs.env;
  }
  return out;
}

/** An n8n Code node (JavaScript) → our `javascript` node. */
export function codeNode(id: string, description: string, code: string, eachItem: boolean, scope: ExprScope, input: View | undefined): NodeOut {
  const what = 'the JavaScript code';
  const ast = parseOrRefuse(() => parse(code, JS_PARSE_OPTIONS), what, code);
  const refs = jsRefs(ast, what);
  return { id, type: 'javascript', description, mode: eachItem ? 'eachItem' : 'allItems', ...nodeFields(refs, scope, input), code };
}

/**
 * The expressions of one n8n node that run as JavaScript: each becomes a field of one `javascript` node
 * placed before the node's own nodes, and the expression reads that field.
 */
export class JsExpressions {
  private readonly exprs: string[] = [];
  private readonly nodes = new Set<string>();
  private readonly env = new Set<string>();
  private readonly helpers = new Set<string>();
  private id?: string;
  private readonly newId: () => string;
  private readonly scope: () => ExprScope;

  constructor(newId: () => string, scope: () => ExprScope) {
    this.newId = newId;
    this.scope = scope;
  }

  /** Check one expression and return ours for its value. */
  add(js: string): Tx {
    const what = 'the expression';
    const ast = parseOrRefuse(() => {
      const e = parseExpressionAt(js, 0, { ...JS_PARSE_OPTIONS, allowReturnOutsideFunction: false });
      if (js.slice(e.end).trim() !== '' && !/^;?\s*$/.test(js.slice(e.end))) throw new SyntaxError(`unexpected text after the expression: ${js.slice(e.end, e.end + 20)}`);
      return e;
    }, what, js);
    const refs = jsRefs(ast, what, true);
    js = extensionCalls(dateTimeFormat(js, ast));
    for (const n of refs.nodes) this.scope().node(n); // throws when it does not run before
    for (const h of refs.helpers ?? []) this.helpers.add(h);
    for (const n of refs.nodes) this.nodes.add(n);
    for (const e of refs.env) this.env.add(e);
    let k = this.exprs.indexOf(js);
    if (k === -1) k = this.exprs.push(js) - 1;
    this.id ??= this.newId();
    return { src: `nodes.${this.id}.e${k}`, kind: 'atom', type: 'unknown' };
  }

  /** The `javascript` node computing every expression added, if any. */
  node(n8nName: string, input: View | undefined): NodeOut | undefined {
    if (!this.id) return undefined;
    const refs: JsRefs = { nodes: [...this.nodes].sort(), env: [...this.env].sort(), item: true };
    const one = (e: string) => {
      const t = e.trim().replace(/;\s*$/, '');
      return /\/\/|\/\*/.test(t) ? `(${t}\n  )` : `(${t})`; // a trailing comment must not swallow the parenthesis
    };
    const helpers = [...this.helpers].sort().map((h) => `${EXPRESSION_HELPERS[h]}\n`).join('');
    const code = `${helpers}return {\n${this.exprs.map((e, i) => `  e${i}: ${one(e)},\n`).join('')}};\n`;
    return { id: this.id, type: 'javascript', description: `n8n: expressions of ${n8nName}, evaluated as JavaScript`.slice(0, 500), mode: 'eachItem', ...nodeFields(refs, this.scope(), input), code };
  }
}
