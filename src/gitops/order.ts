/**
 * Deploy order for CI: environments in promotion order (dev → test → staging → others → prod), and
 * inside one environment callees before callers (a project calling another over HTTP reads its URL from
 * that stack's outputs, so the callee deploys first). Pure, deterministic.
 */
import { topoSort } from '../definitions/graph.ts';
import type { Workspace } from '../definitions/model.ts';
import { projectDependencies } from '../pulumi/stacks.ts';
import { StackError, type StackFile } from '../contracts/stack-name.ts';

const RANKS: [RegExp, number][] = [
  [/^(local)$/, 0],
  [/^(dev|develop|development)$/, 1],
  [/^(test|testing|qa|ci)$/, 2],
  [/^(stage|staging|preprod|pre-prod|preview|uat)$/, 3],
  [/^(prod|production|live)$/, 5],
];

/** Promotion rank of an environment name (unknown names sit between staging and prod). */
export function envRank(env: string): number {
  const e = env.toLowerCase();
  return RANKS.find(([re]) => re.test(e))?.[1] ?? 4;
}

export function isProductionEnv(env: string): boolean {
  return envRank(env) === 5;
}

/** Environments in promotion order (ties alphabetical). */
export function orderEnvs(envs: Iterable<string>): string[] {
  return [...new Set(envs)].sort((a, b) => envRank(a) - envRank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Project → projects it calls over HTTP; empty when the definitions are unknown. */
export function dependencyMap(ws: Workspace | null): Map<string, string[]> {
  return ws ? projectDependencies(ws) : new Map();
}

/** Projects in callee-first order (ties alphabetical); throws on a call cycle. */
export function projectOrder(projects: string[], deps: Map<string, string[]>): string[] {
  const ids = [...new Set(projects)].sort();
  const edges = ids.flatMap((p) => (deps.get(p) ?? []).filter((d) => ids.includes(d)).map((d) => ({ from: d, to: p })));
  const { order, cyclic } = topoSort(ids, edges);
  if (cyclic.length) throw new StackError(`projects call each other in a cycle: ${cyclic.join(', ')}`);
  return order;
}

/** Stacks in deploy order: by environment rank, then callee first. */
export function orderStacks(stacks: StackFile[], deps: Map<string, string[]>): StackFile[] {
  const pos = new Map(projectOrder(stacks.map((s) => s.project), deps).map((p, i) => [p, i]));
  return [...stacks].sort((a, b) => envRank(a.env) - envRank(b.env) || (a.env < b.env ? -1 : a.env > b.env ? 1 : 0) || pos.get(a.project)! - pos.get(b.project)!);
}

/** The stacks of the same environment a stack must wait for (the projects it calls), sorted. */
export function stackNeeds(stack: StackFile, all: StackFile[], deps: Map<string, string[]>): StackFile[] {
  const callees = deps.get(stack.project) ?? [];
  return all.filter((s) => s.env === stack.env && callees.includes(s.project)).sort((a, b) => (a.name < b.name ? -1 : 1));
}
