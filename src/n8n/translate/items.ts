/**
 * Item access in n8n expressions: `$json`, `$input.item.json`, `$('Node').first().json`, `$node["Node"]`,
 * `$items('Node')[0]`, `$item(0)`, and a node's parameters (`$('Node').params`). Each leads to a View
 * (how that item is read in our language) and the segments after `.json`.
 */
import type { JsNode } from '../jsparse.ts';
import type { View } from '../views.ts';
import { staticKey, stringArg, type Ctx, type Seg } from './tx.ts';

export type ItemRoot = { view: View; rest: Seg[] } | { value: unknown; rest: Seg[] };

/** An item view reached from a root pattern, with the segments after `.json`. */
export function itemRoot(t: Ctx, root: JsNode, segs: Seg[]): ItemRoot | undefined {
  const sc = t.scope;
  const needInput = (): View => sc.input ?? t.fail(root, 'no-input', '$json is used in a node that has no input item');
  if (root.type !== 'Identifier') return undefined;
  const k = (i: number) => staticKey(segs[i]);
  const isCall = (i: number, argc = 0) => segs[i]?.kind === 'call' && (segs[i] as { args: JsNode[] }).args.length === argc;
  /** .item.json | .first().json | .last().json | .all()[0].json | .json → index after `json`. */
  const itemAccess = (i: number, what: string): number => {
    if (k(i) === 'item' && k(i + 1) === 'json') return i + 2;
    if (k(i) === 'json') return i + 1;
    if ((k(i) === 'first' || k(i) === 'last') && isCall(i + 1) && k(i + 2) === 'json') return i + 3;
    if ((k(i) === 'first' || k(i) === 'last') && isCall(i + 1, 1)) t.fail(root, 'items', `${what}.${String(k(i))}(n) reads several items; a Catalyst workflow handles one item`);
    if (k(i) === 'all' && isCall(i + 1) && k(i + 2) === 0 && k(i + 3) === 'json') return i + 4;
    if (k(i) === 'all') t.fail(root, 'items', `${what}.all() is the list of all items; a Catalyst workflow handles one item (use .first() or .item)`);
    if (k(i) === 'item' || k(i) === 'first' || k(i) === 'last') {
      if (k(i + (k(i) === 'item' ? 1 : 2)) === 'binary') t.fail(root, 'binary', 'binary data is not supported');
      t.fail(root, 'item-object', `${what}.${String(k(i))} without .json: only the item's JSON can be read`);
    }
    if (k(i) === 'isExecuted') return -2;
    if (k(i) === 'binary') t.fail(root, 'binary', 'binary data is not supported');
    if (k(i) === 'context' || k(i) === 'runIndex' || k(i) === 'pairedItem') t.fail(root, 'node-metadata', `${what}.${String(k(i))} is n8n execution metadata without a Catalyst equivalent`);
    return -1;
  };
  switch (root.name) {
    case '$json':
      return { view: needInput(), rest: segs };
    case '$binary':
      return t.fail(root, 'binary', 'binary data is not supported');
    case '$input': {
      const j = itemAccess(0, '$input');
      if (j < 0) return t.fail(root, 'input-access', 'use $input.item.json, $input.first().json or $input.last().json');
      return { view: needInput(), rest: segs.slice(j) };
    }
    case '$': {
      const first = segs[0];
      if (first?.kind !== 'call' || first.args.length !== 1) return t.fail(root, 'node-ref', "$() takes one node name: $('Node')");
      const name = stringArg(first.args[0]);
      if (name === undefined) return t.fail(root, 'node-ref', "$() needs a literal node name, e.g. $('Webhook')");
      return nodeAccess(t, root, name, segs, 1, itemAccess, `$('${name}')`);
    }
    case '$node': {
      const name = k(0);
      if (typeof name !== 'string') return t.fail(root, 'node-ref', '$node needs a literal node name, e.g. $node["Webhook"]');
      return nodeAccess(t, root, name, segs, 1, itemAccess, `$node["${name}"]`);
    }
    case '$items': {
      const first = segs[0];
      if (first?.kind !== 'call') return t.fail(root, 'items', '$items() reads several items; a Catalyst workflow handles one item');
      const name = first.args.length === 0 ? undefined : stringArg(first.args[0]);
      if (first.args.length > 1 || (first.args.length === 1 && name === undefined)) return t.fail(root, 'items', "only $items('Node')[0].json is supported");
      if (k(1) !== 0 || k(2) !== 'json') return t.fail(root, 'items', `$items(…) is the list of items; only $items(…)[0].json is supported`);
      return { view: name === undefined ? needInput() : sc.node(name), rest: segs.slice(3) };
    }
    case '$item': {
      const first = segs[0];
      if (first?.kind !== 'call' || first.args.length !== 1 || !(first.args[0].type === 'Literal' && first.args[0].value === 0)) {
        return t.fail(root, 'items', '$item(n) with n ≠ 0 reads another item; a Catalyst workflow handles one item');
      }
      if (k(1) === '$node' && typeof k(2) === 'string') return nodeAccess(t, root, k(2) as string, segs, 3, itemAccess, `$item(0).$node["${String(k(2))}"]`);
      if (k(1) === '$json') return { view: needInput(), rest: segs.slice(2) };
      return t.fail(root, 'items', 'only $item(0).$node["Node"].json and $item(0).$json are supported');
    }
    default:
      return undefined;
  }
}

function nodeAccess(
  t: Ctx,
  root: JsNode,
  name: string,
  segs: Seg[],
  i: number,
  itemAccess: (i: number, what: string) => number,
  what: string,
): ItemRoot {
  const k = (j: number) => staticKey(segs[j]);
  if (k(i) === 'params' || k(i) === 'parameter') {
    const params = t.scope.params(name);
    if (!params) return t.fail(root, 'node-ref', `there is no node "${name}"`);
    let v: unknown = params;
    let j = i + 1;
    for (; j < segs.length; j++) {
      const key = k(j);
      if (key === undefined) break;
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[String(key)] : undefined;
    }
    if (typeof v === 'string' && v.startsWith('=')) return t.fail(root, 'node-params', `${what}.params reads a parameter that is itself an expression`);
    if (v !== null && typeof v === 'object') return t.fail(root, 'node-params', `${what}.params must lead to a single value`);
    return { value: v ?? null, rest: segs.slice(j) };
  }
  const j = itemAccess(i, what);
  if (j === -2) {
    t.scope.node(name);
    return { value: true, rest: segs.slice(i + 1) };
  }
  if (j < 0) return t.fail(root, 'node-ref', `use ${what}.item.json, .first().json or .last().json`);
  return { view: t.scope.node(name), rest: segs.slice(j) };
}
