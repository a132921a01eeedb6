/**
 * ProjectModel → the typed view model every template renders. Names, imports, routes and Python
 * expressions are computed here; templates only loop and print.
 */
import type { ProjectModel, WorkflowModel, Workspace } from '../definitions/model.ts';
import { branchesOf } from '../definitions/model.ts';
import { pyLiteral, pyNumber, pyStr, pyValue } from '../expressions/python.ts';
import { valueRefs } from '../expressions/value.ts';
import { buildModels, type ModelsView } from './models.ts';
import { moduleName, pascal, peerEnvVar } from './names.ts';
import { nodeView, type NodeView } from './nodes.ts';
import { APP_REQUIREMENTS } from './requirements.ts';

/** The port the app listens on in containers (PORT overrides it). */
export const APP_PORT = 8080;
/**
 * Python minor version of generated apps: the image's and the tests' (this machine's and CI's python3,
 * Debian bookworm's python3 for the test base image; PyPI cannot supply an interpreter). One place.
 */
export const PYTHON_MINOR = '3.11';
/**
 * Default base image of the generated Dockerfile: the official Python image pinned by tag and digest
 * (the multi-platform index digest of python:3.11.16-slim-bookworm as recorded by docker-library's
 * repo-info, 2026-09-01). Bump tag and digest together, deliberately. The Dockerfile takes it as
 * `ARG BASE_IMAGE` so a build can substitute another image of the same Python (our tests' stand-in).
 */
export const BASE_IMAGE =
  'python:3.11.16-slim-bookworm@sha256:c425d915a89a6dcd3183b1797ad9bd8878caff5a417f6371c8df93c8ea8b727f';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface EnvView {
  name: string;
  /** Python literal of the default. */
  py: string;
  /** The default as environment-variable text. */
  text: string;
  type: 'string' | 'number' | 'boolean';
}

export interface ResponseView {
  status: number;
  /** Python source of the OpenAPI response entry. */
  py: string;
}

export interface RouteView {
  workflow: string;
  method: string;
  /** Lower-case method for the FastAPI decorator. */
  decorator: string;
  path: string;
  pathPy: string;
  fn: string;
  model: string;
  inQuery: boolean;
  /** A JSON body whose fields are all optional may be left out (it then reads as {}). */
  optionalBody: boolean;
  statusCode: number;
  summaryPy: string;
  descriptionPy: string;
  responses: ResponseView[];
}

export interface WorkflowView {
  name: string;
  namePy: string;
  module: string;
  model: string;
  visibility: 'public' | 'internal';
  route: string | null;
  docPy: string;
  timeoutPy: string;
  /** `True` when a run may wait on the event loop (see suspendingWorkflows). */
  suspendsPy: 'True' | 'False';
  nodes: NodeView[];
  edges: string[];
}

export interface PeerView {
  project: string;
  projectPy: string;
  envVar: string;
  /** caller workflow → project/workflow, for the README. */
  calls: string[];
}

export interface AppView {
  project: string;
  projectPy: string;
  description: string;
  titlePy: string;
  descriptionPy: string;
  catalystVersion: string;
  catalystVersionPy: string;
  workflows: WorkflowView[];
  /** Workflow module names in the order isort (ruff I001) wants them: natural order, numbers by value. */
  workflowModules: string[];
  routes: RouteView[];
  internal: WorkflowView[];
  models: ModelsView;
  env: EnvView[];
  secrets: { name: string; namePy: string; description: string; descriptionMd: string; cloudRunSecret: string }[];
  peers: PeerView[];
  llmEndpoints: { labelPy: string; fnPy: string }[];
  /** settings.py needs the expression helpers (some LLM base URL is an expression). */
  settingsUsesRx: boolean;
  /** Some node makes outgoing HTTP calls (httpRequest, llm, a cross-project workflowCall): the app starts its HTTP client at startup. */
  usesHttp: boolean;
  requirements: { name: string; version: string }[];
  /** Imports main.py needs beyond Request and Response. */
  mainImports: { annotated: boolean; fastapi: string[] };
  port: number;
  baseImage: string;
  maxBodyBytes: number;
  /** Every environment variable the app reads, for .env.example and the README. */
  envExample: { section: string; vars: { name: string; value: string; comment: string }[] }[];
  /** Values for the deploy configs. */
  deploy: DeployView;
}

