/**
 * Which projects, workflows and stacks a set of changed files touches (pure; paths are repository
 * relative, `/`-separated):
 *
 * - `projects/<p>/workflows/<w>.yaml` → workflow `w` of project `p`
 * - `projects/<p>/project.yaml`       → project `p` (its settings: env, secrets, defaults)
 * - `projects/<p>/…` (anything else)  → project `p`
 * - `stacks/Pulumi.<p>.<env>.yaml`    → the configuration of stack `<p>.<env>`
 * - `src/…`, `templates/…`, `package.json`, `package-lock.json`, `Pulumi.yaml`
 *                                     → all projects (shared code: the generator, the Pulumi program,
 *                                       the app templates and their dependencies)
 * - anything else (docs, tests, …)    → no deployed stack
 */
import type { ChangedFile, FileStatus } from './index.ts';
import { STACK_PATH_RE } from '../contracts/stack-name.ts';

export interface Change {
  path: string;
  status: FileStatus;
  /** True for a change in the work tree that is not committed (not in HEAD). */
  uncommitted: boolean;
}

export interface ProjectChange {
  project: string;
  /** projects/<p>/project.yaml changed. */
  settings: boolean;
  /** Names of the workflows whose file changed (added, modified or deleted), sorted. */
  workflows: string[];
  files: Change[];
}

export interface ChangeSummary {
  /** Changes to shared code: every project's stacks are affected. */
  shared: Change[];
  /** Sorted by project name. */
  projects: ProjectChange[];
  /** Stack config files that changed: stack name → changes. */
  stackConfigs: { stack: string; files: Change[] }[];
  /** Files that no deployment depends on. */
  other: Change[];
}

export const SHARED_PREFIXES = ['src/', 'templates/'] as const;
export const SHARED_FILES = ['package.json', 'package-lock.json', 'Pulumi.yaml'] as const;

const WORKFLOW_RE = /^projects\/([^/]+)\/workflows\/([^/]+)\.ya?ml$/;
const PROJECT_RE = /^projects\/([^/]+)\//;

export function isShared(path: string): boolean {
  return SHARED_PREFIXES.some((p) => path.startsWith(p)) || (SHARED_FILES as readonly string[]).includes(path);
}

/** Group changes; a file changed both in commits and in the work tree counts once, as uncommitted. */
export function classifyChanges(committed: ChangedFile[], uncommitted: ChangedFile[] = []): ChangeSummary {
  const byPath = new Map<string, Change>();
  for (const f of committed) byPath.set(f.path, { path: f.path, status: f.status, uncommitted: false });
  for (const f of uncommitted) byPath.set(f.path, { path: f.path, status: f.status, uncommitted: true });
  const changes = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  const summary: ChangeSummary = { shared: [], projects: [], stackConfigs: [], other: [] };
  const projects = new Map<string, ProjectChange>();
  const stacks = new Map<string, Change[]>();
  for (const c of changes) {
    if (isShared(c.path)) {
      summary.shared.push(c);
      continue;
    }
    const st = STACK_PATH_RE.exec(c.path);
    if (st) {
      const name = `${st[1]}.${st[2]}`;
      stacks.set(name, [...(stacks.get(name) ?? []), c]);
      continue;
    }
    const pm = PROJECT_RE.exec(c.path);
    if (!pm) {
      summary.other.push(c);
      continue;
    }
    const name = pm[1];
    let p = projects.get(name);
    if (!p) {
      p = { project: name, settings: false, workflows: [], files: [] };
      projects.set(name, p);
    }
    p.files.push(c);
    const wm = WORKFLOW_RE.exec(c.path);
    if (wm && !p.workflows.includes(wm[2])) p.workflows.push(wm[2]);
    if (c.path === `projects/${name}/project.yaml`) p.settings = true;
  }
  summary.projects = [...projects.values()].sort((a, b) => (a.project < b.project ? -1 : 1));
  for (const p of summary.projects) p.workflows.sort();
  summary.stackConfigs = [...stacks.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stack, files]) => ({ stack, files }));
  return summary;
}

export interface StackImpact {
  stack: string;
  affected: boolean;
  /** Why, in words: "shared code", "project support-bot", "stack config". */
  reasons: string[];
}

/** Whether a change set affects the stack `<project>.<env>`, and why. */
export function stackImpact(stack: string, summary: ChangeSummary): StackImpact {
  const project = stack.slice(0, stack.indexOf('.'));
  const reasons: string[] = [];
  if (summary.shared.length) reasons.push('shared code');
  if (summary.projects.some((p) => p.project === project)) reasons.push(`project ${project}`);
  if (summary.stackConfigs.some((s) => s.stack === stack)) reasons.push('stack config');
  return { stack, affected: reasons.length > 0, reasons };
}

/** Names of the projects a change set touches: all of `allProjects` when shared code changed. */
export function affectedProjects(summary: ChangeSummary, allProjects: string[]): string[] {
  if (summary.shared.length) return [...allProjects].sort();
  return summary.projects.map((p) => p.project).filter((p) => allProjects.includes(p));
}
