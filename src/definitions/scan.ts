import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { locate, readYaml, type YamlFile } from './yaml.ts';
import { listStackFiles, type StackFile } from '../contracts/stack-name.ts';

/**
 * A lenient index of the workspace read straight from the YAML files: who calls whom, routes,
 * visibility, secrets, stacks. Unlike loadWorkspace it works on invalid definitions too (fields that
 * are missing or of the wrong type are skipped), so the project-management commands can report on a
 * broken tree and find every caller before they change anything.
 */

export interface CallSite {
  /** Caller. */
  project: string;
  workflow: string;
  node: string;
  /** Index of the node in the caller's `nodes`. */
  index: number;
  /** The `workflow:` value as written, e.g. `lookup` or `billing/lookup`. */
  target: string;
  /** Callee, resolved. */
  toProject: string;
  toWorkflow: string;
  /** Same-project call (run in-process) or cross-project (HTTP). */
  inProcess: boolean;
  /** Caller file relative to the scan base, and position of the `workflow:` value. */
  file: string;
  line: number;
  col: number;
}

export interface IndexedWorkflow {
  project: string;
  /** From the file name (the loader requires `name` to match it). */
  name: string;
  /** Absolute path, and relative to the scan base. */
  path: string;
  file: string;
  description: string;
  /** Explicit `visibility`, if the file sets one. */
  declaredVisibility?: 'public' | 'internal';
  /** Explicit, else the project's default. */
  visibility: 'public' | 'internal';
  route?: { method: string; path: string };
  /** A schedule trigger as written (cron, time zone; UTC when not given). */
  schedule?: { cron: string; timezone: string };
  /** The file has its own `auth:`. */
  declaredAuth: boolean;
  calls: CallSite[];
  /** Secrets the nodes and the route's own auth name (apiKeySecret, auth.secret, auth.secrets), sorted. */
  secrets: string[];
  /** Parsed YAML, when the file is readable YAML. */
  yaml?: YamlFile;
}

export interface ProjectInfo {
  name: string;
  /** Absolute directory, and project.yaml relative to the scan base. */
  dir: string;
  file: string;
  description: string;
  secrets: string[];
  env: string[];
  defaultVisibility: 'public' | 'internal';
  /** project.yaml sets defaults.auth. */
  defaultAuth: boolean;
  workflows: IndexedWorkflow[];
  yaml?: YamlFile;
}

export interface WorkspaceIndex {
  root: string;
  projectsDir: string;
  projects: ProjectInfo[];
  /** Stack config files; `file` is relative to the scan base. */
  stacks: StackFile[];
}