export interface DeployView {
  /** Values quoted for YAML (service.yaml, render.yaml). */
  yaml: { serviceName: string; image: string; env: { name: string; value: string }[]; secrets: { name: string; secret: string }[] };
  /** Values quoted for TOML (fly.toml). */
  toml: { app: string; env: { name: string; value: string }[] };
}

/**
 * Natural order as ruff's isort sorts names (strnatcmp): digit runs compare by value, except that a run
 * with a leading zero compares digit by digit (as a fraction would), so `wf_0924` < `wf_3` < `wf_1051`.
 */
export function naturalCompare(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let i = 0;
  let j = 0;
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  while (i < x.length && j < y.length) {
    if (isDigit(x[i]) && isDigit(y[j])) {
      let ei = i;
      let ej = j;
      while (isDigit(x[ei])) ei++;
      while (isDigit(y[ej])) ej++;
      const ra = x.slice(i, ei);
      const rb = y.slice(j, ej);
      if (ra !== rb) {
        if (ra[0] === '0' || rb[0] === '0') return ra < rb ? -1 : 1;
        if (ra.length !== rb.length) return ra.length - rb.length;
        return ra < rb ? -1 : 1;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (x[i] !== y[j]) return x[i] < y[j] ? -1 : 1;
    i++;
    j++;
  }
  return x.length - i - (y.length - j) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A TOML basic string (escapes quotes, backslashes and every control character). */
export function tomlStr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A YAML double-quoted scalar (JSON string syntax is valid YAML 1.2). */
export function yamlStr(s: string): string {
  return JSON.stringify(s).replace(/[\u007f\u0085\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text for a Markdown table cell: one line, pipes escaped (HTML is escaped by the template). */
export function mdCell(s: string): string {
  return oneLine(s).replace(/\|/g, '\\|');
}

/** A value for a .env line: bare when safe, else double-quoted. */
export function dotenvValue(s: string): string {
  return /^[A-Za-z0-9_./:@+,-]*$/.test(s) ? s : JSON.stringify(s);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Node types whose run waits on the event loop: a timer, a socket, a worker thread. */
const SUSPENDING_NODES: ReadonlySet<string> = new Set(['delay', 'httpRequest', 'llm', 'code']);

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

/** True when some run can end without reaching a respond node (it then answers 200 with the last output). */
export function mayEndWithoutRespond(wf: WorkflowModel): boolean {
  for (const n of wf.nodes) {
    if (n.type === 'respond') continue;
    const out = wf.edges.filter((e) => e.from === n.id);
    const branches = branchesOf(n.def);
    if (branches.length === 0 ? out.length === 0 : !branches.every((b) => out.some((e) => e.branch === b))) return true;
  }
  return false;
}

const ERROR_STATUSES: readonly [number, string][] = [
  [400, 'malformed JSON body'],
  [413, 'request body too large'],
  [422, 'input does not match the schema'],
  [500, 'a node failed (code, expression)'],
  [502, 'a dependency failed (HTTP API, LLM, called workflow)'],
  [504, 'the workflow or a dependency timed out'],
];

function routeResponses(wf: WorkflowModel, inQuery: boolean): { statusCode: number; responses: ResponseView[] } {
  const byStatus = new Map<number, string[]>();
  for (const n of wf.nodes) {
    if (n.def.type !== 'respond') continue;
    byStatus.set(n.def.status, [...(byStatus.get(n.def.status) ?? []), n.id]);
  }
  const answers = new Map<number, string>();
  for (const [status, ids] of byStatus) answers.set(status, `respond node${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`);
  if (mayEndWithoutRespond(wf)) answers.set(200, answers.has(200) ? `${answers.get(200)}; or the last node's output` : "the last node's output");
  const responses: ResponseView[] = [];
  for (const [status, desc] of answers) responses.push({ status, py: `any_json(${pyStr(desc)})` });
  for (const [status, desc] of ERROR_STATUSES) {
    if (status === 400 && inQuery) continue;
    const own = answers.get(status);
    if (own) responses.find((r) => r.status === status)!.py = `any_json(${pyStr(`${own}; or an error: ${desc}`)})`;
    else responses.push({ status, py: `{**ERROR_RESPONSE, "description": ${pyStr(desc)}}` });
  }
  responses.sort((a, b) => a.status - b.status);
  const success = [...answers.keys()].filter((s) => s >= 200 && s < 300).sort((a, b) => a - b);
  return { statusCode: success[0] ?? 200, responses };
}

function envText(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function buildView(project: ProjectModel, workspace: Workspace, catalystVersion: string): AppView {
  // Sorted here too (the loader sorts already), so the output never depends on insertion order.
  const workflows = [...project.workflows].sort(byName);
  const classOf = new Map(workflows.map((w) => [w.name, `${pascal(w.name)}Input`]));
  const models = buildModels(
    workflows.map((w) => ({
      name: w.name,
      className: classOf.get(w.name)!,
      input: w.input,
      lax: w.trigger.type === 'webhook' && (w.trigger.method === 'GET' || w.trigger.method === 'DELETE'),
    })),
  );

  const suspending = suspendingWorkflows(project);
  const wfViews: WorkflowView[] = workflows.map((w) => {
    const nodes = w.nodes.map((n) => nodeView(n, project, workspace));
    const edges = w.edges.map((e) => `Edge(${pyStr(e.from)}, ${pyStr(e.to)}${e.branch !== undefined ? `, ${pyStr(e.branch)}` : ''})`);
    const route = w.trigger.type === 'webhook' ? `${w.trigger.method} ${w.trigger.path}` : null;
    const doc = `Workflow ${w.name} (${w.visibility}${route ? `, ${route}` : ', no route'})${w.description ? `: ${w.description}` : ''}`;
    return {
      name: w.name,
      namePy: pyStr(w.name),
      module: moduleName(w.name),
      model: classOf.get(w.name)!,
      visibility: w.visibility,
      route,
      docPy: pyStr(doc),
      timeoutPy: pyNumber(w.timeoutMs / 1000),
      suspendsPy: suspending.has(w.name) ? 'True' : 'False',
      nodes,
      edges,
    };
  });

  const routes: RouteView[] = workflows
    .filter((w) => w.trigger.type === 'webhook')
    .map((w) => {
      const t = w.trigger as Extract<WorkflowModel['trigger'], { type: 'webhook' }>;
      const inQuery = t.method === 'GET' || t.method === 'DELETE';
      const { statusCode, responses } = routeResponses(w, inQuery);
      return {
        workflow: w.name,
        method: t.method,
        decorator: t.method.toLowerCase(),
        path: t.path,
        pathPy: pyStr(t.path),
        fn: `route_${moduleName(w.name)}`,
        model: classOf.get(w.name)!,
        inQuery,
        optionalBody: !inQuery && w.input.required.length === 0,
        statusCode,
        summaryPy: pyStr(`workflow ${w.name}`),
        descriptionPy: pyStr(w.description || `Runs workflow ${w.name}.`),
        responses,
      };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.method < b.method ? -1 : a.method > b.method ? 1 : 0));

  const peerCalls = new Map<string, string[]>();
  for (const w of workflows) for (const c of w.calls) if (!c.inProcess) peerCalls.set(c.project, [...(peerCalls.get(c.project) ?? []), `${w.name} → ${c.project}/${c.workflow}`]);
  const peers: PeerView[] = [...peerCalls.keys()].sort().map((p) => ({ project: p, projectPy: pyStr(p), envVar: peerEnvVar(p), calls: peerCalls.get(p)! }));

  const llmEndpoints: AppView['llmEndpoints'] = [];
  for (const w of workflows) {
    for (const n of w.nodes) {
      const base = n.def.type === 'llm' ? n.values.baseUrl : undefined;
      if (!base || !valueRefs(base).every((r) => r.ref.root === 'env')) continue;
      llmEndpoints.push({ labelPy: pyStr(`${w.name}.${n.id}`), fnPy: `lambda ctx: ${pyValue(base)}` });
    }
  }

  const env: EnvView[] = Object.entries(project.env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, v]) => ({
    name,
    py: pyLiteral(v),
    text: envText(v),
    type: typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string',
  }));
  const secrets = [...project.secrets].sort(byName).map((s) => ({
    name: s.name,
    namePy: pyStr(s.name),
    description: s.description,
    descriptionMd: mdCell(s.description),
    cloudRunSecret: `${project.name}-${s.name.toLowerCase().replace(/_/g, '-')}`,
  }));

  const plainEnv = [...env.map((e) => ({ name: e.name, value: e.text })), ...peers.map((p) => ({ name: p.envVar, value: '' }))];
  const envExample: AppView['envExample'] = [];
  if (secrets.length) envExample.push({ section: 'Secrets: required, the app refuses to start without them. Never commit values.', vars: secrets.map((s) => ({ name: s.name, value: '', comment: oneLine(s.description) })) });
  if (env.length) envExample.push({ section: 'Settings from project.yaml (env); the values below are the defaults.', vars: env.map((e) => ({ name: e.name, value: dotenvValue(e.text), comment: e.type })) });
  if (peers.length) envExample.push({ section: 'Peer projects: base URL of each project this app calls over HTTP.', vars: peers.map((p) => ({ name: p.envVar, value: '', comment: `base URL of project ${p.project}, e.g. http://127.0.0.1:8001` })) });
  envExample.push({
    section: 'Server (all optional).',
    vars: [
      { name: 'PORT', value: String(APP_PORT), comment: 'port to listen on' },
      { name: 'CATALYST_HOST', value: '0.0.0.0', comment: 'interface to listen on (127.0.0.1 for local only)' },
      { name: 'CATALYST_LOG_LEVEL', value: 'info', comment: 'debug | info | warning | error' },
      { name: 'CATALYST_MAX_BODY_BYTES', value: String(DEFAULT_MAX_BODY_BYTES), comment: 'larger request bodies get 413' },
      { name: 'CATALYST_GIT_COMMIT', value: '', comment: 'shown by /version (set by the deployer)' },
      { name: 'CATALYST_GIT_DIRTY', value: '', comment: 'true | false, shown by /version' },
    ],
  });

  return {
    project: project.name,
    projectPy: pyStr(project.name),
    description: project.description,
    titlePy: pyStr(project.name),
    descriptionPy: pyStr(project.description || `Catalyst project ${project.name}`),
    catalystVersion,
    workflowModules: wfViews.map((w) => w.module).sort(naturalCompare),
    catalystVersionPy: pyStr(catalystVersion),
    workflows: wfViews,
    routes,
    internal: wfViews.filter((w) => w.visibility === 'internal'),
    models,
    env,
    secrets,
    peers,
    llmEndpoints,
    settingsUsesRx: llmEndpoints.some((l) => l.fnPy.includes('rx.')),
    usesHttp: peers.length > 0 || workflows.some((w) => w.nodes.some((n) => n.def.type === 'httpRequest' || n.def.type === 'llm')),
    requirements: APP_REQUIREMENTS.map(([name, version]) => ({ name, version })),
    mainImports: {
      annotated: routes.some((r) => r.inQuery || r.optionalBody),
      fastapi: [...(routes.some((r) => r.optionalBody) ? ['Body'] : []), ...(routes.some((r) => r.inQuery) ? ['Query'] : []), 'Request', 'Response'],
    },
    port: APP_PORT,
    baseImage: BASE_IMAGE,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    envExample,
    deploy: {
      yaml: {
        serviceName: project.name,
        image: yamlStr(`REPLACE-WITH-IMAGE/${project.name}:latest`),
        env: plainEnv.map((e) => ({ name: e.name, value: yamlStr(e.value) })),
        secrets: secrets.map((s) => ({ name: s.name, secret: s.cloudRunSecret })),
      },
      toml: { app: tomlStr(project.name), env: plainEnv.map((e) => ({ name: e.name, value: tomlStr(e.value) })) },
    },
  };
}
