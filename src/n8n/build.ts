import type { EdgeDef } from '../definitions/schema.ts';
import { shortType, type Attach, type Converted, type ImportOptions, type NodeEnv, type NodeOut, type PendingRespond, type ProjectAcc, type WorkflowInfo, type WorkflowOut } from './context.ts';
import type { N8nNode } from './export.ts';
import type { ExprScope } from './expr.ts';
import { reachable, reachableFromTrigger, type FilePlan } from './graph.ts';
import { JsExpressions } from './jsrun.ts';
import { Refused, Unsupported, unsupported, type ImportIssue, type Severity } from './issues.ts';
import { convertNode, nodeSettings, stubFor, withJsBefore } from './nodes/dispatch.ts';
import { withErrorOutputs } from './nodes/errors.ts';
import { mergeKind } from './nodes/merge.ts';
import { leafResponse, respondNode } from './nodes/respond.ts';
import type { TriggerPlan } from './nodes/triggers.ts';
import { Names, snakeId } from './paths.ts';
import { noteJsHeaders, type View } from './views.ts';

/**
 * Builds one workflow definition from an n8n trigger: walks the nodes it reaches in topological order,
 * converts every node once per way of reaching it (see convert.ts), wires the edges, and adds the
 * responses where paths end and a start node when there is more than one entry.
 */

const MAX_COPIES = 200;

/** A workflowCall node that passes the whole item: its input is filled once the callee is built. */
export interface PendingCall {
  wf: WorkflowOut;
  file: FilePlan;
  nodeId: string;
  n8nNode: string;
  callee: string;
  view: View;
}

/** What the build needs from the whole import (the Converter). */
export interface BuildHost {
  readonly opts: ImportOptions;
  readonly project: ProjectAcc;
  readonly pendingCalls: PendingCall[];
  resolveCall(from: FilePlan, ref: { id?: string; name?: string; self?: boolean }): string;
  rewriteUrl(u: unknown): unknown;
  nodeError(plan: FilePlan, info: WorkflowInfo, nodeName: string, err: Unsupported): void;
}

export interface Inst {
  n8n: N8nNode;
  id: string;
  /** (parent instance, its output index, our input index); the trigger has none. */
  parents: { inst: Inst; output: number; input: number }[];
  view: View;
  outputs: Attach[][];
  /** Per output index, the item's view where it is not `view` (an error output). */
  views?: (View | undefined)[];
  branching: boolean;
  respond?: PendingRespond;
  responds: boolean;
  unrouted: Attach[];
}

