import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { closest } from '../shared/suggest.ts';
import { checkDefaultsAuth } from './auth.ts';
import { DefinitionError, sortDiagnostics, type Diagnostic } from './diagnostics.ts';
import { findCycle } from './graph.ts';
import { issuesToDiagnostics } from './issues.ts';
import { checkCodeNodes } from './python-check.ts';
import type { ProjectModel, WorkflowModel, Workspace } from './model.ts';
import { projectFile, workflowFile, type ProjectFile, type WorkflowFile } from './schema.ts';
import { buildWorkflow } from './workflow.ts';
import { diagAt, readYaml, type YamlFile } from './yaml.ts';

export interface LoadOptions {
  /** Paths in messages are relative to this directory (default: process.cwd()). */
  base?: string;
}

export interface LoadResult {
  workspace?: Workspace;
  /** Every problem found, sorted by file and position. Empty when `workspace` is set. */
  diagnostics: Diagnostic[];
  /** Projects the caller asked about (all of them unless a single project directory was given). */
  selected: string[];
}

interface LoadedWorkflow {
  y: YamlFile;
  def: WorkflowFile;
  model?: WorkflowModel;
}
interface LoadedProject {
  dir: string;
  y?: YamlFile;
  def?: ProjectFile;
  workflows: LoadedWorkflow[];
  ok: boolean;
}

function parseWith<T extends z.ZodType>(schema: T, y: YamlFile, out: Diagnostic[]): z.infer<T> | undefined {
  const r = schema.safeParse(y.data);
  if (r.success) return r.data;
  out.push(...issuesToDiagnostics(y, schema, r.error.issues));
  return undefined;
}

/**
 * Resolve what the user pointed at: a repository (with projects/), a projects directory, or one
 * project directory (its siblings are loaded too, for cross-project calls).
 */
export function resolveProjectsDir(path: string): { projectsDir: string; only?: string } {
  const abs = resolve(path);
  if (existsSync(join(abs, 'project.yaml'))) return { projectsDir: resolve(abs, '..'), only: basename(abs) };
  if (existsSync(join(abs, 'projects')) && statSync(join(abs, 'projects')).isDirectory()) return { projectsDir: join(abs, 'projects') };
  return { projectsDir: abs };
}

