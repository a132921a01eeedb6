import { existsSync } from 'node:fs';
import { StackError, type StackFile } from '../contracts/stack-name.ts';
import { findCycle, topoSort } from '../definitions/graph.ts';
import type { Workspace } from '../definitions/model.ts';
import { fileBackendDir, PulumiError, pulumiEnv, type PulumiRunner, type RunResult } from './pulumi.ts';

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

/** A stack of the repository's Pulumi project as the backend knows it (`pulumi stack ls --json`). */
export interface BackendStack {
  /** `<project>.<env>`: the last part of the name Pulumi prints (it may qualify it with org/project). */
  name: string;
  /** Resources in its state; absent when Pulumi does not say. */
  resourceCount?: number;
  /** An update is running (or was killed and left its lock). */
  updateInProgress?: boolean;
}

/**
 * The stacks of the Pulumi project in Pulumi.yaml in the backend Catalyst uses (pulumiEnv:
 * PULUMI_BACKEND_URL, else the repository's .pulumi-state). A file backend whose directory does not
 * exist holds no stacks: then nothing is run (`runner` is not even asked for, so no Pulumi CLI is
 * needed) and nothing is created.
 */
export async function backendStacks(runner: () => PulumiRunner, repo: string, baseEnv: NodeJS.ProcessEnv): Promise<BackendStack[]> {
  const env = pulumiEnv(repo, undefined, baseEnv);
  const dir = fileBackendDir(env.PULUMI_BACKEND_URL, repo);
  if (dir !== undefined && !existsSync(dir)) return [];
  const r = await runner()(['stack', 'ls', '--json'], { cwd: repo, env });
  if (r.code !== 0) throw new PulumiError(`pulumi stack ls failed: ${r.stderr.trim() || r.stdout.trim()}`);
  let list: unknown;
  try {
    list = JSON.parse(r.stdout || '[]');
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list)) throw new PulumiError(`pulumi stack ls --json printed no list of stacks: ${r.stdout.trim().slice(0, 200)}`);
  return list
    .filter((s): s is Record<string, unknown> => s !== null && typeof s === 'object' && typeof (s as { name?: unknown }).name === 'string')
    .map((s) => ({
      name: (s.name as string).split('/').pop()!,
      ...(typeof s.resourceCount === 'number' ? { resourceCount: s.resourceCount } : {}),
      ...(s.updateInProgress === true ? { updateInProgress: true } : {}),
    }));
}

/** The command that renames a stack in the backend (run from the repository). */
export function stackRenameArgs(from: string, to: string): string[] {
  return ['stack', 'rename', to, '--stack', from, '--non-interactive'];
}

/**
 * Rename a stack in the backend. Pulumi also moves the stack's config file when one exists under the
 * old name (stacks/Pulumi.<from>.yaml): callers that move config files themselves do so first.
 */
export function renameBackendStack(runner: PulumiRunner, repo: string, baseEnv: NodeJS.ProcessEnv, from: string, to: string): Promise<RunResult> {
  return runner(stackRenameArgs(from, to), { cwd: repo, env: pulumiEnv(repo, from, baseEnv) });
}
