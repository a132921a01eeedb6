/**
 * What a range of commits affects: the projects and stacks whose deployment would change. Used by
 * `catalyst diff` (deployed commit → HEAD) and `catalyst ci affected` (PR base → head).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkspace } from '../definitions/load.ts';
import type { Workspace } from '../definitions/model.ts';
import { listStackFiles, type StackFile } from '../contracts/stack-name.ts';
import { affectedProjects, type ChangeSummary, classifyChanges, stackImpact } from './changes.ts';
import { changedFiles, type ChangedFile, repoPrefix, resolveCommit, uncommittedFiles } from './index.ts';
import { dependencyMap, orderStacks } from './order.ts';
import { stackConfigFile, stackTarget } from './stack.ts';

export interface AffectedStack {
  name: string;
  project: string;
  env: string;
  /** `catalyst:target` from the stack config file, when set. */
  target: string | null;
  /** Why it is affected. */
  reasons: string[];
}

export interface AffectedResult {
  base: string;
  head: string;
  /** Uncommitted changes were included. */
  includesUncommitted: boolean;
  changes: ChangeSummary;
  /** Affected projects that exist in the work tree, callee first. */
  projects: string[];
  /** Affected stacks in deploy order (environment, then callee first). */
  stacks: AffectedStack[];
  /** Problems that did not stop the computation (e.g. invalid definitions: order is alphabetical). */
  warnings: string[];
}

/** Project directories (with project.yaml) in the work tree. */
export function projectNames(repo: string): string[] {
  const dir = join(repo, 'projects');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => !d.startsWith('.') && existsSync(join(dir, d, 'project.yaml')))
    .sort();
}

/** The workspace when the definitions are valid, else null plus a warning. */
export function tryWorkspace(repo: string): { ws: Workspace | null; warning: string | null } {
  const r = loadWorkspace(repo, { base: repo });
  if (r.workspace) return { ws: r.workspace, warning: null };
  return { ws: null, warning: `the definitions have ${r.diagnostics.length} problem(s) (run \`catalyst validate\`); stacks are ordered by name, not by calls` };
}

/** Paths relative to the repository directory (when it is a subdirectory of the git work tree). */
function relativeTo(prefix: string, files: ChangedFile[]): ChangedFile[] {
  if (!prefix) return files;
  return files.filter((f) => f.path.startsWith(prefix)).map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
}

export interface AffectedOptions {
  base: string;
  head?: string;
  /** Count uncommitted work-tree changes too. */
  uncommitted?: boolean;
  /** Leave out stacks of these targets / environments (CI leaves out `local`). */
  excludeTargets?: string[];
  excludeEnvs?: string[];
}

export async function computeAffected(repo: string, o: AffectedOptions): Promise<AffectedResult> {
  const base = await resolveCommit(repo, o.base);
  const head = await resolveCommit(repo, o.head ?? 'HEAD');
  const prefix = await repoPrefix(repo);
  const committed = relativeTo(prefix, await changedFiles(repo, base, head));
  const dirty = o.uncommitted ? relativeTo(prefix, await uncommittedFiles(repo)) : [];
  const changes = classifyChanges(committed, dirty);
  const { ws, warning } = tryWorkspace(repo);
  const deps = dependencyMap(ws);
  const warnings = warning ? [warning] : [];
  const all = projectNames(repo);
  const projects = affectedProjects(changes, all);
  const stacks: StackFile[] = listStackFiles(repo);
  const infos = new Map<string, AffectedStack>();
  for (const s of stacks) {
    const target = stackTarget(stackConfigFile(repo, s.name));
    if (o.excludeEnvs?.includes(s.env) || (target && o.excludeTargets?.includes(target))) continue;
    const impact = stackImpact(s.name, changes);
    if (impact.affected) infos.set(s.name, { name: s.name, project: s.project, env: s.env, target, reasons: impact.reasons });
  }
  let ordered: StackFile[];
  let projectOrderList: string[];
  try {
    ordered = orderStacks(stacks.filter((s) => infos.has(s.name)), deps);
    projectOrderList = orderStacks(projects.map((p) => ({ name: `${p}.x`, project: p, env: 'x', file: '' })), deps).map((s) => s.project);
  } catch (e) {
    warnings.push((e as Error).message);
    ordered = stacks.filter((s) => infos.has(s.name));
    projectOrderList = projects;
  }
  return {
    base,
    head,
    includesUncommitted: o.uncommitted === true,
    changes,
    projects: projectOrderList,
    stacks: ordered.map((s) => infos.get(s.name)!),
    warnings,
  };
}