function listYaml(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

function loadProject(dir: string, base: string, out: Diagnostic[]): LoadedProject {
  const rel = (p: string) => relative(base, p) || '.';
  const file = join(dir, 'project.yaml');
  const lp: LoadedProject = { dir, workflows: [], ok: false };
  if (!existsSync(file)) {
    out.push({ file: rel(dir), line: 0, col: 0, path: '', message: 'not a project: no project.yaml', fix: `create it with \`catalyst new project ${basename(dir)}\`` });
    return lp;
  }
  const start = out.length;
  const py = readYaml(file, rel(file));
  out.push(...py.diagnostics);
  if (py.yaml) {
    lp.y = py.yaml;
    lp.def = parseWith(projectFile, py.yaml, out);
    if (lp.def && lp.def.name !== basename(dir)) {
      out.push(diagAt(py.yaml, ['name'], `project name "${lp.def.name}" differs from its directory "${basename(dir)}"`, `rename the directory to projects/${lp.def.name}, or set name: ${basename(dir)}`));
    }
  }
  const wfDir = join(dir, 'workflows');
  for (const f of listYaml(wfDir)) {
    const wy = readYaml(join(wfDir, f), rel(join(wfDir, f)));
    out.push(...wy.diagnostics);
    if (!wy.yaml) continue;
    const def = parseWith(workflowFile, wy.yaml, out);
    if (!def) continue;
    const stem = f.replace(/\.ya?ml$/, '');
    if (def.name !== stem) out.push(diagAt(wy.yaml, ['name'], `workflow name "${def.name}" differs from its file name "${f}"`, `rename the file to ${def.name}.yaml, or set name: ${stem}`));
    lp.workflows.push({ y: wy.yaml, def });
  }
  checkCodeNodes(lp.workflows, out);
  if (lp.def) {
    checkDefaultsAuth(lp.y!, lp.def, out);
    const seen = new Map<string, string>();
    for (const w of lp.workflows) {
      const prev = seen.get(w.def.name);
      if (prev) out.push(diagAt(w.y, ['name'], `workflow "${w.def.name}" is defined twice (also in ${prev})`, 'workflow names are unique in a project'));
      else seen.set(w.def.name, w.y.file);
      w.model = buildWorkflow(w.y, w.def, lp.def, out);
    }
    const routes = new Map<string, string>();
    for (const w of lp.workflows) {
      const t = w.model?.trigger;
      if (t?.type !== 'webhook') continue;
      const k = `${t.method} ${t.path}`;
      if (routes.has(k)) out.push(diagAt(w.y, ['trigger', 'path'], `route ${k} is already taken by workflow "${routes.get(k)}"`, 'give each public workflow its own method and path'));
      else routes.set(k, w.def.name);
    }
  }
  lp.ok = out.length === start && lp.def !== undefined;
  return lp;
}

/** Cross-file rules: call targets, visibility of cross-project targets, call cycles, input mapping. */
function checkCalls(projects: Map<string, LoadedProject>, out: Diagnostic[]): void {
  const projectNames = [...projects.keys()];
  const projectEdges: { from: string; to: string }[] = [];
  for (const [pname, lp] of projects) {
    const inProcEdges: { from: string; to: string }[] = [];
    for (const w of lp.workflows) {
      if (!w.model) continue;
      for (const call of w.model.calls) {
        const i = w.def.nodes.findIndex((n) => n.id === call.node);
        const at = ['nodes', i, 'workflow'];
        const d = (message: string, fix?: string) => out.push(diagAt(w.y, at, message, fix));
        const node = w.def.nodes[i];
        if (node.type !== 'workflowCall') continue;
        if (!call.inProcess && call.project === pname) {
          d(`"${node.workflow}" is in this project`, `write workflow: ${call.workflow} (same-project calls are in-process)`);
          continue;
        }
        const target = projects.get(call.project);
        if (!target) {
          const hint = closest(call.project, projectNames);
          d(`no project "${call.project}"`, hint ? `did you mean "${hint}/${call.workflow}"?` : `projects: ${projectNames.join(', ') || '(none)'}`);
          continue;
        }
        if (!target.ok) {
          d(`project "${call.project}" has errors of its own; fix them first`);
          continue;
        }
        const callee = target.workflows.find((x) => x.def.name === call.workflow);
        if (!callee?.model) {
          const hint = closest(call.workflow, target.workflows.map((x) => x.def.name));
          d(`project "${call.project}" has no workflow "${call.workflow}"`, hint ? `did you mean "${call.inProcess ? '' : `${call.project}/`}${hint}"?` : undefined);
          continue;
        }
        if (!call.inProcess && callee.model.visibility !== 'public') {
          d(`"${node.workflow}" is internal to project "${call.project}"; other projects can call only public workflows`, `make it public (catalyst workflow visibility ${call.project}/${call.workflow} public), or call a public workflow`);
          continue;
        }
        if (call.inProcess) inProcEdges.push({ from: w.def.name, to: call.workflow });
        else projectEdges.push({ from: pname, to: call.project });
        // The input mapping must satisfy the callee's input schema.
        const schema = callee.model.input;
        const given = Object.keys(node.input);
        for (const r of schema.required) {
          if (!given.includes(r) && schema.properties[r]?.default === undefined) {
            out.push(diagAt(w.y, ['nodes', i, 'input'], `"${node.workflow}" requires input field "${r}"`, `add ${r}: "{{ … }}" under input`));
          }
        }
        if (!schema.additionalProperties) {
          const known = Object.keys(schema.properties);
          for (const k of given) if (!known.includes(k)) {
            const hint = closest(k, known);
            out.push(diagAt(w.y, ['nodes', i, 'input', k], `"${node.workflow}" has no input field "${k}"`, hint ? `did you mean "${hint}"?` : `its fields: ${known.join(', ') || '(none)'}`, true));
          }
        }
      }
    }
    const names = lp.workflows.map((w) => w.def.name);
    const cycle = findCycle(names, inProcEdges);
    if (cycle) {
      const w = lp.workflows.find((x) => x.def.name === cycle[cycle.length - 2])!;
      const i = w.def.nodes.findIndex((n) => n.type === 'workflowCall' && n.workflow === cycle[cycle.length - 1]);
      out.push(diagAt(w.y, ['nodes', i, 'workflow'], `workflows call each other in a cycle: ${cycle.join(' → ')}`, 'in-process calls must not recurse; break the cycle'));
    }
  }
  const pcycle = findCycle(projectNames, projectEdges);
  if (pcycle) {
    const lp = projects.get(pcycle[pcycle.length - 2])!;
    for (const w of lp.workflows) {
      const i = w.def.nodes.findIndex((n) => n.type === 'workflowCall' && n.workflow.startsWith(`${pcycle[pcycle.length - 1]}/`));
      if (i >= 0) {
        out.push(diagAt(w.y, ['nodes', i, 'workflow'], `projects call each other in a cycle: ${pcycle.join(' → ')}`, 'stacks deploy callees first, so cross-project calls must not form a cycle'));
        break;
      }
    }
  }
}

function toModel(lp: LoadedProject): ProjectModel {
  const def = lp.def!;
  return {
    name: def.name,
    description: def.description ?? '',
    dir: lp.dir,
    file: lp.y!.file,
    secrets: Object.entries(def.secrets)
      .map(([name, description]) => ({ name, description }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    env: Object.fromEntries(Object.entries(def.env).sort(([a], [b]) => a.localeCompare(b))),
    defaults: def.defaults,
    server: def.server,
    workflows: lp.workflows.map((w) => w.model!).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Load, validate and model every project under a path. Never throws for bad input. */
export function loadWorkspace(path: string, opts: LoadOptions = {}): LoadResult {
  const base = opts.base ?? process.cwd();
  const { projectsDir, only } = resolveProjectsDir(path);
  const out: Diagnostic[] = [];
  if (!existsSync(projectsDir) || !statSync(projectsDir).isDirectory()) {
    return { diagnostics: [{ file: relative(base, projectsDir) || '.', line: 0, col: 0, path: '', message: 'no such directory', fix: 'point at a repository, its projects/ directory, or one project directory' }], selected: [] };
  }
  const dirs = readdirSync(projectsDir)
    .filter((f) => !f.startsWith('.') && statSync(join(projectsDir, f)).isDirectory() && existsSync(join(projectsDir, f, 'project.yaml')))
    .sort();
  if (only && !dirs.includes(only)) dirs.push(only);
  const projects = new Map<string, LoadedProject>();
  const byDir = new Map<string, Diagnostic[]>();
  for (const d of dirs) {
    const diags: Diagnostic[] = [];
    const lp = loadProject(join(projectsDir, d), base, diags);
    byDir.set(d, diags);
    projects.set(lp.def?.name ?? d, lp);
  }
  const crossDiags: Diagnostic[] = [];
  checkCalls(projects, crossDiags);
  const selected = only ? [only] : dirs;
  for (const d of selected) out.push(...(byDir.get(d) ?? []));
  const selectedFiles = new Set(selected.flatMap((d) => [...(projects.get(d)?.workflows.map((w) => w.y.file) ?? [])]));
  out.push(...crossDiags.filter((x) => !only || selectedFiles.has(x.file)));
  if (dirs.length === 0) {
    out.push({ file: relative(base, projectsDir) || '.', line: 0, col: 0, path: '', message: 'no projects found (no */project.yaml)', fix: 'create one with `catalyst new project <name>`' });
  }
  if (out.length > 0) return { diagnostics: sortDiagnostics(out), selected };
  const models = [...projects.values()].filter((p) => p.ok).map(toModel);
  return { workspace: { projectsDir, projects: models }, diagnostics: [], selected };
}

/** Load or throw a DefinitionError with every problem. */
export function loadWorkspaceOrThrow(path: string, opts: LoadOptions = {}): Workspace & { selected: string[] } {
  const r = loadWorkspace(path, opts);
  if (!r.workspace) throw new DefinitionError(r.diagnostics);
  return { ...r.workspace, selected: r.selected };
}

/** One project by name (from a workspace) or by directory. */
export function loadProjectModel(nameOrDir: string, opts: LoadOptions & { cwd?: string } = {}): { project: ProjectModel; workspace: Workspace } {
  const cwd = opts.cwd ?? process.cwd();
  const asDir = resolve(cwd, nameOrDir);
  const target = existsSync(join(asDir, 'project.yaml')) ? asDir : join(cwd, 'projects', nameOrDir);
  if (!existsSync(join(target, 'project.yaml'))) {
    throw new DefinitionError([{ file: relative(cwd, target), line: 0, col: 0, path: '', message: `no project "${nameOrDir}" (no project.yaml)`, fix: 'give a project name under projects/ or a project directory' }]);
  }
  const ws = loadWorkspaceOrThrow(target, { base: opts.base ?? cwd });
  const project = ws.projects.find((p) => p.dir === target)!;
  return { project, workspace: ws };
}
