import type { EdgeDef } from './schema.ts';

/** Small graph algorithms over node ids; deterministic (ties follow the given node order). */

/** Kahn's algorithm; returns the order, or the ids left in a cycle. */
export function topoSort(ids: readonly string[], edges: readonly { from: string; to: string }[]): { order: string[]; cyclic: string[] } {
  const indeg = new Map(ids.map((id) => [id, 0]));
  const out = new Map(ids.map((id): [string, string[]] => [id, []]));
  for (const e of edges) {
    if (!indeg.has(e.from) || !indeg.has(e.to)) continue;
    indeg.set(e.to, indeg.get(e.to)! + 1);
    out.get(e.from)!.push(e.to);
  }
  const rank = new Map(ids.map((id, i) => [id, i]));
  const ready = ids.filter((id) => indeg.get(id) === 0);
  const order: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const id = ready.shift()!;
    order.push(id);
    for (const n of out.get(id)!) {
      indeg.set(n, indeg.get(n)! - 1);
      if (indeg.get(n) === 0) ready.push(n);
    }
  }
  return { order, cyclic: ids.filter((id) => !order.includes(id)) };
}

/** One cycle through the graph, as a list of ids (first repeated at the end), or undefined. */
export function findCycle(ids: readonly string[], edges: readonly { from: string; to: string }[]): string[] | undefined {
  const adj = new Map(ids.map((id): [string, string[]] => [id, []]));
  for (const e of edges) adj.get(e.from)?.push(e.to);
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 1);
    stack.push(id);
    for (const n of adj.get(id) ?? []) {
      if (state.get(n) === 1) return [...stack.slice(stack.indexOf(n)), n];
      if (!state.has(n)) {
        const c = visit(n);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const id of ids) {
    if (!state.has(id)) {
      const c = visit(id);
      if (c) return c;
    }
  }
  return undefined;
}

export function reachableFrom(start: string, edges: readonly EdgeDef[]): Set<string> {
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length) {
    const id = todo.pop()!;
    for (const e of edges) if (e.from === id && !seen.has(e.to)) {
      seen.add(e.to);
      todo.push(e.to);
    }
  }
  return seen;
}

/**
 * Dominators in a DAG with one entry: dom(n) = {n} ∪ ⋂ dom(p) over predecessors p. A node may read
 * another's output only if that node dominates it (ran on every path to it).
 */
export function dominators(order: readonly string[], edges: readonly EdgeDef[]): Map<string, Set<string>> {
  const preds = new Map(order.map((id): [string, string[]] => [id, []]));
  for (const e of edges) preds.get(e.to)?.push(e.from);
  const dom = new Map<string, Set<string>>();
  for (const id of order) {
    const ps = preds.get(id)!.filter((p) => dom.has(p));
    let set: Set<string>;
    if (ps.length === 0) set = new Set();
    else {
      set = new Set(dom.get(ps[0])!);
      for (const p of ps.slice(1)) {
        const other = dom.get(p)!;
        for (const x of set) if (!other.has(x)) set.delete(x);
      }
    }
    set.add(id);
    dom.set(id, set);
  }
  return dom;
}
