import type { EdgeDef } from '../definitions/schema.ts';
import { shortType, type Attach, type Converted, type NodeEnv, type NodeOut, type PendingRespond, type ProjectAcc, type WorkflowInfo } from './context.ts';
import type { N8nFile, N8nNode } from './export.ts';
import type { ExprScope } from './expr.ts';
import { JsExpressions } from './jsrun.ts';
import { Refused, Unsupported, unsupported, type ImportIssue, type Severity } from './issues.ts';
import { convertIf, convertSwitch } from './nodes/conditions.ts';
import { convertChainLlm, convertCode, convertExecuteWorkflow, convertMergeCombine, convertOpenAi, convertRespond, mergeKind, respondNode } from './nodes/flow.ts';
import { AUTODETECT, convertHttp } from './nodes/http.ts';
import { convertSet } from './nodes/set.ts';
import { isTrigger, planTrigger, type TriggerPlan } from './nodes/triggers.ts';
import { kebabName, lodashPath, Names, snakeId } from './paths.ts';
import { baseView, type View } from './views.ts';

/**
 * Converts n8n workflows to our workflow definitions.
 *
 * Each trigger of an export becomes one workflow (its reachable nodes). The n8n graph is walked in
 * topological order and every node is converted once per way of reaching it: a node reached from two
 * branches (without a combining Merge) is copied into each branch, which is exactly n8n's behaviour for a
 * single item (it runs once with the item that arrived) and keeps `$json` well defined. Respond nodes go
 * last in the file, so every other node on the path runs before the response.
 */

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

export interface FileOutcome {
  file: string;
  n8nName: string;
  n8nId?: string;
  status: 'clean' | 'partial' | 'refused';
  workflows: string[];
  issues: ImportIssue[];
}

export interface ConversionResult {
  workflows: WorkflowOut[];
  files: FileOutcome[];
  project: ProjectAcc;
}

const MAX_COPIES = 200;

const CONVERTERS: Record<string, (env: NodeEnv) => Converted> = {
  'n8n-nodes-base.set': convertSet,
  'n8n-nodes-base.if': convertIf,
  'n8n-nodes-base.switch': convertSwitch,
  'n8n-nodes-base.httpRequest': convertHttp,
  'n8n-nodes-base.code': convertCode,
  'n8n-nodes-base.respondToWebhook': convertRespond,
  'n8n-nodes-base.executeWorkflow': convertExecuteWorkflow,
  'n8n-nodes-base.noOp': () => ({ nodes: [], view: 'pass', outputs: 'pass' }),
  '@n8n/n8n-nodes-langchain.openAi': convertOpenAi,
  '@n8n/n8n-nodes-langchain.chainLlm': convertChainLlm,
};

interface Conn {
  from: string;
  output: number;
  to: string;
  input: number;
}

interface Inst {
  n8n: N8nNode;
  id: string;
  /** (parent instance, its output index, our input index); the trigger has none. */
  parents: { inst: Inst; output: number; input: number }[];
  view: View;
  outputs: Attach[][];
  branching: boolean;
  respond?: PendingRespond;
  responds: boolean;
  unrouted: Attach[];
}

interface FilePlan {
  file: N8nFile;
  nodes: N8nNode[];
  byName: Map<string, N8nNode>;
  conns: Conn[];
  aiConns: Conn[];
  triggers: { node: N8nNode; info?: WorkflowInfo; plan?: TriggerPlan; refused?: Refused }[];
  issues: ImportIssue[];
  refused?: Refused;
}

function connections(file: N8nFile): { main: Conn[]; ai: Conn[] } {
  const main: Conn[] = [];
  const ai: Conn[] = [];
  for (const [from, outs] of Object.entries(file.workflow.connections)) {
    for (const [type, lists] of Object.entries(outs)) {
      lists.forEach((list, output) => {
        for (const c of list ?? []) (type === 'main' ? main : ai).push({ from, output, to: c.node, input: c.index ?? 0 });
      });
    }
  }
  return { main, ai };
}

