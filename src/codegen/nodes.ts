/**
 * Each node → the Python its workflow module runs (view model for templates/app/app/workflows/workflow.py.ejs).
 * Expressions become Python expressions over `ctx` (src/expressions/python.ts); user strings only ever
 * become Python string literals. A code node's body is the one place user Python appears, as a nested def.
 */
import type { NodeModel, ProjectModel, Workspace } from '../definitions/model.ts';
import type { NodeDef } from '../definitions/schema.ts';
import { pyNumber, pyStr, pyValue } from '../expressions/python.ts';
import type { Value } from '../expressions/value.ts';
import { syncAwait } from './javascript.ts';
import { urlEncodedPart } from '../definitions/urls.ts';
import { dedent } from './names.ts';
import { UserError } from '../shared/errors.ts';

export class CodegenError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'CodegenError';
  }
}

export interface Arg {
  name: string;
  py: string;
}

export type NodeBody =
  /** `return <expr>` */
  | { kind: 'return'; expr: string }
  /** `return [await ]<modulePy>.<helper>(ctx, k=v, …)`; awaitPy is `await ` or '' */
  | { kind: 'call'; awaitPy: string; modulePy: string; helper: string; args: Arg[] }
  /**
   * a nested `def user_code(<paramsPy>):` with the user's body (lines indented for it, blank lines
   * empty), run in a worker thread
   */
  | { kind: 'code'; paramsPy: string; lines: string[]; args: Arg[]; node: string; outputs: string }
  /** a switch: evaluate the value once, then each case in order */
  | { kind: 'switch'; value: string | null; cases: { test: string; branch: string }[] };

export interface NodeView {
  id: string;
  type: string;
  fn: string;
  /** Python source of the Node(...) constructor arguments. */
  decl: string;
  body: NodeBody;
}

const NONE = 'None';
const AWAIT = 'await ';
/** The indent of a code node's body inside `def user_code` (itself inside the node's async def). */
const CODE_INDENT = '        ';

/** A Python tuple of string literals: `()`, `("a",)`, `("a", "b")`. */
export function pyTuple(items: readonly string[]): string {
  if (items.length === 1) return `(${pyStr(items[0])},)`;
  return `(${items.map(pyStr).join(', ')})`;
}

function value(v: Value | undefined): string {
  return v === undefined ? NONE : pyValue(v);
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? NONE : pyNumber(ms / 1000);
}

/** The Value of one key inside an object-valued field (e.g. a switch case's `equals`). */
function entry(v: Value | undefined, key: string): Value | undefined {
  if (v?.kind !== 'object') return undefined;
  return v.entries.find(([k]) => k === key)?.[1];
}

function callee(project: ProjectModel, workspace: Workspace, def: Extract<NodeDef, { type: 'workflowCall' }>) {
  const slash = def.workflow.indexOf('/');
  const pname = slash === -1 ? project.name : def.workflow.slice(0, slash);
  const wname = slash === -1 ? def.workflow : def.workflow.slice(slash + 1);
  const p = pname === project.name ? project : workspace.projects.find((x) => x.name === pname);
  const w = p?.workflows.find((x) => x.name === wname);
  if (!p || !w) throw new CodegenError(`node ${def.id}: workflow "${def.workflow}" is not in the workspace`);
  return { project: p, workflow: w, inProcess: slash === -1 };
}

/** The allow_hosts argument (none when the URL's origin is fixed at build time). */
function allowHostsPy(allow: 'any' | string[] | undefined): Arg[] {
  if (allow === undefined) return [];
  return [{ name: 'allow_hosts', py: allow === 'any' ? pyStr('any') : pyTuple([...allow].sort()) }];
}

