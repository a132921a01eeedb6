import { shortType, type ImportOptions, type NodeOut, type ProjectAcc, type WorkflowInfo, type WorkflowOut } from './context.ts';
import { buildWorkflow, type BuildHost, type PendingCall } from './build.ts';
import type { N8nFile } from './export.ts';
import { connections, type FilePlan } from './graph.ts';
import { Refused, Unsupported, unsupported, type ImportIssue, type Severity } from './issues.ts';
import { inputKeys } from './nodes/call.ts';
import { stubNode } from './nodes/dispatch.ts';
import { resolveAutodetect } from './nodes/http.ts';
import { isTrigger, planTrigger } from './nodes/triggers.ts';
import { kebabName, Names } from './paths.ts';

export type { ImportOptions, WorkflowOut } from './context.ts';

/**
 * Converts n8n workflows to our workflow definitions.
 *
 * Each trigger of an export becomes one workflow (its reachable nodes). The n8n graph is walked in
 * topological order and every node is converted once per way of reaching it: a node reached from two
 * branches (without a combining Merge) is copied into each branch, which is exactly n8n's behaviour for a
 * single item (it runs once with the item that arrived) and keeps `$json` well defined. Respond nodes go
 * last in the file, so every other node on the path runs before the response.
 *
 * This file plans the files and their triggers and collects the outcome; build.ts builds one workflow,
 * and nodes/ holds one converter per node family (nodes/dispatch.ts picks it).
 */

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

export class Converter implements BuildHost {
  readonly opts: ImportOptions;
  readonly project: ProjectAcc = { secrets: new Map(), env: new Map(), credentials: new Map() };
  private readonly plans: FilePlan[] = [];
  private readonly names = new Names('-', 63);
  private readonly routes = new Map<string, string>();
  readonly pendingCalls: PendingCall[] = [];

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
          const w = buildWorkflow(this, plan, t.node, t.info, t.plan);
          this.builtWorkflows.set(w.info.name, w);
          workflows.push(w);
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
  resolveCall(from: FilePlan, ref: { id?: string; name?: string; self?: boolean }): string {
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

  nodeError(plan: FilePlan, info: WorkflowInfo, nodeName: string, err: Unsupported): void {
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

  rewriteUrl(u: unknown): unknown {
    if (typeof u !== 'string') return u;
    for (const [from, to] of this.opts.urlRewrites ?? []) if (u.startsWith(from)) return to + u.slice(from.length);
    return u;
  }
}

export function sortIssues(issues: ImportIssue[]): ImportIssue[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, note: 2 };
  return [...issues].sort((a, b) => rank[a.severity] - rank[b.severity] || (a.workflow ?? '').localeCompare(b.workflow ?? '') || (a.node ?? '').localeCompare(b.node ?? '') || a.code.localeCompare(b.code) || a.reason.localeCompare(b.reason));
}
