/**
 * The HTTP routes of a generated app (view model for main.py, registry.py and the smoke tests): one per
 * webhook workflow, with its status code and the OpenAPI responses it documents.
 */
import type { AuthModel, WorkflowModel } from '../definitions/model.ts';
import { branchesOf } from '../definitions/model.ts';
import { pyStr } from '../expressions/python.ts';
import { moduleName } from './names.ts';

export interface ResponseView {
  status: number;
  /** Python source of the OpenAPI response entry. */
  py: string;
}

export interface RouteView {
  workflow: string;
  workflowPy: string;
  method: string;
  methodPy: string;
  /** Lower-case method for the FastAPI decorator. */
  decorator: string;
  decoratorPy: string;
  path: string;
  pathPy: string;
  fn: string;
  operationIdPy: string;
  model: string;
  inQuery: boolean;
  /** A JSON body whose fields are all optional may be left out (it then reads as {}). */
  optionalBody: boolean;
  statusCode: number;
  summaryPy: string;
  descriptionPy: string;
  responses: ResponseView[];
  /** Python source of the route's AuthSpec (catalyst_runtime/auth.py), or null for auth: none. */
  authPy: string | null;
  /** `openapi_extra` documenting the request headers the workflow reads, or null when it reads none. */
  openapiExtraPy: string | null;
}

/** What main.py imports beyond Request and Response. */
export interface MainImportsView {
  /** `from typing import Annotated` is needed. */
  annotated: boolean;
  /** The names after `from fastapi import`. */
  fastapiPy: string;
}

/** True when some run can end without reaching a respond node (it then answers 200 with the last output). */
export function mayEndWithoutRespond(wf: WorkflowModel): boolean {
  for (const n of wf.nodes) {
    if (n.type === 'respond') continue;
    const out = wf.edges.filter((e) => e.from === n.id && !e.error); // an error edge runs only when the node fails
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

/** The routes of the webhook workflows, sorted by path then method; `modelOf` names each input model. */
export function buildRoutes(workflows: readonly WorkflowModel[], modelOf: (workflow: string) => string, peerKeyed: ReadonlySet<string> = new Set()): RouteView[] {
  return workflows
    .filter((w) => w.trigger.type === 'webhook')
    .map((w) => {
      const t = w.trigger as Extract<WorkflowModel['trigger'], { type: 'webhook' }>;
      const inQuery = t.method === 'GET' || t.method === 'DELETE';
      const { statusCode, responses } = routeResponses(w, inQuery);
      const module = moduleName(w.name);
      return {
        workflow: w.name,
        workflowPy: pyStr(w.name),
        method: t.method,
        methodPy: pyStr(t.method),
        decorator: t.method.toLowerCase(),
        decoratorPy: pyStr(t.method.toLowerCase()),
        path: t.path,
        pathPy: pyStr(t.path),
        fn: `route_${module}`,
        operationIdPy: pyStr(module),
        model: modelOf(w.name),
        inQuery,
        optionalBody: !inQuery && w.input.required.length === 0,
        statusCode,
        summaryPy: pyStr(`workflow ${w.name}`),
        descriptionPy: pyStr(w.description || `Runs workflow ${w.name}.`),
        responses,
        authPy: authSpecPy(w.auth, peerKeyed.has(w.name)),
        openapiExtraPy: headerParamsPy(w.requestHeaders),
      };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
}

/**
 * A workflow's auth as a Python AuthSpec(...) expression; null for none. `peerKey`: other projects call
 * it, so it also accepts the project's peer key (src/contracts/peer-key.ts).
 */
export function authSpecPy(a: AuthModel, peerKey = false): string | null {
  if (a.type === 'none') return null;
  const args = [`type=${pyStr(a.type)}`, `secrets=(${a.secrets.map((s) => `${pyStr(s)},`).join(' ')})`];
  if (a.type === 'apiKey' || a.type === 'hmac') args.push(`header=${pyStr(a.header)}`);
  if (a.type === 'basic') args.push(`user=${pyStr(a.user)}`);
  if (a.type === 'hmac') args.push(`scheme=${pyStr(a.scheme)}`, `tolerance_seconds=${a.toleranceSeconds}`);
  if (a.type === 'jwt') {
    if (a.issuer !== undefined) args.push(`issuer=${pyStr(a.issuer)}`);
    if (a.audience !== undefined) args.push(`audience=${pyStr(a.audience)}`);
  }
  if (peerKey) args.push('peer_key=True');
  return `AuthSpec(${args.join(', ')})`;
}

export function mainImports(routes: readonly RouteView[]): MainImportsView {
  const optionalBody = routes.some((r) => r.optionalBody);
  const inQuery = routes.some((r) => r.inQuery);
  return {
    annotated: inQuery || optionalBody,
    fastapiPy: [...(optionalBody ? ['Body'] : []), ...(inQuery ? ['Query'] : []), 'Request', 'Response'].join(', '),
  };
}

/** Header parameters OpenAPI 3 says tools ignore (Accept, Content-Type, Authorization: the security scheme and the body describe them). */
const NOT_PARAMETERS = ['accept', 'content-type', 'authorization'];

/** The declared request headers as OpenAPI header parameters (optional text), for the route's `openapi_extra`. */
function headerParamsPy(declared: readonly string[]): string | null {
  const headers = declared.filter((h) => !NOT_PARAMETERS.includes(h));
  if (!headers.length) return null;
  const params = headers.map((h) => `{"name": ${pyStr(h)}, "in": "header", "required": False, "schema": {"type": "string"}, "description": ${pyStr(`read by the workflow (request.headers${/^[a-z_][a-z0-9_]*$/.test(h) ? `.${h}` : `['${h}']`})`)}}`);
  return `{"parameters": [${params.join(', ')}]}`;
}