/** An outgoing URL: request data in it is percent-encoded, one piece at a time (src/definitions/urls.ts). */
function urlValue(v: Value | undefined): string {
  if (v?.kind !== 'template') return value(v);
  return `"".join((${v.parts.map((p) => ('text' in p ? pyStr(p.text) : urlEncodedPart(p.expr) ? `rx.url_part(${pyValue({ kind: 'expr', expr: p.expr })})` : `rx.text(${pyValue({ kind: 'expr', expr: p.expr })})`)).join(', ')},))`;
}

export function nodeView(node: NodeModel, project: ProjectModel, workspace: Workspace, workflowName = ''): NodeView {
  const def = node.def;
  const v = node.values;
  const fn = `_n_${node.id}`;
  const inputs = node.inputs.length ? `, ${pyTuple(node.inputs)}` : '';
  const decl = `${pyStr(node.id)}, ${pyStr(def.type)}, ${fn}${inputs}`;
  const view = (body: NodeBody): NodeView => ({ id: node.id, type: def.type, fn, decl, body });
  switch (def.type) {
    case 'transform':
      return view({ kind: 'return', expr: value(v.set) });
    case 'condition':
      return view({ kind: 'return', expr: `nodes.condition(${value(v.if ?? { kind: 'literal', value: def.if as boolean })})` });
    case 'switch': {
      const cases = def.cases.map((c, i) => {
        const cv = v.cases?.kind === 'array' ? v.cases.items[i] : undefined;
        const test = c.equals !== undefined ? `rx.eq(value, ${value(entry(cv, 'equals'))})` : `rx.truthy(${value(entry(cv, 'when'))})`;
        return { test, branch: pyStr(c.branch) };
      });
      return view({ kind: 'switch', value: def.value !== undefined ? value(v.value) : null, cases });
    }
    case 'merge':
      return view({ kind: 'return', expr: `nodes.merge(ctx, ${pyStr(def.mode)})` });
    case 'delay':
      return view({ kind: 'call', modulePy: 'nodes', awaitPy: AWAIT, helper: 'delay', args: [{ name: 'seconds', py: pyNumber(def.ms / 1000) }] });
    case 'log':
      return view({
        kind: 'call',
        modulePy: 'nodes',
        awaitPy: '',
        helper: 'log',
        args: [
          { name: 'level', py: pyStr(def.level) },
          { name: 'message', py: value(v.message) },
          { name: 'fields', py: value(v.fields) },
        ],
      });
    case 'respond':
      return view({ kind: 'return', expr: `nodes.respond(${def.status}, ${v.headers ? value(v.headers) : '{}'}, ${value(v.body)})` });
    case 'httpRequest': {
      const allow = allowHostsPy(def.allowHosts);
      const auth = def.auth ? `(${pyStr(def.auth.secret)}, ${pyStr(def.auth.scheme)}, ${def.auth.header ? pyStr(def.auth.header) : NONE})` : NONE;
      return view({
        kind: 'call',
        modulePy: 'nodes',
        awaitPy: AWAIT,
        helper: 'http_request',
        args: [
          { name: 'method', py: pyStr(def.method) },
          { name: 'url', py: def.allowHosts === undefined ? urlValue(v.url) : value(v.url) },
          { name: 'headers', py: v.headers ? value(v.headers) : '{}' },
          { name: 'query', py: v.query ? value(v.query) : '{}' },
          { name: 'body', py: value(v.body) },
          { name: 'has_body', py: def.body !== undefined ? 'True' : 'False' },
          ...(def.bodyType === 'json' ? [] : [{ name: 'body_type', py: pyStr(def.bodyType) }]),
          { name: 'auth', py: auth },
          { name: 'timeout_s', py: seconds(def.timeoutMs) },
          { name: 'retries', py: String(def.retries) },
          { name: 'response_type', py: pyStr(def.responseType) },
          ...(def.textKey === undefined ? [] : [{ name: 'text_key', py: pyStr(def.textKey) }]),
          { name: 'fail_on_error', py: def.failOnError ? 'True' : 'False' },
          ...allow,
        ],
      });
    }
    case 'llm':
      return view({
        kind: 'call',
        modulePy: 'nodes',
        awaitPy: AWAIT,
        helper: 'llm',
        args: [
          { name: 'base_url', py: def.allowHosts === undefined ? urlValue(v.baseUrl ?? { kind: 'literal', value: def.baseUrl }) : value(v.baseUrl) },
          { name: 'model', py: pyStr(def.model) },
          { name: 'system', py: value(v.system) },
          { name: 'prompt', py: value(v.prompt) },
          ...(def.messages ? [{ name: 'messages', py: value(v.messages) }] : []),
          { name: 'temperature', py: def.temperature === undefined ? NONE : pyNumber(def.temperature) },
          { name: 'max_tokens', py: def.maxTokens === undefined ? NONE : String(def.maxTokens) },
          { name: 'api_key_secret', py: pyStr(def.apiKeySecret) },
          { name: 'json_mode', py: def.json ? 'True' : 'False' },
          { name: 'timeout_s', py: seconds(def.timeoutMs) },
          { name: 'retries', py: String(def.retries) },
          ...allowHostsPy(def.allowHosts),
        ],
      });
    case 'code': {
      const params = Object.keys(def.inputs);
      const lines = dedent(def.code).map((l) => (l === '' ? '' : CODE_INDENT + l));
      const args = params.map((p) => ({ name: p, py: value(entry(v.inputs, p)) }));
      const outputs = pyTuple(def.outputs);
      return view({ kind: 'code', paramsPy: params.join(', '), lines, args, node: pyStr(node.id), outputs });
    }
    case 'javascript':
      return view({
        kind: 'call',
        modulePy: 'jsrt',
        awaitPy: AWAIT,
        helper: 'run_javascript',
        args: [
          { name: 'code', py: pyStr(syncAwait(def.code)) },
          { name: 'mode', py: pyStr(def.mode) },
          { name: 'item', py: def.item === undefined ? NONE : value(v.item) },
          { name: 'nodes', py: v.nodes ? value(v.nodes) : '{}' },
          { name: 'env', py: pyTuple(def.env) },
          { name: 'timeout_ms', py: String(def.timeoutMs) },
          { name: 'workflow', py: `{"id": ${pyStr(workflowName)}, "name": ${pyStr(workflowName)}, "active": True}` },
        ],
      });
    case 'workflowCall': {
      const c = callee(project, workspace, def);
      const fallback = def.fallback !== undefined ? value(v.fallback) : NONE;
      const common: Arg[] = [
        { name: 'timeout_s', py: seconds(def.timeoutMs) },
        { name: 'on_error', py: pyStr(def.onError) },
        { name: 'fallback', py: `lambda: ${fallback}` },
      ];
      if (c.inProcess) {
        return view({ kind: 'call', modulePy: 'nodes', awaitPy: AWAIT, helper: 'call_workflow', args: [{ name: 'target', py: pyStr(c.workflow.name) }, { name: 'input', py: value(v.input) }, ...common] });
      }
      if (c.workflow.trigger.type !== 'webhook') throw new CodegenError(`node ${def.id}: ${def.workflow} has no route (only public workflows can be called from another project)`);
      return view({
        kind: 'call',
        modulePy: 'nodes',
        awaitPy: AWAIT,
        helper: 'call_peer',
        args: [
          { name: 'project', py: pyStr(c.project.name) },
          { name: 'workflow', py: pyStr(c.workflow.name) },
          { name: 'method', py: pyStr(c.workflow.trigger.method) },
          { name: 'path', py: pyStr(c.workflow.trigger.path) },
          { name: 'input', py: value(v.input) },
          { name: 'timeout_s', py: seconds(def.timeoutMs) },
          { name: 'retries', py: String(def.retries) },
          { name: 'on_error', py: pyStr(def.onError) },
          { name: 'fallback', py: `lambda: ${fallback}` },
        ],
      });
    }
  }
}