/** The nodes reachable from a trigger over main connections, in a topological order (file order for ties). */
function reachable(plan: FilePlan, trigger: string): string[] {
  const seen = new Set([trigger]);
  const todo = [trigger];
  while (todo.length) {
    const n = todo.pop()!;
    for (const c of plan.conns) if (c.from === n && !seen.has(c.to) && plan.byName.has(c.to)) {
      seen.add(c.to);
      todo.push(c.to);
    }
  }
  const rank = new Map(plan.nodes.map((n, i) => [n.name, i]));
  const names = [...seen].sort((a, b) => rank.get(a)! - rank.get(b)!);
  const indeg = new Map(names.map((n) => [n, 0]));
  const edges = plan.conns.filter((c) => seen.has(c.from) && seen.has(c.to));
  for (const e of edges) indeg.set(e.to, indeg.get(e.to)! + 1);
  const order: string[] = [];
  const ready = names.filter((n) => indeg.get(n) === 0);
  while (ready.length) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const n = ready.shift()!;
    order.push(n);
    for (const e of edges) if (e.from === n) {
      indeg.set(e.to, indeg.get(e.to)! - 1);
      if (indeg.get(e.to) === 0) ready.push(e.to);
    }
  }
  if (order.length < names.length) {
    const stuck = names.filter((n) => !order.includes(n));
    throw new Refused('loop', `the workflow loops (${stuck.slice(0, 4).map((s) => `"${s}"`).join(', ')}${stuck.length > 4 ? ', …' : ''} form a cycle); Catalyst workflows are acyclic`, stuck[0]);
  }
  return order;
}

export class Converter {
  readonly opts: ImportOptions;
  readonly project: ProjectAcc = { secrets: new Map(), env: new Map(), credentials: new Map() };
  private readonly plans: FilePlan[] = [];
  private readonly names = new Names('-', 63);
  private readonly routes = new Map<string, string>();
  private readonly pendingCalls: { wf: WorkflowOut; file: FilePlan; nodeId: string; n8nNode: string; callee: string; view: View }[] = [];

  constructor(opts: ImportOptions) {
    this.opts = opts;
  }

  /** Plan every file first, so Execute Workflow nodes can resolve workflows imported together. */
  run(files: N8nFile[]): ConversionResult {
    for (const f of files) this.plans.push(this.plan(f));
    const workflows: WorkflowOut[] = [];
    for (const plan of this.plans) {
      if (plan.refused) continue;
      for (const t of plan.triggers) {
        if (!t.info || !t.plan || t.refused) continue;
        try {
          workflows.push(this.build(plan, t.node, t.info, t.plan));
        } catch (err) {
          if (!(err instanceof Refused)) throw err;
          t.refused = err;
        }
      }
    }
    this.fillCalls();
    for (const w of workflows) resolveAutodetect(w.doc);
    const files2 = this.plans.map((p) => this.outcome(p, workflows));
    return { workflows, files: files2, project: this.project };
  }

  private outcome(p: FilePlan, workflows: WorkflowOut[]): FileOutcome {
    const refusals = [p.refused, ...p.triggers.map((t) => t.refused)].filter((r): r is Refused => !!r);
    for (const r of refusals) {
      if (p.issues.some((i) => i.code === r.code && i.reason === r.message)) continue;
      const t = p.triggers.find((x) => x.refused === r);
      p.issues.push({ severity: 'error', code: r.code, file: p.file.file, ...(t?.info ? { workflow: t.info.name } : {}), ...(r.node ? { node: r.node } : {}), reason: r.message });
    }
    const names = workflows.filter((w) => w.info.file === p.file.file).map((w) => w.info.name);
    const errors = p.issues.filter((i) => i.severity === 'error');
    const status = names.length === 0 ? 'refused' : refusals.length || errors.some((e) => !e.stubbed) ? (this.opts.allowPartial && names.length ? 'partial' : 'refused') : errors.length ? 'partial' : 'clean';
    return { file: p.file.file, n8nName: p.file.workflow.name, ...(p.file.workflow.id !== undefined ? { n8nId: String(p.file.workflow.id) } : {}), status, workflows: names, issues: sortIssues(p.issues) };
  }

