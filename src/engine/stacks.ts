import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findCycle, topoSort } from '../definitions/graph.ts';
import type { Workspace } from '../definitions/model.ts';

export interface StackRef {
  /** `<project>.<env>` */
  name: string;
  project: string;
  env: string;
  file: string;
}

/** Stacks declared in stacks/Pulumi.<project>.<env>.yaml, sorted by name. */
export function listStacks(repo: string): StackRef[] {
  const dir = join(repo, 'stacks');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^Pulumi\.([a-z][a-z0-9-]*)\.([A-Za-z0-9_-]+)\.ya?ml$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: `${m[1]}.${m[2]}`, project: m[1], env: m[2], file: join(dir, m[0]) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

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
 * The stacks of one environment in deploy order: callees before callers (so StackReferences resolve).
 * Throws when a caller's peer has no stack in that environment, or the projects call each other in a cycle.
 */
export function orderStacks(stacks: StackRef[], ws: Workspace, env: string): StackRef[] {
  const inEnv = stacks.filter((s) => s.env === env);
  if (inEnv.length === 0) throw new Error(`no stacks for environment "${env}" (no stacks/Pulumi.<project>.${env}.yaml); create one with \`catalyst stack init <project> ${env} --target …\``);
  const deps = projectDependencies(ws);
  const names = inEnv.map((s) => s.project);
  const problems: string[] = [];
  for (const s of inEnv) {
    if (!deps.has(s.project)) problems.push(`stack ${s.name}: there is no project "${s.project}" under projects/`);
    for (const peer of deps.get(s.project) ?? []) {
      if (!names.includes(peer)) problems.push(`stack ${s.name} calls project "${peer}", but there is no stack ${peer}.${env} (create stacks/Pulumi.${peer}.${env}.yaml)`);
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));
  const edges = inEnv.flatMap((s) => (deps.get(s.project) ?? []).map((peer) => ({ from: peer, to: s.project })));
  const cycle = findCycle(names, edges);
  if (cycle) throw new Error(`projects call each other in a cycle: ${cycle.join(' → ')}`);
  const { order } = topoSort(names, edges);
  return order.map((p) => inEnv.find((s) => s.project === p)!);
}
