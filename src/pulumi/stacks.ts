import { StackError, type StackFile } from '../contracts/stack-name.ts';
import { findCycle, topoSort } from '../definitions/graph.ts';
import type { Workspace } from '../definitions/model.ts';


/** Projects each project calls over HTTP (its stack needs theirs deployed first). */
export function projectDependencies(ws: Workspace): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const p of ws.projects) {
    const peers = new Set(p.workflows.flatMap((w) => w.calls.filter((c) => !c.inProcess).map((c) => c.project)));
    deps.set(p.name, [...peers].sort());
  }
  return deps;
}

/**
 * The stacks of one environment in deploy order: callees before callers (so StackFileerences resolve).
 * Throws when a caller's peer has no stack in that environment, or the projects call each other in a cycle.
 */
export function orderStacks(stacks: StackFile[], ws: Workspace, env: string): StackFile[] {
  const inEnv = stacks.filter((s) => s.env === env);
  if (inEnv.length === 0) throw new StackError(`no stacks for environment "${env}" (no stacks/Pulumi.<project>.${env}.yaml); create one with \`catalyst stack init <project> ${env} --target …\``);
  const deps = projectDependencies(ws);
  const names = inEnv.map((s) => s.project);
  const problems: string[] = [];
  for (const s of inEnv) {
    if (!deps.has(s.project)) problems.push(`stack ${s.name}: there is no project "${s.project}" under projects/`);
    for (const peer of deps.get(s.project) ?? []) {
      if (!names.includes(peer)) problems.push(`stack ${s.name} calls project "${peer}", but there is no stack ${peer}.${env} (create stacks/Pulumi.${peer}.${env}.yaml)`);
    }
  }
  if (problems.length) throw new StackError(problems.join('\n'));
  const edges = inEnv.flatMap((s) => (deps.get(s.project) ?? []).map((peer) => ({ from: peer, to: s.project })));
  const cycle = findCycle(names, edges);
  if (cycle) throw new StackError(`projects call each other in a cycle: ${cycle.join(' → ')}`);
  const { order } = topoSort(names, edges);
  return order.map((p) => inEnv.find((s) => s.project === p)!);
}