  private plan(file: N8nFile): FilePlan {
    const issues: ImportIssue[] = [];
    const sticky = file.workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
    const nodes = file.workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote');
    if (sticky.length) issues.push({ severity: 'note', code: 'sticky-notes', file: file.file, reason: `${sticky.length} sticky note(s) dropped (documentation only)` });
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const { main, ai } = connections(file);
    const plan: FilePlan = { file, nodes, byName, conns: main.filter((c) => byName.has(c.from) && byName.has(c.to)), aiConns: ai, triggers: [], issues };
    const triggers = nodes.filter((n) => isTrigger(n) && !n.disabled);
    if (triggers.length === 0) {
      plan.refused = new Refused('no-trigger', 'no trigger node (webhook, manual, schedule or Execute Workflow Trigger): n8n never runs this workflow on its own');
      return plan;
    }
    const base = kebabName(file.workflow.name || file.file.replace(/^.*[\\/]/, '').replace(/\.json$/i, ''));
    for (const t of triggers) {
      const entry: FilePlan['triggers'][number] = { node: t };
      plan.triggers.push(entry);
      try {
        entry.plan = planTrigger(t, this.project);
        for (const note of entry.plan.notes) issues.push({ severity: note.severity, code: note.code, file: file.file, node: t.name, nodeType: shortType(t.type), reason: note.reason });
      } catch (err) {
        if (err instanceof Refused) {
          entry.refused = err;
          continue;
        }
        if (err instanceof Unsupported) {
          entry.refused = new Refused(err.code, err.message, t.name);
          continue;
        }
        throw err;
      }
      const name = this.names.take(triggers.length > 1 ? kebabName(`${base}-${t.name}`) : base);
      if (entry.plan.kind === 'webhook') {
        const route = `${entry.plan.method} ${entry.plan.path}`;
        const taken = this.routes.get(route);
        if (taken) {
          entry.refused = new Refused('route-taken', `route ${route} is already used by imported workflow "${taken}"`, t.name);
          continue;
        }
        this.routes.set(route, name);
      }
      entry.info = { file: file.file, name, n8nName: file.workflow.name, n8nId: file.workflow.id === undefined ? undefined : String(file.workflow.id), trigger: t, responseMode: entry.plan.responseMode };
      const refusal = this.opts.refuse?.get(name);
      if (refusal) entry.refused = new Refused('validation', refusal, t.name);
    }
    // Nodes no trigger reaches never run in n8n.
    const reached = new Set<string>();
    for (const t of triggers) {
      const todo = [t.name];
      while (todo.length) {
        const n = todo.pop()!;
        if (reached.has(n)) continue;
        reached.add(n);
        for (const c of plan.conns) if (c.from === n) todo.push(c.to);
      }
    }
    const subNodes = new Set(ai.map((c) => c.from));
    for (const n of nodes) {
      if (!reached.has(n.name) && !subNodes.has(n.name) && !isTrigger(n)) {
        issues.push({ severity: 'note', code: 'unreachable', file: file.file, node: n.name, nodeType: shortType(n.type), reason: 'not connected to any trigger: n8n never runs it; not imported' });
      }
    }
    return plan;
  }

  /** Resolve an Execute Workflow target among the imported files (by id, then by name). */
  private resolveCall(from: FilePlan, ref: { id?: string; name?: string; self?: boolean }): string {
    const target = ref.self
      ? from
      : (this.plans.find((p) => ref.id !== undefined && p.file.workflow.id !== undefined && String(p.file.workflow.id) === ref.id) ??
        this.plans.find((p) => ref.name !== undefined && p.file.workflow.name === ref.name) ??
        this.plans.find((p) => ref.id !== undefined && p.file.workflow.name === ref.id));
    const what = ref.self ? 'this workflow' : `workflow ${ref.id ? `id ${ref.id}` : ''}${ref.name ? ` "${ref.name}"` : ''}`.trim();
    if (!target) return unsupported('call-target', `${what} is not among the imported files; import the called workflow's export together with this one`, { parameter: 'workflowId' });
    const sub = target.triggers.find((t) => t.node.type === 'n8n-nodes-base.executeWorkflowTrigger');
    if (!sub) return unsupported('call-target', `${what} (${target.file.file}) has no Execute Workflow Trigger, so it cannot be called`, { parameter: 'workflowId' });
    if (!sub.info || sub.refused) return unsupported('call-target', `${what} (${target.file.file}) could not be imported: ${sub.refused?.message ?? 'refused'}`, { parameter: 'workflowId' });
    return sub.info.name;
  }

