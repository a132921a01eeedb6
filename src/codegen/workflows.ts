/**
 * One view per workflow (view model for app/workflows/<module>.py and the registry): its module and
 * model names, its nodes and edges as Python source, and whether a run may wait on the event loop.
 */
import { credentialHeaders } from '../definitions/headers.ts';
import type { ProjectModel, WorkflowModel, Workspace } from '../definitions/model.ts';
import { pyNumber, pyStr } from '../expressions/python.ts';
import { moduleName } from './names.ts';
import { nodeView, type NodeView } from './nodes.ts';

export interface WorkflowView {
  name: string;
  namePy: string;
  /** `"/<name>"`: the path an internal workflow has no route at (the smoke tests check the 404). */
  namePathPy: string;
  module: string;
  model: string;
  visibility: 'public' | 'internal';
  route: string | null;
  docPy: string;
  timeoutPy: string;
  /** `True` when a run may wait on the event loop (see suspendingWorkflows). */
  suspendsPy: 'True' | 'False';
  /** The names the module imports from catalyst_runtime.engine. */
  engineImportsPy: string;
  /** Optional runtime modules the workflow's nodes call (e.g. the JavaScript engine), one import line each. */
  runtimeImportsPy: string[];
  /** Some node is JavaScript (the app then carries catalyst_runtime/js.py, Luxon and mini-racer). */
  usesJs: boolean;
  nodes: NodeView[];
  edges: string[];
  /** `Workflow(...)` arguments for the request headers it reads (and which carry credentials); [] for none. */
  headerArgsPy: string[];
}

const pyTuple = (items: readonly string[]): string => `(${items.map(pyStr).join(', ')}${items.length === 1 ? ',' : ''})`;

/** Node types whose run waits on the event loop: a timer, a socket, a worker thread. */
const SUSPENDING_NODES: ReadonlySet<string> = new Set(['delay', 'httpRequest', 'llm', 'code', 'javascript']);

/**
 * The workflows whose runs may give the event loop control: a delay, httpRequest, llm or code node, a
 * cross-project call, or an in-process call of such a workflow (to a fixpoint). A run of any other
 * workflow completes within one step of the loop, so no timeout could fire during it and the engine
 * sets no timer for it.
 */
export function suspendingWorkflows(project: ProjectModel): Set<string> {
  const out = new Set<string>();
  for (const w of project.workflows) {
    if (w.nodes.some((n) => SUSPENDING_NODES.has(n.def.type)) || w.calls.some((c) => !c.inProcess)) out.add(w.name);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const w of project.workflows) {
      if (!out.has(w.name) && w.calls.some((c) => c.inProcess && out.has(c.workflow))) {
        out.add(w.name);
        changed = true;
      }
    }
  }
  return out;
}

/** The views of `workflows` (sorted by the caller); `modelOf` names each input model. */
export function buildWorkflows(
  workflows: readonly WorkflowModel[],
  project: ProjectModel,
  workspace: Workspace,
  modelOf: (workflow: string) => string,
): WorkflowView[] {
  const suspending = suspendingWorkflows(project);
  return workflows.map((w) => {
    const nodes = w.nodes.map((n) => nodeView(n, project, workspace, w.name));
    const usesJs = w.nodes.some((n) => n.def.type === 'javascript');
    const edges = w.edges.map((e) => `Edge(${pyStr(e.from)}, ${pyStr(e.to)}${e.branch !== undefined ? `, ${pyStr(e.branch)}` : ''}${e.error ? ', on_error=True' : ''})`);
    const route = w.trigger.type === 'webhook' ? `${w.trigger.method} ${w.trigger.path}` : null;
    const doc = `Workflow ${w.name} (${w.visibility}${route ? `, ${route}` : ', no route'})${w.description ? `: ${w.description}` : ''}`;
    return {
      name: w.name,
      namePy: pyStr(w.name),
      namePathPy: pyStr(`/${w.name}`),
      module: moduleName(w.name),
      model: modelOf(w.name),
      visibility: w.visibility,
      route,
      docPy: pyStr(doc),
      timeoutPy: pyNumber(w.timeoutMs / 1000),
      suspendsPy: suspending.has(w.name) ? 'True' : 'False',
      engineImportsPy: ['Call', ...(edges.length ? ['Edge'] : []), 'Node', 'Result', 'Run', 'Workflow'].join(', '),
      runtimeImportsPy: usesJs ? ['from catalyst_runtime import js as jsrt'] : [],
      usesJs,
      nodes,
      edges,
      headerArgsPy: headerArgs(w),
    };
  });
}

/** `headers=(…)` and `secret_headers=(…)` for a workflow that reads request headers. */
function headerArgs(w: WorkflowModel): string[] {
  if (!w.requestHeaders.length) return [];
  const secret = credentialHeaders(w.requestHeaders, w.auth);
  return [`headers=${pyTuple(w.requestHeaders)}`, ...(secret.length ? [`secret_headers=${pyTuple(secret)}`] : [])];
}