export function buildWorkflow(host: BuildHost, plan: FilePlan, trigger: N8nNode, info: WorkflowInfo, tplan: TriggerPlan): WorkflowOut {
  const order = reachable(plan, trigger.name);
  const ids = new Names('_', 64);
  const out: NodeOut[] = [];
  const responds: NodeOut[] = [];
  const edges: EdgeDef[] = [];
  const origin = new Map<string, string>();
  const starts: string[] = [];
  const instances = new Map<string, Inst[]>();
  const forced = host.opts.forcedStubs?.get(info.name);
  if (tplan.headers) info.headers = tplan.headers;
  const issue = (severity: Severity, code: string, reason: string, node?: N8nNode, detail: Partial<ImportIssue> = {}) => {
    if (plan.issues.some((i) => i.code === code && i.node === node?.name && i.reason === reason && i.workflow === info.name)) return;
    plan.issues.push({ severity, code, file: plan.file.file, workflow: info.name, ...(node ? { node: node.name, nodeType: shortType(node.type) } : {}), reason, ...detail });
  };
  const wfView = { id: info.n8nId, name: info.n8nName, ownName: info.name };
  const current: WorkflowOut = { info, doc: {}, origin };
  const emit = (nodes: NodeOut[], n8nName: string) => {
    for (const n of nodes) {
      origin.set(n.id, n8nName);
      (n.type === 'respond' ? responds : out).push(n);
    }
  };
  const wire = (attaches: Attach[], to: string) => {
    for (const a of attaches) {
      if (a.from === undefined) {
        if (!starts.includes(to)) starts.push(to);
      } else if (!edges.some((e) => e.from === a.from && e.to === to && e.branch === a.branch && e.error === a.error)) edges.push({ from: a.from, to, ...(a.branch ? { branch: a.branch } : {}), ...(a.error ? { error: true } : {}) });
    }
  };

  const triggerInst: Inst = { n8n: trigger, id: '', parents: [], view: tplan.view, outputs: [[{}]], branching: false, responds: false, unrouted: [] };
  instances.set(trigger.name, [triggerInst]);

  /** The instance of `name` that ran before `inst` on every path to it. */
  const ancestor = (inst: Inst, name: string): Inst | 'none' | 'partial' => {
    if (inst.parents.length === 0) return 'none';
    const found = inst.parents.map((p) => (p.inst.n8n.name === name ? p.inst : ancestor(p.inst, name)));
    const first = found[0];
    if (found.every((f) => f === first)) return first;
    return found.some((f) => typeof f !== 'string') ? 'partial' : found.includes('partial') ? 'partial' : 'none';
  };
  const scopeFor = (inst: Inst, input: View | undefined): ExprScope => ({
    input,
    workflow: wfView,
    params: (name) => plan.byName.get(name)?.parameters,
    env: (name) => {
      if (!host.project.env.has(name)) {
        host.project.env.set(name, '');
        issue('warning', 'env', `reads $env.${name}; added to the project settings (env.${name}) with an empty value: set it in project.yaml or the stack config`, inst.n8n);
      }
      return `env.${name}`;
    },
    node: (name) => {
      if (!plan.byName.has(name)) return unsupported('node-ref', `there is no node named "${name}"`);
      const a = ancestor(inst, name);
      if (a === 'none') return unsupported('node-ref', `node "${name}" does not run before "${inst.n8n.name}"${reachableFromTrigger(plan, trigger.name, name) ? '' : ' (it is not part of this workflow)'}`);
      if (a === 'partial') return unsupported('node-ref', `node "${name}" runs on only some of the paths to "${inst.n8n.name}"`);
      return a.view;
    },
  });

  for (const name of order) {
    if (name === trigger.name) continue;
    const n = plan.byName.get(name)!;
    const incoming = plan.conns.filter((c) => c.to === name && instances.has(c.from));
    const created: Inst[] = [];
    const isMerge = n.type === 'n8n-nodes-base.merge' && !n.disabled;
    let kind: 'join' | 'combine' = 'join';
    let mergeErr: Unsupported | undefined;
    if (isMerge) {
      try {
        kind = mergeKind(n);
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        mergeErr = err;
        kind = 'combine';
      }
    }
    const groups: { inst: Inst; output: number; input: number }[][] = [];
    for (const c of incoming) {
      for (const p of instances.get(c.from)!) {
        if ((p.outputs[c.output] ?? []).length === 0) continue;
        if (isMerge && kind === 'combine') {
          if (groups.length === 0) groups.push([]);
          groups[0].push({ inst: p, output: c.output, input: c.input });
        } else groups.push([{ inst: p, output: c.output, input: c.input }]);
      }
    }
    if (groups.length + (instances.get(name)?.length ?? 0) > MAX_COPIES) {
      throw new Refused('too-many-copies', `node "${name}" would be copied into more than ${MAX_COPIES} branches`, name);
    }
    for (const parents of groups) {
      parents.sort((a, b) => a.input - b.input);
      const id = ids.take(snakeId(n.name));
      const first = parents[0].inst;
      const inputView = outputView(first, parents[0].output);
      const parentAttaches = parents.flatMap((p) => p.inst.outputs[p.output] ?? []);
      const inherited = parents.map((p) => p.inst.respond).find((r) => r);
      const inst: Inst = { n8n: n, id, parents, view: inputView, outputs: [], branching: false, responds: false, unrouted: [], respond: inherited };
      const hasSuccessors = plan.conns.some((c) => c.from === name);
      const scope = scopeFor(inst, inputView);
      const jsx = new JsExpressions(() => ids.take(`${id}_js`), () => scope);
      scope.js = (src) => jsx.add(src);
      const env: NodeEnv = {
        n8n: n,
        id,
        newId: (suffix) => ids.take(`${id}_${suffix}`),
        scope,
        input: inputView,
        wf: info,
        project: host.project,
        issue: (severity, code, reason, detail = {}) => issue(severity, code, reason, n, detail),
        resolveCall: (ref) => ({ workflow: host.resolveCall(plan, ref) }),
        passItem: (nodeId, callee, view) => host.pendingCalls.push({ wf: current, file: plan, nodeId, n8nNode: n.name, callee, view }),
        languageModels: () => plan.aiConns.filter((c) => c.to === name).map((c) => plan.byName.get(c.from)!).filter(Boolean),
        rewriteUrl: (u) => host.rewriteUrl(u),
        hasSuccessors,
        converted: (nodeId) => out.find((x) => x.id === nodeId),
      };
      let conv: Converted;
      let errorOut: ReturnType<typeof withErrorOutputs>;
      try {
        if (forced?.has(name)) unsupported('validation', forced.get(name)!);
        if (mergeErr) throw mergeErr;
        conv = convertNode(env, n, isMerge ? kind : undefined, parents.map((p) => ({ view: outputView(p.inst, p.output), from: (p.inst.outputs[p.output] ?? [])[0]?.from })), inherited);
        const jsNode = jsx.node(n.name, inputView);
        if (jsNode) noteJsHeaders(jsNode, env);
        conv = withJsBefore(conv, jsNode);
        errorOut = withErrorOutputs(env, conv, outputsOf(conv, parentAttaches));
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        host.nodeError(plan, info, name, err);
        errorOut = undefined;
        conv = stubFor(env, n, err.message, hasSuccessors, info, Math.max(0, ...plan.conns.filter((c) => c.from === name).map((c) => c.output + 1)));
      }
      // Wire the node in.
      const entry = conv.entry ?? conv.nodes[0]?.id;
      emit(conv.nodes, name);
      if (entry) {
        if (isMerge && kind === 'combine') for (const p of parents) wire(p.inst.outputs[p.output] ?? [], entry);
        else wire(parentAttaches, entry);
        const internal = conv.edges ?? conv.nodes.slice(1).map((x, i) => ({ from: conv.nodes[i].id, to: x.id }));
        for (const e of internal) edges.push(e);
      }
      inst.view = conv.view === 'pass' ? inputView : conv.view;
      inst.branching = !!conv.branching;
      inst.responds = !!conv.responds;
      inst.unrouted = conv.unrouted ?? [];
      if (conv.respond) {
        if (inherited) issue('note', 'respond-twice', `n8n already answered the webhook at "${inherited.node}"; this Respond to Webhook node has no effect`, n);
        else inst.respond = conv.respond;
      }
      inst.outputs = errorOut?.outputs ?? outputsOf(conv, parentAttaches);
      if (errorOut?.views.length) inst.views = errorOut.views;
      nodeSettings(n, env);
      created.push(inst);
    }
    instances.set(name, [...(instances.get(name) ?? []), ...created]);
  }

  // Leaves: outputs nothing is connected to.
  const leafResponses: { attaches: Attach[]; inst: Inst; view: View; kind: 'item' | 'empty' }[] = [];
  for (const [name, list] of instances) {
    for (const inst of list) {
      if (inst.responds) continue;
      const count = Math.max(1, inst.outputs.length);
      for (let k = 0; k < count; k++) {
        const attaches = inst.outputs[k] ?? [];
        if (attaches.length === 0) continue;
        if (plan.conns.some((c) => c.from === name && c.output === k && order.includes(c.to))) continue;
        leafResponses.push({ attaches, inst, view: outputView(inst, k), kind: inst.branching && k > 0 ? 'empty' : 'item' });
      }
      if (inst.unrouted.length) leafResponses.push({ attaches: inst.unrouted, inst, view: inst.view, kind: 'empty' });
    }
  }
  let noRespondWarned = false;
  for (const leaf of leafResponses) {
    const r = leafResponse({ n8n: leaf.inst.n8n, view: leaf.view, respond: leaf.inst.respond }, leaf.kind, info, tplan, (severity, code, reason) => {
      if (code === 'no-respond') {
        if (noRespondWarned) return;
        noRespondWarned = true;
      }
      issue(severity, code, reason, leaf.inst === triggerInst ? trigger : leaf.inst.n8n);
    }, (nodeName, err) => host.nodeError(plan, info, nodeName, err));
    if (!r) continue;
    const id = ids.take(`respond_${leaf.inst.id || snakeId(trigger.name)}`.slice(0, 60));
    const node = respondNode(id, r.description, r);
    origin.set(id, r.origin);
    responds.push(node);
    wire(leaf.attaches, id);
  }

  // Exactly one entry node.
  const all = [...out, ...responds];
  const incomingIds = new Set(edges.map((e) => e.to));
  const entries = all.filter((n) => !incomingIds.has(n.id)).map((n) => n.id);
  if (entries.length !== 1) {
    const id = ids.take('start');
    out.unshift({ id, type: 'transform', description: `start: the ${shortType(trigger.type)} "${trigger.name}"`, set: {} });
    origin.set(id, trigger.name);
    for (const e of entries) edges.unshift({ from: id, to: e });
  }

  const doc: Record<string, unknown> = {
    catalyst: 1,
    name: info.name,
    description: `Imported from n8n: ${info.n8nName ? `"${info.n8nName}" ` : ''}(${plan.file.file}), trigger "${trigger.name}" (${shortType(trigger.type)})`,
    visibility: tplan.kind === 'webhook' ? 'public' : 'internal',
    ...(tplan.kind === 'webhook' ? { trigger: { type: 'webhook', method: tplan.method, path: tplan.path, ...(tplan.headers?.size ? { headers: [...tplan.headers].sort() } : {}) } } : tplan.schedule ? { trigger: tplan.schedule } : {}),
    ...(tplan.auth !== undefined ? { auth: tplan.auth } : {}),
    input: tplan.input,
    nodes: [...out, ...responds],
    edges,
  };
  current.doc = doc;
  return current;
}

/** The item on output `k` of an instance. */
function outputView(inst: Inst, k: number): View {
  return inst.views?.[k] ?? inst.view;
}

/** Where a converted node's outputs attach (by n8n output index). */
function outputsOf(conv: Converted, parentAttaches: Attach[]): Attach[][] {
  if (conv.outputs === 'pass') return [parentAttaches];
  if (conv.outputs) return conv.outputs;
  return [[{ from: conv.nodes[conv.nodes.length - 1].id }]];
}