  /** Fill the input of calls that pass the whole item: the fields the called workflow reads. */
  private fillCalls(): void {
    for (const c of this.pendingCalls) {
      const callee = this.builtWorkflows.get(c.callee);
      const node = (c.wf.doc.nodes as NodeOut[]).find((n) => n.id === c.nodeId);
      if (!callee || !node) continue;
      const keys = inputKeys(callee.doc);
      try {
        if (keys === 'whole') unsupported('call-input', `workflow "${c.callee}" reads its whole input, which cannot be passed from ${c.view.label}`);
        node.input = Object.fromEntries(keys.map((k) => [k, `{{ ${c.view.at([k]).src} }}`]));
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        this.nodeError(c.file, c.wf.info, c.n8nNode, err);
        const stub = stubNode(c.nodeId, c.n8nNode, err.message);
        Object.keys(node).forEach((k) => delete (node as Record<string, unknown>)[k]);
        Object.assign(node, stub);
      }
    }
  }

  private readonly builtWorkflows = new Map<string, WorkflowOut>();

  private nodeError(plan: FilePlan, info: WorkflowInfo, nodeName: string, err: Unsupported): void {
    const n = plan.byName.get(nodeName);
    if (plan.issues.some((i) => i.severity === 'error' && i.workflow === info.name && i.node === nodeName && i.parameter === err.parameter && i.reason === err.message)) return;
    plan.issues.push({
      severity: 'error',
      code: err.code,
      file: plan.file.file,
      workflow: info.name,
      node: nodeName,
      ...(n ? { nodeType: shortType(n.type) } : {}),
      ...(err.parameter ? { parameter: err.parameter } : {}),
      ...(err.expression ? { expression: err.expression } : {}),
      reason: err.message,
      stubbed: this.opts.allowPartial,
    });
  }

