import type { Value } from '../expressions/value.ts';
import type { EdgeDef, InputSchema, NodeDef, NodeType } from './schema.ts';

/** The immutable, validated model that every later stage reads. */
export interface Workspace {
  /** Directory holding the project folders (usually <repo>/projects). */
  projectsDir: string;
  projects: ProjectModel[];
}

export interface SecretDecl {
  name: string;
  description: string;
}

export interface ProjectModel {
  name: string;
  description: string;
  /** Absolute directory of the project. */
  dir: string;
  /** project.yaml path, relative to the workspace's base for messages. */
  file: string;
  secrets: SecretDecl[];
  env: Record<string, string | number | boolean>;
  defaults: { visibility: 'public' | 'internal'; timeoutMs: number };
  /** The production server: `fastExtras` ships uvloop and httptools (project.yaml `server`). */
  server: { fastExtras: boolean };
  /** Sorted by name. */
  workflows: WorkflowModel[];
}

export type Trigger =
  | { type: 'webhook'; method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string }
  | { type: 'call' }
  | ScheduleTrigger;

/** A clock trigger: the workflow runs at each tick of `cron` read in `timezone` (docs/workflows.md, "Schedules"). */
export interface ScheduleTrigger {
  type: 'schedule';
  cron: string;
  timezone: string;
  /** The fixed input of every run. */
  input: Record<string, unknown>;
  overlap: 'skip' | 'allow';
}

/** Who may call a public workflow (normalized: defaults applied, secret lists, current secret first). */
export type AuthModel =
  | { type: 'none' }
  | { type: 'apiKey'; header: string; secrets: string[] }
  | { type: 'bearer'; secrets: string[] }
  | { type: 'basic'; user: string; secrets: string[] }
  | { type: 'hmac'; scheme: 'github' | 'stripe' | 'generic'; header: string; secrets: string[]; toleranceSeconds: number }
  | { type: 'jwt'; algorithm: 'HS256'; secrets: string[]; issuer?: string; audience?: string };

export interface CallRef {
  node: string;
  /** Target project; equal to the caller's project for in-process calls. */
  project: string;
  workflow: string;
  inProcess: boolean;
}

export interface NodeModel {
  id: string;
  type: NodeType;
  /** The node as written, with defaults applied. */
  def: NodeDef;
  /** The node's expression-bearing fields, parsed. */
  values: Record<string, Value>;
  /** Ids of the nodes with an edge into this one (the entry node has none). */
  inputs: string[];
}

export interface WorkflowModel {
  name: string;
  description: string;
  file: string;
  visibility: 'public' | 'internal';
  trigger: Trigger;
  /** Inbound authentication of the route; `none` for internal workflows (they have no route). */
  auth: AuthModel;
  input: InputSchema;
  timeoutMs: number;
  /** In execution order (a topological order; ties keep the file's order). */
  nodes: NodeModel[];
  edges: EdgeDef[];
  /** True when the file had no edges and the nodes run in order. */
  implicitEdges: boolean;
  calls: CallRef[];
  /** Declared secrets the nodes and the route's auth use, sorted. */
  secrets: string[];
  /** The request headers the workflow reads (its webhook trigger's `headers`, lower case, in file order); [] without a route. */
  requestHeaders: string[];
}

/** Fields of each node type that may hold expressions (top-level keys of the node). */
export const EXPRESSION_FIELDS: Readonly<Record<NodeType, readonly string[]>> = Object.freeze({
  httpRequest: ['url', 'headers', 'query', 'body'],
  llm: ['baseUrl', 'system', 'prompt', 'messages'],
  transform: ['set'],
  condition: ['if'],
  switch: ['value', 'cases'],
  code: ['inputs'],
  javascript: ['item', 'nodes'],
  workflowCall: ['input', 'fallback'],
  respond: ['headers', 'body'],
  log: ['message', 'fields'],
  delay: [],
  merge: [],
});

/** Branch labels a node's outgoing edges may carry ([] = no branch label allowed). */
export function branchesOf(def: NodeDef): string[] {
  if (def.type === 'condition') return ['true', 'false'];
  if (def.type === 'switch') return [...def.cases.map((c) => c.branch), 'default'];
  return [];
}
