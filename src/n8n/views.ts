import { HEADER_NAME, HOP_BY_HOP_HEADERS } from '../definitions/schema.ts';
import type { NodeEnv, NodeOut } from './context.ts';
import { unsupported } from './issues.ts';

/**
 * Item semantics. An n8n node outputs a list of items and `$json` is "the current item". Catalyst runs each
 * node once on one object, so an imported workflow handles exactly one item: `$json` is the single item
 * the previous node produced. A View says how that item is read in our expression language, because our
 * nodes' outputs are not always shaped like n8n's items (e.g. our httpRequest outputs {status, headers,
 * body} where n8n's item is the parsed body; the webhook item {headers, query, body} is our `input`).
 */

export type Key = string | number;

/** A translated expression in our language, with what the translator knows about it. */
export interface Tx {
  src: string;
  /** atom: usable as an operand or member receiver as is; op: needs parentheses there. */
  kind: 'atom' | 'op';
  type: 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'unknown';
}

export interface View {
  /** For messages, e.g. `the output of HTTP node "Fetch"`. */
  label: string;
  /** The expression for a static path inside the item. */
  at(path: Key[]): Tx;
  /** The expression for the whole item (inside a larger expression). */
  whole(): Tx;
  /** The whole item as a definition value (an expression string, or an object of them). */
  value(): unknown;
  /** The whole item as a JavaScript node receives it, where that differs from value() (the webhook's item). */
  jsValue?(): unknown;
  /** Top-level keys, when statically known (lets a Set node that keeps other fields copy them). */
  keys?: string[];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['true', 'false', 'null', 'this', 'undefined', 'new', 'typeof', 'in', 'instanceof']);

/** A string literal in our expression language. */
export function lit(s: string): string {
  let out = "'";
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return `${out}'`;
}

/** `base` followed by member accesses for each key. */
export function path(base: string, keys: readonly Key[]): string {
  let out = base;
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (IDENT.test(k) && !RESERVED.has(k)) out += `.${k}`;
    else out += `[${lit(k)}]`;
  }
  return out;
}

export function ref(base: string, keys: readonly Key[]): Tx {
  return { src: path(base, keys), kind: 'atom', type: 'unknown' };
}

export const NULL: Tx = { src: 'null', kind: 'atom', type: 'null' };

/** A node output read as is: nodes.<id> (or `input` for a called workflow's trigger). */
export function baseView(label: string, base: string, keys?: string[]): View {
  return {
    label,
    at: (p) => ref(base, p),
    whole: () => ref(base, []),
    value: () => `{{ ${ref(base, []).src} }}`,
    keys,
  };
}

/**
 * The webhook trigger's item {headers, params, query, body}: our `input` is the body (or the query for
 * GET/DELETE); `headers.<name>` is the request header, read as `request.headers.<name>` and collected
 * into `headers` (the trigger declares them). n8n's header names are lower case (Node.js lower-cases
 * them), so `headers["X-Foo"]` reads undefined there, and null here.
 */
export function webhookView(method: string, headers: Set<string> = new Set()): View {
  const queryInput = method === 'GET' || method === 'DELETE';
  const noWhole = (): never =>
    unsupported('webhook-item', 'the whole webhook item ({headers, params, query, body}) has no Catalyst equivalent; read fields of $json.body (or $json.query for GET) instead');
  return {
    label: 'the webhook request',
    at: (p) => {
      const [head, ...rest] = p;
      if (head === 'body') {
        if (queryInput) return NULL; // n8n: a GET request's body is {}
        return ref('input', rest);
      }
      if (head === 'query') {
        if (!queryInput) unsupported('webhook-query', `query-string parameters of a ${method} request are not available to a Catalyst workflow (its input is the JSON body)`);
        return ref('input', rest);
      }
      if (head === 'headers') return headerRef(rest, headers);
      if (head === 'params') unsupported('webhook-params', 'URL path parameters are not supported by Catalyst webhook triggers');
      if (head === undefined) return noWhole();
      if (head === 'webhookUrl' || head === 'executionMode') return unsupported('webhook-item', `the webhook item's "${head}" is n8n-specific and not available`);
      return NULL; // n8n: the webhook item has no such field (undefined)
    },
    whole: noWhole,
    value: noWhole,
    // A JavaScript node sees the headers the workflow declares (see noteJsHeaders); path parameters are not available
    jsValue: () => ({ headers: REQUEST_HEADERS, params: {}, query: queryInput ? '{{ input }}' : {}, body: queryInput ? {} : '{{ input }}' }),
  };
}