  private build(plan: FilePlan, trigger: N8nNode, info: WorkflowInfo, tplan: TriggerPlan): WorkflowOut {
    const order = reachable(plan, trigger.name);
    const ids = new Names('_', 64);
    const out: NodeOut[] = [];
    const responds: NodeOut[] = [];
    const edges: EdgeDef[] = [];
    const origin = new Map<string, string>();
    const starts: string[] = [];
    const instances = new Map<string, Inst[]>();
    const forced = this.opts.forcedStubs?.get(info.name);
    const issue = (severity: Severity, code: string, reason: string, node?: N8nNode, detail: Partial<ImportIssue> = {}) => {
      if (plan.issues.some((i) => i.code === code && i.node === node?.name && i.reason === reason && i.workflow === info.name)) return;
      plan.issues.push({ severity, code, file: plan.file.file, workflow: info.name, ...(node ? { node: node.name, nodeType: shortType(node.type) } : {}), reason, ...detail });
    };
    const wfView = { id: info.n8nId, name: info.n8nName };
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
        } else if (!edges.some((e) => e.from === a.from && e.to === to && e.branch === a.branch)) edges.push({ from: a.from, to, ...(a.branch ? { branch: a.branch } : {}) });
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
        if (!this.project.env.has(name)) {
          this.project.env.set(name, '');
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
        const inputView = first.view;
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
          project: this.project,
          issue: (severity, code, reason, detail = {}) => issue(severity, code, reason, n, detail),
          resolveCall: (ref) => ({ workflow: this.resolveCall(plan, ref) }),
          passItem: (nodeId, callee, view) => this.pendingCalls.push({ wf: current, file: plan, nodeId, n8nNode: n.name, callee, view }),
          languageModels: () => plan.aiConns.filter((c) => c.to === name).map((c) => plan.byName.get(c.from)!).filter(Boolean),
          rewriteUrl: (u) => this.rewriteUrl(u),
          hasSuccessors,
        };
        let conv: Converted;
        try {
          if (forced?.has(name)) unsupported('validation', forced.get(name)!);
          if (mergeErr) throw mergeErr;
          conv = this.convertNode(env, n, isMerge ? kind : undefined, parents.map((p) => ({ view: p.inst.view, from: (p.inst.outputs[p.output] ?? [])[0]?.from })), inherited);
          conv = withJsBefore(conv, jsx.node(n.name, inputView));
        } catch (err) {
          if (!(err instanceof Unsupported)) throw err;
          this.nodeError(plan, info, name, err);
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
        if (conv.outputs === 'pass') inst.outputs = [parentAttaches];
        else if (conv.outputs) inst.outputs = conv.outputs;
        else inst.outputs = [[{ from: conv.nodes[conv.nodes.length - 1].id }]];
        this.nodeSettings(n, env);
        created.push(inst);
      }
      instances.set(name, [...(instances.get(name) ?? []), ...created]);
    }

    // Leaves: outputs nothing is connected to.
    const leafResponses: { attaches: Attach[]; inst: Inst; kind: 'item' | 'empty' }[] = [];
    for (const [name, list] of instances) {
      for (const inst of list) {
        if (inst.responds) continue;
        const count = Math.max(1, inst.outputs.length);
        for (let k = 0; k < count; k++) {
          const attaches = inst.outputs[k] ?? [];
          if (attaches.length === 0) continue;
          if (plan.conns.some((c) => c.from === name && c.output === k && order.includes(c.to))) continue;
          leafResponses.push({ attaches, inst, kind: inst.branching && k > 0 ? 'empty' : 'item' });
        }
        if (inst.unrouted.length) leafResponses.push({ attaches: inst.unrouted, inst, kind: 'empty' });
      }
    }
    let noRespondWarned = false;
    for (const leaf of leafResponses) {
      const r = this.leafResponse(leaf.inst, leaf.kind, info, tplan, (severity, code, reason) => {
        if (code === 'no-respond') {
          if (noRespondWarned) return;
          noRespondWarned = true;
        }
        issue(severity, code, reason, leaf.inst === triggerInst ? trigger : leaf.inst.n8n);
      }, plan);
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
      ...(tplan.kind === 'webhook' ? { trigger: { type: 'webhook', method: tplan.method, path: tplan.path } } : tplan.schedule ? { trigger: tplan.schedule } : {}),
      ...(tplan.auth !== undefined ? { auth: tplan.auth } : {}),
      input: tplan.input,
      nodes: [...out, ...responds],
      edges,
    };
    current.doc = doc;
    this.builtWorkflows.set(info.name, current);
    return current;
  }

  private convertNode(env: NodeEnv, n: N8nNode, merge: 'join' | 'combine' | undefined, inputs: { view: View; from?: string }[], respond?: PendingRespond): Converted {
    if (n.disabled) {
      env.issue('note', 'disabled', 'disabled in n8n: passes its input through (as n8n does)');
      return { nodes: [], view: 'pass', outputs: 'pass' };
    }
    if (merge === 'join') return { nodes: [], view: 'pass', outputs: 'pass' };
    if (merge === 'combine') return convertMergeCombine(env, inputs);
    if (n.type === 'n8n-nodes-base.respondToWebhook' && respond) return { nodes: [], view: 'pass', outputs: 'pass', respond };
    if (isTrigger(n)) return unsupported('trigger-inside', `a second trigger ("${n.name}") inside the flow is not supported`);
    const conv = CONVERTERS[n.type];
    if (!conv) {
      if (n.type.startsWith('@n8n/n8n-nodes-langchain.lmChat')) return unsupported('node-type', 'language model sub-nodes are imported with the chain that uses them');
      return unsupported('node-type', `node type ${n.type} is not supported (supported: webhook, respondToWebhook, set, if, switch, httpRequest, code (Python), executeWorkflow, merge, noOp, triggers and the OpenAI chat nodes)`);
    }
    return conv(env);
  }

  /** Node settings that apply to every node type. */
  private nodeSettings(n: N8nNode, env: NodeEnv): void {
    const onError = n.onError ?? (n.continueOnFail ? 'continueRegularOutput' : undefined);
    const handled = ['n8n-nodes-base.httpRequest', 'n8n-nodes-base.executeWorkflow'];
    if (onError && onError !== 'stopWorkflow' && !handled.includes(n.type) && !n.disabled) {
      env.issue('warning', 'continue-on-fail', `n8n continues when this node fails (${onError}); Catalyst fails the run`);
    }
    if (n.alwaysOutputData && !n.disabled) env.issue('note', 'always-output-data', '"always output data" has no effect with one item per run');
  }

  private leafResponse(
    inst: Inst,
    kind: 'item' | 'empty',
    info: WorkflowInfo,
    tplan: TriggerPlan,
    issue: (severity: Severity, code: string, reason: string) => void,
    plan: FilePlan,
  ): ({ status: number; headers: Record<string, unknown>; body?: unknown; description: string; origin: string }) | undefined {
    const origin = inst.n8n.name;
    if (inst.respond) return { ...inst.respond, description: `n8n: ${inst.respond.node} (respondToWebhook, answered after the following nodes)`, origin: inst.respond.node };
    const r = tplan.response;
    const bodyOf = (): unknown => {
      try {
        return inst.view.value();
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        this.nodeError(plan, info, inst.n8n.name, new Unsupported(err.code, `the response is this node's item, but ${err.message}`));
        return undefined;
      }
    };
    switch (info.responseMode) {
      case 'onReceived': {
        let body: unknown = { message: 'Workflow was started' };
        const headers = { ...(r?.headers ?? {}) };
        if (r?.noBody) {
          body = '';
          headers['content-type'] ??= 'text/plain; charset=utf-8';
        }
        else if (r?.custom !== undefined) {
          const text = String(r.custom).replace(/^=/, '');
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
            headers['content-type'] ??= 'text/html; charset=utf-8';
          }
        }
        return { status: r?.status ?? 200, headers, body, description: 'n8n: the webhook answers when the request arrives (respond: immediately)', origin: info.trigger.name };
      }
      case 'lastNode': {
        const desc = `n8n: the webhook answers with the data of the last node ("${origin}")`;
        if (kind === 'empty') return { status: 500, headers: {}, body: { message: 'No item to return was found' }, description: `${desc}; n8n finds no item there`, origin };
        const headers = { ...(r?.headers ?? {}) };
        if (r?.responseData === 'noData') return { status: r.status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: '', description: desc, origin };
        if (r?.contentType) headers['content-type'] = r.contentType;
        let body: unknown;
        if (r?.propertyName && r.responseData !== 'allEntries') {
          try {
            body = `{{ ${inst.view.at(lodashPath(r.propertyName)).src} }}`;
          } catch (err) {
            if (!(err instanceof Unsupported)) throw err;
            this.nodeError(plan, info, origin, err);
          }
        } else body = bodyOf();
        if (body === undefined) return { status: 501, headers: {}, body: { error: `n8n import: the response of "${origin}" could not be translated` }, description: `stub: ${desc}`, origin };
        return { status: r?.status ?? 200, headers, body: r?.responseData === 'allEntries' ? [body] : body, description: desc, origin };
      }
      case 'responseNode':
        issue('warning', 'no-respond', 'on some paths no Respond to Webhook node runs; the workflow defines no response there (n8n answers with its default when the run ends), Catalyst answers 200 with the last node\'s output');
        return undefined;
      case 'call': {
        const desc = `n8n: the called workflow returns the data of the last node ("${origin}")`;
        if (kind === 'empty') {
          issue('warning', 'call-no-item', `n8n returns no item to the caller when "${origin}" routes away from its first output; the caller gets null`);
          return { status: 200, headers: {}, body: null, description: desc, origin };
        }
        const body = bodyOf();
        if (body === undefined) return { status: 501, headers: {}, body: { error: `n8n import: the result of "${origin}" could not be translated` }, description: `stub: ${desc}`, origin };
        return { status: 200, headers: {}, body, description: desc, origin };
      }
      default:
        return undefined;
    }
  }

  private rewriteUrl(u: unknown): unknown {
    if (typeof u !== 'string') return u;
    for (const [from, to] of this.opts.urlRewrites ?? []) if (u.startsWith(from)) return to + u.slice(from.length);
    return u;
  }
}

