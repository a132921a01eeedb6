/**
 * The pieces the n8n expression translator is built from: translated expressions (Tx) and how to make
 * them, member chains flattened into segments, and the context every part of the translator works in.
 */
import { unsupported } from '../issues.ts';
import type { JsNode } from '../jsparse.ts';
import { lit, NULL, type Key, type Tx, type View } from '../views.ts';

export interface ExprScope {
  /** The current item ($json): the output of the node connected to this node's input. */
  input?: View;
  /** The output of an earlier node, by n8n name; throws Unsupported when it does not always run before. */
  node(name: string): View;
  /** The parameters of an n8n node, for `$('X').params` / `$node["X"].parameter`. */
  params(name: string): Record<string, unknown> | undefined;
  /** The n8n workflow's id and name, and our workflow's name ($workflow.id of an export without an id). */
  workflow: { id?: string; name: string; ownName?: string };
  /** Records a use of `$env.NAME`; returns our expression for it. */
  env(name: string): string;
  /** Evaluate an expression the translator cannot express as JavaScript in the app (where the node allows it). */
  js?(expression: string): Tx;
}

/** What the parts of the translator (items, globals, methods) need from it. */
export interface Ctx {
  readonly scope: ExprScope;
  readonly src: string;
  /** Inside a JSON string: `.replaceAll('"', '\\"')` (escaping for JSON text) is not needed in our templates. */
  readonly jsonString: boolean;
  fail(n: JsNode, code: string, reason: string): never;
  expr(n: JsNode): Tx;
  primary(n: JsNode): Tx;
}

export const atom = (src: string, type: Tx['type'] = 'unknown'): Tx => ({ src, kind: 'atom', type });
export const op = (src: string, type: Tx['type'] = 'unknown'): Tx => ({ src, kind: 'op', type });
export const paren = (t: Tx): string => (t.kind === 'op' ? `(${t.src})` : t.src);
export const call = (fn: string, args: Tx[], type: Tx['type'] = 'unknown'): Tx => atom(`${fn}(${args.map((a) => a.src).join(', ')})`, type);

export function litTx(v: string | number | boolean | null): Tx {
  if (v === null) return NULL;
  if (typeof v === 'string') return atom(lit(v), 'string');
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) unsupported('number', `the number ${v} cannot be represented`);
    return v < 0 ? op(String(v), 'number') : atom(String(v), 'number');
  }
  return atom(String(v), 'boolean');
}

export function describe(n: JsNode, src: string): string {
  const text = src.slice(n.start, n.end);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** `.replaceAll('"', '\\"')` or `.replace(/"/g, '\\"')`: escaping a value for JSON text by hand. */
export function isQuoteEscape(a: JsNode, b: JsNode): boolean {
  const quote = (a.type === 'Literal' && a.value === '"') || (a.type === 'Regex' && a.pattern === '"' && a.flags.includes('g'));
  return quote && b.type === 'Literal' && b.value === '\\"';
}

export function containsObject(n: JsNode): boolean {
  if (n.type === 'Object') return true;
  return n.type === 'Array' && n.elements.some(containsObject);
}

// ---------------------------------------------------------------- member chains

export type Seg = { kind: 'member'; node: JsNode; computed: boolean; key: JsNode } | { kind: 'call'; node: JsNode; args: JsNode[]; optional: boolean };

/** Flatten a.b[c](d).e into a root and a list of segments. */
export function flatten(n: JsNode): { root: JsNode; segs: Seg[] } {
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

export function staticKey(s: Seg | undefined): Key | undefined {
  if (!s || s.kind !== 'member') return undefined;
  const k = s.key;
  if (k.type !== 'Literal') return undefined;
  if (typeof k.value === 'string') return k.value;
  if (typeof k.value === 'number' && Number.isInteger(k.value) && k.value >= 0) return k.value;
  return undefined;
}

export function stringArg(n: JsNode | undefined): string | undefined {
  if (n?.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n?.type === 'Template' && n.exprs.length === 0) return n.quasis[0];
  return undefined;
}

/** A list whose items are plain values: a literal of literals, split(), Object.keys() / .keys(). */
export function scalarList(n: JsNode): boolean {
  if (n.type === 'Array') return n.elements.every((e) => e.type === 'Literal' || e.type === 'Template');
  if (n.type !== 'Call' || n.callee.type !== 'Member') return false;
  const m = n.callee.property;
  return m.type === 'Literal' && (m.value === 'split' || m.value === 'keys');
}