/** The repository root for cwd: the nearest directory (cwd or above) holding projects/, else cwd. */
export function findRoot(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    const p = join(dir, 'projects');
    if (existsSync(p) && statSync(p).isDirectory()) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(cwd);
    dir = up;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const vis = (v: unknown): 'public' | 'internal' | undefined => (v === 'public' || v === 'internal' ? v : undefined);


function scanWorkflow(project: string, defaultVisibility: 'public' | 'internal', path: string, base: string): IndexedWorkflow {
  const file = relative(base, path);
  const name = path.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  const { yaml } = readYaml(path, file);
  const data = isObj(yaml?.data) ? yaml.data : {};
  const declaredVisibility = vis(data.visibility);
  const t = isObj(data.trigger) ? data.trigger : undefined;
  const schedule = t?.type === 'schedule' && typeof t.cron === 'string' ? { cron: t.cron, timezone: str(t.timezone) ?? 'UTC' } : undefined;
  const visibility = schedule ? 'internal' : (declaredVisibility ?? defaultVisibility);
  const route = t?.type === 'webhook' && typeof t.path === 'string' ? { method: str(t.method) ?? 'POST', path: t.path } : undefined;
  const calls: CallSite[] = [];
  const secrets = new Set<string>();
  if (isObj(data.auth)) {
    if (typeof data.auth.secret === 'string') secrets.add(data.auth.secret);
    if (Array.isArray(data.auth.secrets)) for (const x of data.auth.secrets) if (typeof x === 'string') secrets.add(x);
  }
  const nodes = Array.isArray(data.nodes) ? data.nodes : [];
  nodes.forEach((n: unknown, index) => {
    if (!isObj(n)) return;
    if (n.type === 'llm' && typeof n.apiKeySecret === 'string') secrets.add(n.apiKeySecret);
    if (n.type === 'httpRequest' && isObj(n.auth) && typeof n.auth.secret === 'string') secrets.add(n.auth.secret);
    if (n.type !== 'workflowCall' || typeof n.workflow !== 'string') return;
    const target = n.workflow;
    const slash = target.indexOf('/');
    const pos = yaml ? locate(yaml, ['nodes', index, 'workflow']) : { line: 0, col: 0 };
    calls.push({
      project,
      workflow: name,
      node: str(n.id) ?? `#${index}`,
      index,
      target,
      toProject: slash === -1 ? project : target.slice(0, slash),
      toWorkflow: slash === -1 ? target : target.slice(slash + 1),
      inProcess: slash === -1,
      file,
      ...pos,
    });
  });
  return {
    project,
    name,
    path,
    file,
    description: str(data.description) ?? '',
    ...(declaredVisibility ? { declaredVisibility } : {}),
    visibility,
    ...(route ? { route } : {}),
    ...(schedule ? { schedule } : {}),
    declaredAuth: data.auth !== undefined,
    calls,
    secrets: [...secrets].sort(),
    ...(yaml ? { yaml } : {}),
  };
}

/** Index every project directory (a directory with project.yaml) under root/projects. */
export function scanWorkspace(root: string, base = root): WorkspaceIndex {
  const projectsDir = join(root, 'projects');
  const projects: ProjectInfo[] = [];
  const dirs = existsSync(projectsDir)
    ? readdirSync(projectsDir)
        .filter((d) => !d.startsWith('.') && existsSync(join(projectsDir, d, 'project.yaml')))
        .sort()
    : [];
  for (const name of dirs) {
    const dir = join(projectsDir, name);
    const file = relative(base, join(dir, 'project.yaml'));
    const { yaml } = readYaml(join(dir, 'project.yaml'), file);
    const data = isObj(yaml?.data) ? yaml.data : {};
    const defaults = isObj(data.defaults) ? data.defaults : {};
    const defaultVisibility = vis(defaults.visibility) ?? 'internal';
    const wfDir = join(dir, 'workflows');
    const files = existsSync(wfDir) ? readdirSync(wfDir).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('.')).sort() : [];
    projects.push({
      name,
      dir,
      file,
      description: str(data.description) ?? '',
      secrets: isObj(data.secrets) ? Object.keys(data.secrets).sort() : [],
      env: isObj(data.env) ? Object.keys(data.env).sort() : [],
      defaultVisibility,
      defaultAuth: defaults.auth !== undefined,
      workflows: files.map((f) => scanWorkflow(name, defaultVisibility, join(wfDir, f), base)),
      ...(yaml ? { yaml } : {}),
    });
  }
  return { root, projectsDir, projects, stacks: listStackFiles(root, base) };
}

/** Every call to `project` (or to one of its workflows), from any project. */
export function callersOf(ws: WorkspaceIndex, project: string, workflow?: string): CallSite[] {
  return ws.projects
    .flatMap((p) => p.workflows.flatMap((w) => w.calls))
    .filter((c) => c.toProject === project && (workflow === undefined || c.toWorkflow === workflow));
}

export function formatCallSite(c: CallSite): string {
  return `${c.project}/${c.workflow} (node ${c.node}, ${c.file}${c.line > 0 ? `:${c.line}` : ''}) calls ${c.target}`;
}

export function findProject(ws: WorkspaceIndex, name: string): ProjectInfo | undefined {
  return ws.projects.find((p) => p.name === name);
}
