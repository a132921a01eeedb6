import type { Converted, NodeEnv, NodeOut, PendingRespond, WorkflowInfo } from '../context.ts';
import type { N8nNode } from '../export.ts';
import { unsupported } from '../issues.ts';
import { baseView, type View } from '../views.ts';
import { convertExecuteWorkflow } from './call.ts';
import { convertCode } from './code.ts';
import { convertIf, convertSwitch } from './conditions.ts';
import { convertHttp } from './http.ts';
import { convertChainLlm, convertOpenAi } from './llm.ts';
import { convertMergeCombine } from './merge.ts';
import { convertRespond, respondNode } from './respond.ts';
import { convertSet } from './set.ts';
import { isTrigger } from './triggers.ts';

/**
 * Which converter handles an n8n node (one per node family, in the files beside this one), the settings
 * every node has, and the stub that stands in for a node that could not be imported.
 */

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

export function convertNode(env: NodeEnv, n: N8nNode, merge: 'join' | 'combine' | undefined, inputs: { view: View; from?: string }[], respond?: PendingRespond): Converted {
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

/** Node settings that apply to every node type ("On Error" is in errors.ts). */
export function nodeSettings(n: N8nNode, env: NodeEnv): void {
  if (n.onError && !['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'].includes(n.onError) && !n.disabled) {
    env.issue('warning', 'continue-on-fail', `unknown "On Error" setting ${JSON.stringify(n.onError)}; Catalyst fails the run when this node fails`, { parameter: 'onError' });
  }
  if (n.alwaysOutputData && !n.disabled) env.issue('note', 'always-output-data', '"always output data" has no effect with one item per run');
}

/** The node's expressions that run as JavaScript go first: a `javascript` node the converted nodes read. */
export function withJsBefore(conv: Converted, pre: NodeOut | undefined): Converted {
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

export function stubFor(env: NodeEnv, n: N8nNode, reason: string, hasSuccessors: boolean, info: WorkflowInfo, outputs: number): Converted {
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