function reachableFromTrigger(plan: FilePlan, trigger: string, name: string): boolean {
  const seen = new Set([trigger]);
  const todo = [trigger];
  while (todo.length) {
    const n = todo.pop()!;
    for (const c of plan.conns) if (c.from === n && !seen.has(c.to)) {
      seen.add(c.to);
      todo.push(c.to);
    }
  }
  return seen.has(name);
}

/** The node's expressions that run as JavaScript go first: a `javascript` node the converted nodes read. */
function withJsBefore(conv: Converted, pre: NodeOut | undefined): Converted {
  if (!pre || conv.nodes.length === 0) return conv;
  const entry = conv.entry ?? conv.nodes[0].id;
  const edges = conv.edges ? [{ from: pre.id, to: entry }, ...conv.edges] : undefined;
  return { ...conv, nodes: [pre, ...conv.nodes], entry: pre.id, ...(edges ? { edges } : {}) };
}

/** A code node that fails at run time with the reason (for --allow-partial). */
export function stubNode(id: string, name: string, reason: string): NodeOut {
  const message = `n8n import: node ${JSON.stringify(name)} was not imported: ${reason}`;
  return { id, type: 'code', description: `STUB (n8n node "${name}" not imported): ${reason}`.slice(0, 500), code: `raise RuntimeError(${JSON.stringify(message)})` };
}