/** What a JavaScript node receives as the webhook item's `headers`: the declared request headers. */
export const REQUEST_HEADERS = '{{ request.headers }}';

/** `headers.<name>…` of the webhook item. */
function headerRef(rest: Key[], headers: Set<string>): Tx {
  const [name, ...more] = rest;
  if (name === undefined) {
    return unsupported('webhook-headers', 'the whole request headers object cannot be read: a Catalyst workflow receives only the headers it declares; read one header, e.g. $json.headers.authorization');
  }
  // Node.js lower-cases header names: any other spelling, or a name no header can have, is undefined in n8n.
  if (typeof name !== 'string' || name !== name.toLowerCase() || !HEADER_NAME.test(name)) return NULL;
  if (HOP_BY_HOP_HEADERS.includes(name)) return unsupported('webhook-headers', `the request header "${name}" describes the connection (hop-by-hop), which a Catalyst workflow cannot read`);
  if (more.length) return unsupported('webhook-headers', `request header "${name}" is text; reading ${[name, ...more].join('.')} inside it is not supported`);
  headers.add(name);
  return { src: path('request.headers', [name]), kind: 'atom', type: 'unknown' };
}

/** Our httpRequest output {status, headers, body} seen as n8n's item. */
export function httpView(id: string, name: string, opts: { fullResponse: boolean; textProperty?: string }): View {
  const base = `nodes.${id}`;
  const label = `the output of HTTP node "${name}"`;
  if (opts.fullResponse) {
    const at = (p: Key[]): Tx => {
      const [head, ...rest] = p;
      if (head === 'body') return ref(`${base}.body`, rest);
      if (head === 'headers') return ref(`${base}.headers`, rest);
      if (head === 'statusCode') return ref(`${base}.status`, rest);
      if (head === 'statusMessage') return unsupported('http-status-message', 'the HTTP status message is not available (Catalyst keeps the status code: statusCode)');
      return NULL;
    };
    return {
      label,
      at,
      whole: () => unsupported('http-full-response', `the whole full response of HTTP node "${name}" cannot be read as one value; read its body, headers or statusCode`),
      value: () => ({ body: `{{ ${base}.body }}`, headers: `{{ ${base}.headers }}`, statusCode: `{{ ${base}.status }}` }),
      keys: ['body', 'headers', 'statusCode'],
    };
  }
  if (opts.textProperty !== undefined) {
    const prop = opts.textProperty;
    return {
      label,
      at: (p) => (p[0] === prop ? ref(`${base}.body`, p.slice(1)) : NULL),
      whole: () => unsupported('http-text-item', `the whole item of HTTP node "${name}" ({${prop}: text}) cannot be read as one value; read $json.${prop}`),
      value: () => ({ [prop]: `{{ ${base}.body }}` }),
      keys: [prop],
    };
  }
  return { label, at: (p) => ref(`${base}.body`, p), whole: () => ref(`${base}.body`, []), value: () => `{{ ${base}.body }}` };
}

/** Our llm output {text, …} seen as n8n's chainLlm item {text} or OpenAI message item {message: {content}}. */
export function llmView(id: string, name: string, shape: 'chain' | 'message'): View {
  const base = `nodes.${id}`;
  if (shape === 'chain') {
    return {
      label: `the output of LLM node "${name}"`,
      at: (p) => (p[0] === 'text' ? ref(`${base}.text`, p.slice(1)) : NULL),
      whole: () => unsupported('llm-item', `the whole item of LLM node "${name}" cannot be read as one value; read $json.text`),
      value: () => ({ text: `{{ ${base}.text }}` }),
      keys: ['text'],
    };
  }
  return {
    label: `the output of OpenAI node "${name}"`,
    at: (p) => {
      if (p[0] === 'message' && p[1] === 'content') return ref(`${base}.text`, p.slice(2));
      if (p[0] === 'message' && p[1] === 'role' && p.length === 2) return { src: lit('assistant'), kind: 'atom', type: 'string' };
      return unsupported('llm-item', `OpenAI node "${name}": only $json.message.content (the reply text) is available, not ${p.map(String).join('.') || 'the whole item'}`);
    },
    whole: () => unsupported('llm-item', `the whole item of OpenAI node "${name}" cannot be read as one value; read $json.message.content`),
    value: () => ({ message: { role: 'assistant', content: `{{ ${base}.text }}` } }),
    keys: ['message'],
  };
}

