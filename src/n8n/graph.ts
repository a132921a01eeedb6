import type { N8nFile, N8nNode } from './export.ts';
import type { WorkflowInfo } from './context.ts';
import { Refused, type ImportIssue } from './issues.ts';
import type { TriggerPlan } from './nodes/triggers.ts';

/**
 * The n8n graph of one export: its connections, the plan of its triggers, and the walks over it
 * (which nodes a trigger reaches, in which order).
 */

export interface Conn {
  from: string;
  output: number;
  to: string;
  input: number;
}

export interface FilePlan {
  file: N8nFile;
  nodes: N8nNode[];
  byName: Map<string, N8nNode>;
  conns: Conn[];
  aiConns: Conn[];
  triggers: { node: N8nNode; info?: WorkflowInfo; plan?: TriggerPlan; refused?: Refused }[];
  issues: ImportIssue[];
  refused?: Refused;
}

export function connections(file: N8nFile): { main: Conn[]; ai: Conn[] } {
  const main: Conn[] = [];
  const ai: Conn[] = [];
  for (const [from, outs] of Object.entries(file.workflow.connections)) {
    for (const [type, lists] of Object.entries(outs)) {
      lists.forEach((list, output) => {
        for (const c of list ?? []) (type === 'main' ? main : ai).push({ from, output, to: c.node, input: c.index ?? 0 });
      });
    }
  }
  return { main, ai };
}

/** The nodes reachable from a trigger over main connections, in a topological order (file order for ties). */
export function reachable(plan: FilePlan, trigger: string): string[] {
  const seen = new Set([trigger]);
  const todo = [trigger];
  while (todo.length) {
    const n = todo.pop()!;
    for (const c of plan.conns) if (c.from === n && !seen.has(c.to) && plan.byName.has(c.to)) {
      seen.add(c.to);
      todo.push(c.to);
    }
  }
  const rank = new Map(plan.nodes.map((n, i) => [n.name, i]));
  const names = [...seen].sort((a, b) => rank.get(a)! - rank.get(b)!);
  const indeg = new Map(names.map((n) => [n, 0]));
  const edges = plan.conns.filter((c) => seen.has(c.from) && seen.has(c.to));
  for (const e of edges) indeg.set(e.to, indeg.get(e.to)! + 1);
  const order: string[] = [];
  const ready = names.filter((n) => indeg.get(n) === 0);
  while (ready.length) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const n = ready.shift()!;
    order.push(n);
    for (const e of edges) if (e.from === n) {
      indeg.set(e.to, indeg.get(e.to)! - 1);
      if (indeg.get(e.to) === 0) ready.push(e.to);
    }
  }
  if (order.length < names.length) {
    const stuck = names.filter((n) => !order.includes(n));
    throw new Refused('loop', `the workflow loops (${stuck.slice(0, 4).map((s) => `"${s}"`).join(', ')}${stuck.length > 4 ? ', …' : ''} form a cycle); Catalyst workflows are acyclic`, stuck[0]);
  }
  return order;
}

/** Whether `name` is reachable from the trigger at all (for error messages). */
export function reachableFromTrigger(plan: FilePlan, trigger: string, name: string): boolean {
  const seen = new Set([trigger]);
  const todo = [trigger];
  while (todo.length) {
    const n = todo.pop()!;
    for (const c of plan.conns) if (c.from === n && !seen.has(c.to)) {
      seen.add(c.to);
      todo.push(c.to);
    }
  }
  return seen.has(name);
}
