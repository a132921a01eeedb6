import { Document, isCollection } from 'yaml';
import { formatDiagnostic, type Diagnostic } from '../definitions/diagnostics.ts';
import { commitValidated, commitValidatedThen, describeChanges, editYaml, type Change, type FileSet } from '../definitions/edit.ts';
import { UserError } from '../shared/errors.ts';
import { loadWorkspace } from '../definitions/load.ts';
import type { Workspace } from '../definitions/model.ts';
import { findProject, type ProjectInfo, type IndexedWorkflow, type WorkspaceIndex } from '../definitions/scan.ts';
import { httpMethod, PROJECT_NAME, RESERVED_PATHS, ROUTE_PATH, WORKFLOW_NAME } from '../definitions/schema.ts';
import { closest } from '../shared/suggest.ts';
import { CliError, type CommandContext } from './types.ts';

/** Shared by the project-management commands (new, workflow, project, list). */

/** Exit code of a refusal: the request was understood, but the workspace does not allow it. */
export const REFUSED = 1;

export const PROJECT_NAME_RULE = 'project names are 2–40 characters: lower-case letters, digits and -, starting with a letter and not ending with -, e.g. support-bot';
export const WORKFLOW_NAME_RULE = 'workflow names are 1–63 characters: lower-case letters, digits and -, starting with a letter, e.g. lookup-order';

export function checkProjectName(name: string): void {
  if (!PROJECT_NAME.test(name)) throw new CliError(`invalid project name ${JSON.stringify(name)}: ${PROJECT_NAME_RULE}`);
}

export function checkWorkflowName(name: string): void {
  if (!WORKFLOW_NAME.test(name)) throw new CliError(`invalid workflow name ${JSON.stringify(name)}: ${WORKFLOW_NAME_RULE}`);
}

/** `project/workflow` → its parts. */
export function parseWorkflowRef(ref: string | undefined, usage: string): { project: string; workflow: string } {
  const m = ref ? /^([^/]+)\/([^/]+)$/.exec(ref) : null;
  if (!m) throw new CliError(`expected <project>/<workflow>, got ${ref === undefined ? 'nothing' : JSON.stringify(ref)}\nusage: ${usage}`);
  return { project: m[1], workflow: m[2] };
}

export function projectOrFail(ws: WorkspaceIndex, name: string): ProjectInfo {
  const p = findProject(ws, name);
  if (p) return p;
  const hint = closest(name, ws.projects.map((x) => x.name));
  throw new CliError(
    `no project "${name}" in ${ws.projectsDir}${hint ? ` (did you mean "${hint}"?)` : ''}; projects: ${ws.projects.map((x) => x.name).join(', ') || '(none)'}`,
    REFUSED,
  );
}

export function workflowOrFail(p: ProjectInfo, name: string): IndexedWorkflow {
  const w = p.workflows.find((x) => x.name === name);
  if (w) return w;
  const hint = closest(name, p.workflows.map((x) => x.name));
  throw new CliError(`project "${p.name}" has no workflow "${name}"${hint ? ` (did you mean "${p.name}/${hint}"?)` : ''}; its workflows: ${p.workflows.map((x) => x.name).join(', ') || '(none)'}`, REFUSED);
}

/**
 * Check a route for a public workflow of `project`: a usage error (exit 2) for a bad method, path or a
 * reserved path; a refusal (exit 1) when another workflow of the project has it.
 */
export function checkRoute(project: ProjectInfo, method: string, path: string, self?: string): void {
  if (!httpMethod.options.includes(method as never)) throw new CliError(`unknown method ${JSON.stringify(method)}: one of ${httpMethod.options.join(', ')}`);
  if (!ROUTE_PATH.test(path)) throw new CliError(`invalid path ${JSON.stringify(path)}: a route path like /orders/lookup (starts with /; letters, digits, . _ ~ -)`);
  if (RESERVED_PATHS.includes(path)) throw new CliError(`${path} is served by every Catalyst app itself (reserved: ${RESERVED_PATHS.join(', ')}); choose another --path`);
  const other = project.workflows.find((w) => w.name !== self && w.visibility === 'public' && w.route?.method === method && w.route.path === path);
  if (other) throw new CliError(`route ${method} ${path} is already taken by workflow "${project.name}/${other.name}" (${other.file}); choose another --path`, REFUSED);
}

/** The validated workspace, or a refusal listing its problems (commands that rewrite calls need it). */
export function requireValidWorkspace(root: string, cwd: string, what: string): Workspace {
  const r = loadWorkspace(root, { base: cwd });
  if (r.workspace) return r.workspace;
  const shown = r.diagnostics.slice(0, 20).map((d) => `  ${formatDiagnostic(d)}`);
  if (r.diagnostics.length > shown.length) shown.push(`  … and ${r.diagnostics.length - shown.length} more`);
  throw new CliError(`cannot ${what}: the definitions have ${r.diagnostics.length} problem(s); fix them first (catalyst validate):\n${shown.join('\n')}`, REFUSED);
}

/** Commit with the workspace check; a rejected change becomes a refusal (nothing was changed). */
export function commitOrFail(files: FileSet, root: string, opts: { ignore?: (d: Diagnostic) => boolean } = {}): Change[] {
  try {
    return commitValidated(files, root, opts);
  } catch (err) {
    throw writeFailure(err);
  }
}

/** commitOrFail, then `then` (see commitValidatedThen: when it throws, the files are put back). */
export async function commitOrFailThen(files: FileSet, root: string, then: () => Promise<void>): Promise<Change[]> {
  try {
    return await commitValidatedThen(files, root, then);
  } catch (err) {
    throw writeFailure(err);
  }
}

function writeFailure(err: unknown): unknown {
  if (err instanceof UserError) return err; // EditRejected: the validation refused it (exit 1 = REFUSED)
  // The file system refused (permissions, a file where a directory belongs, …): the change was rolled back.
  return new CliError(`could not write the change, so nothing was changed: ${(err as Error).message}`, REFUSED);
}

/** Rewrite `workflow:` of the given nodes of one file (staged), keeping its formatting. */
export function rewriteCalls(files: FileSet, path: string, edits: readonly { index: number; target: string }[], extra?: Parameters<typeof editYaml>[1]): string {
  const text = files.read(path);
  if (text === undefined) throw new Error(`cannot read ${path}`);
  return editYaml(text, (doc) => {
    for (const e of edits) doc.setIn(['nodes', e.index, 'workflow'], e.target);
    extra?.(doc);
  });
}

export function printChanges(ctx: CommandContext, changes: readonly Change[], moved: readonly { from: string; to: string }[] = []): void {
  ctx.stdout(describeChanges(changes, ctx.cwd, moved));
}

/**
 * A new YAML definition file: the editor's `$schema` line, then the content; collections at the
 * `flow` paths are written inline (`{ type: string }`, `[a, b]`), as in the examples.
 */
export function definitionText(schemaPath: string, content: Record<string, unknown>, flow: readonly (string | number)[][] = []): string {
  const doc = new Document(content);
  for (const path of flow) {
    const node = doc.getIn(path, true);
    if (isCollection(node)) node.flow = true;
  }
  return `# yaml-language-server: $schema=${schemaPath}\n${doc.toString({ lineWidth: 0 })}`;
}

/** Printed when a command writes `auth: none` for a new public route. */
export const OPEN_NOTE = 'note: auth: none was written: anyone may call it; to require a key, a token, a password or a signature, see docs/security.md\n';