/**
 * A Set node's output. `tree` holds the fields it sets (nested by dot notation); leaves are read from our
 * transform node's output. With `parent` (n8n "include other input fields"), paths the tree does not set
 * read through to the input item.
 */
export type Tree = Map<string | number, Tree | 'leaf'>;

export function overlayView(id: string, name: string, tree: Tree, parent?: View): View {
  const base = `nodes.${id}`;
  const label = `the output of Set node "${name}"`;
  const at = (p: Key[]): Tx => {
    let t: Tree | 'leaf' = tree;
    for (let i = 0; i < p.length; i++) {
      if (t === 'leaf') return ref(base, p);
      const next: Tree | 'leaf' | undefined = t.get(p[i]);
      if (next === undefined) return parent ? parent.at(p) : NULL;
      t = next;
    }
    if (t === 'leaf' || !parent) return ref(base, p);
    return unsupported('set-partial-object', `${label}: "${p.map(String).join('.')}" mixes fields this node sets with fields it keeps from its input, which cannot be read as one value`);
  };
  const whole = (): Tx =>
    parent ? unsupported('set-include-other', `${label} keeps the other fields of its input (unknown here), so the whole item cannot be read as one value; read its fields instead`) : ref(base, []);
  return {
    label,
    at,
    whole,
    value: () => `{{ ${whole().src} }}`,
    // A JavaScript node receives the input's item with the fields this node sets laid over it, where the
    // input's item has a known shape (e.g. the webhook's {headers, params, query, body}).
    ...(parent ? { jsValue: () => overlayJs(parent.jsValue ? parent.jsValue() : parent.value(), tree, base, [], whole) } : {}),
    keys: parent ? undefined : [...tree.keys()].filter((k): k is string => typeof k === 'string'),
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `under` (a definition value of known shape) with the fields of `tree` (read from `base`) set over it. */
function overlayJs(under: unknown, tree: Tree, base: string, at: Key[], unknownShape: () => Tx): unknown {
  if (under !== undefined && !isPlainObject(under)) return unknownShape();
  const out: Record<string, unknown> = { ...(under ?? {}) };
  for (const [k, t] of tree) {
    if (typeof k !== 'string') return unknownShape();
    out[k] = t === 'leaf' ? `{{ ${path(base, [...at, k])} }}` : overlayJs(out[k], t, base, [...at, k], unknownShape);
  }
  return out;
}

/**
 * A JavaScript node (a Code node, or expressions run as JavaScript) that receives the webhook item sees
 * the request headers the workflow declares. The headers it reads by name (`.headers.authorization`,
 * `.headers['x-signature']`) are declared for it; if it reads them any other way (the whole object, a
 * computed name), what it sees can differ from n8n, which gives it every header: a warning says so.
 */
export function noteJsHeaders(node: NodeOut, env: Pick<NodeEnv, 'wf' | 'issue'>, parameter?: string): void {
  const headers = env.wf.headers;
  const code = node.code;
  if (!headers || typeof code !== 'string' || !JSON.stringify(node).includes(REQUEST_HEADERS)) return;
  const uses = code.match(/\bheaders\b/g)?.length ?? 0;
  let named = 0;
  // `.headers.<name>` (not a method call such as headers.get(…)) or `.headers['<name>']` (no `${…}` inside)
  for (const m of code.matchAll(/\bheaders\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)(?![\w$])(?!\s*(?:\?\.\s*)?\()|\bheaders\s*(?:\?\.)?\[\s*(['"`])([^'"`\\]+)\2\s*\]/g)) {
    const name = m[1] ?? m[3];
    if ((m[2] === '`' && name.includes('${')) || !HEADER_NAME.test(name)) continue; // not a name: the warning below
    named++;
    // Node.js lower-cases header names: another spelling reads undefined in n8n too.
    if (name === name.toLowerCase() && !HOP_BY_HOP_HEADERS.includes(name)) headers.add(name);
  }
  if (uses > named) {
    env.issue('warning', 'webhook-headers', `the JavaScript reads request headers other than by name (.headers.<name>); it sees only the headers the workflow declares (${[...headers].sort().join(', ') || 'none'}), where n8n gives it every header`, parameter ? { parameter } : {});
  }
}
