import type { EdgeDef } from '../definitions/schema.ts';
import type { N8nNode } from './export.ts';
import type { ExprScope } from './expr.ts';
import type { ImportIssue, Severity } from './issues.ts';
import type { View } from './views.ts';

/** One of our node definitions, as written to the workflow file (keys in output order). */
export type NodeOut = { id: string; type: string; description?: string } & Record<string, unknown>;

/** Where the next node's incoming edge comes from: our node (and branch), or the start of the workflow. */
export interface Attach {
  from?: string;
  branch?: string;
  /** An error edge: taken when `from` fails. */
  error?: true;
}

/** A response that a Respond to Webhook node with successors defers to the end of each path. */
export interface PendingRespond {
  status: number;
  headers: Record<string, unknown>;
  body?: unknown;
  node: string;
}

export interface Converted {
  /** Our nodes for this n8n node; without `edges` they run in this order. May be empty (pass-through). */
  nodes: NodeOut[];
  edges?: EdgeDef[];
  /** The node incoming edges attach to (default: the first node). */
  entry?: string;
  /** Attach points per n8n output index; 'pass' means "where this node's input came from". */
  outputs?: Attach[][] | 'pass';
  /** The item this node outputs ('pass': its input item). */
  view: View | 'pass';
  /** For IF/Switch: output index 0 is the "main" output n8n's lastNode response reads. */
  branching?: boolean;
  /** A Respond to Webhook deferred to the leaves below it. */
  respond?: PendingRespond;
  /** The node itself responds (a respond node at a leaf). */
  responds?: boolean;
  /** Attach points where nothing continues and no output index applies (a switch's unmatched items). */
  unrouted?: Attach[];
}

/** Shared state of one import: secrets and settings the project must declare. */
export interface ProjectAcc {
  secrets: Map<string, string>;
  env: Map<string, string | number | boolean>;
  /** n8n credential (type + id/name) → our secret name. */
  credentials: Map<string, string>;
}

/** What resolving an Execute Workflow target gives. */
export interface CallTarget {
  workflow: string;
}

export interface WorkflowInfo {
  file: string;
  /** Our workflow name. */
  name: string;
  /** n8n workflow name and id (for $workflow). */
  n8nName: string;
  n8nId?: string;
  trigger: N8nNode;
  /** How the workflow answers: a webhook's response mode, or `call` for internal workflows. */
  responseMode: 'onReceived' | 'lastNode' | 'responseNode' | 'call' | 'none';
  /** Webhooks: the request headers the workflow reads (its trigger declares them). */
  headers?: Set<string>;
}

export interface NodeEnv {
  n8n: N8nNode;
  /** Our id for this node (unique in the workflow). */
  id: string;
  /** Another unique id, for converters that emit more than one node. */
  newId(suffix: string): string;
  scope: ExprScope;
  /** The item this node receives ($json). */
  input?: View;
  wf: WorkflowInfo;
  project: ProjectAcc;
  issue(severity: Exclude<Severity, 'error'>, code: string, reason: string, detail?: Partial<ImportIssue>): void;
  /** Resolve an Execute Workflow target (by id or name) among the imported files. */
  resolveCall(ref: { id?: string; name?: string; self?: boolean }): CallTarget;
  /** Record that a workflowCall node passes the whole item; its input map is filled once the callee is known. */
  passItem(nodeId: string, callee: string, view: View): void;
  /** Language-model sub-nodes attached to this node (ai_languageModel connections). */
  languageModels(): N8nNode[];
  /** Apply the import's URL rewrites (--rewrite-url from=to) to a converted URL value. */
  rewriteUrl(url: unknown): unknown;
  /** True when other nodes are connected to this node's outputs. */
  hasSuccessors: boolean;
  /** A node of this workflow converted before this one (an ancestor when this one reads it), by our id. */
  converted(id: string): NodeOut | undefined;
}

/** A short type name: `n8n-nodes-base.httpRequest` → `httpRequest`. */
export function shortType(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1);
}

/** Description written on our node: which n8n node it came from. */
export function describeNode(n: N8nNode): string {
  return `n8n: ${n.name} (${shortType(n.type)} v${n.typeVersion})`;
}

export interface ImportOptions {
  allowPartial: boolean;
  /** Literal URL prefixes to replace in HTTP nodes: [from, to]. */
  urlRewrites?: [string, string][];
  /** n8n node names (per workflow name) to replace with stubs, with the reason (set by the validation pass). */
  forcedStubs?: Map<string, Map<string, string>>;
  /** Workflows (by our name) to refuse, with the reason (set by the validation pass). */
  refuse?: Map<string, string>;
}

export interface WorkflowOut {
  info: WorkflowInfo;
  doc: Record<string, unknown>;
  /** Our node id → n8n node name (for mapping validation problems back). */
  origin: Map<string, string>;
}