function stubFor(env: NodeEnv, n: N8nNode, reason: string, hasSuccessors: boolean, info: WorkflowInfo, outputs: number): Converted {
  if (n.type === 'n8n-nodes-base.respondToWebhook' && !hasSuccessors && info.responseMode === 'responseNode') {
    return {
      nodes: [respondNode(env.id, `STUB (n8n node "${n.name}" not imported): ${reason}`.slice(0, 500), { status: 501, headers: {}, body: { error: `n8n import: node "${n.name}" was not imported: ${reason}` } })],
      view: 'pass',
      outputs: [],
      responds: true,
    };
  }
  return {
    nodes: [stubNode(env.id, n.name, reason)],
    view: baseView(`the stub for "${n.name}"`, `nodes.${env.id}`),
    outputs: Array.from({ length: Math.max(1, outputs) }, () => [{ from: env.id }]),
  };
}

/**
 * n8n's HTTP Request detects the response format (JSON, text or a file); ours parses JSON. When nothing
 * reads a node's output, its response is taken as text, so a download or an HTML page cannot fail the run.
 */
function resolveAutodetect(doc: Record<string, unknown>): void {
  const nodes = (doc.nodes ?? []) as NodeOut[];
  const read = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(/\bnodes\.([A-Za-z_][A-Za-z0-9_]*)/g)) read.add(m[1]);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(nodes);
  for (const n of nodes) {
    if (!(AUTODETECT in n)) continue;
    delete n[AUTODETECT];
    if (!read.has(n.id)) n.responseType = 'text';
  }
}

/** Top-level input fields a workflow reads (`input.x`), or 'whole'. */
export function inputKeys(doc: Record<string, unknown>): string[] | 'whole' {
  const keys = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\{\{(.*?)\}\}/gs)) {
        for (const r of m[1].matchAll(/\binput(?:\.([A-Za-z_$][A-Za-z0-9_$]*)|\[\s*'((?:[^'\\]|\\.)*)'\s*\])/g)) keys.add(r[1] ?? r[2].replace(/\\(.)/g, '$1'));
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(doc.nodes);
  return [...keys].sort();
}

export function sortIssues(issues: ImportIssue[]): ImportIssue[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, note: 2 };
  return [...issues].sort((a, b) => rank[a.severity] - rank[b.severity] || (a.workflow ?? '').localeCompare(b.workflow ?? '') || (a.node ?? '').localeCompare(b.node ?? '') || a.code.localeCompare(b.code) || a.reason.localeCompare(b.reason));
}
