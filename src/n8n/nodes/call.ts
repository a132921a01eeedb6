import { describeNode, type Converted, type NodeEnv, type NodeOut } from '../context.ts';
import { param } from '../defaults.ts';
import { convertValue, isN8nExpression } from '../expr.ts';
import { unsupported } from '../issues.ts';
import { baseView } from '../views.ts';

/** Execute Workflow → workflowCall (the called workflow is imported together with the caller). */

export function convertExecuteWorkflow(env: NodeEnv): Converted {
  const n = env.n8n;
  const source = param<string>(n, 'source', 'database');
  if (source !== 'database') unsupported('call-source', `calling a workflow from source "${source}" is not supported (only a saved workflow, imported together)`, { parameter: 'source' });
  if (param<boolean>(n, 'options.waitForSubWorkflow', true) === false) unsupported('call-async', 'not waiting for the called workflow (fire and forget) is not supported', { parameter: 'options.waitForSubWorkflow' });
  const raw = param<unknown>(n, 'workflowId', '');
  let id: string | undefined;
  let name: string | undefined;
  let self = false;
  const rl = raw && typeof raw === 'object' ? (raw as { value?: unknown; cachedResultName?: unknown }) : undefined;
  const value = rl ? rl.value : raw;
  if (rl && typeof rl.cachedResultName === 'string') name = rl.cachedResultName;
  if (typeof value === 'string' && isN8nExpression(value)) {
    if (/^=\s*\{\{\s*\$workflow\.id\s*\}\}\s*$/.test(value)) self = true;
    else unsupported('call-dynamic', 'a workflow id computed by an expression is not supported', { parameter: 'workflowId', expression: value });
  } else if (value !== undefined && value !== '') id = String(value);
  const target = env.resolveCall({ id, name, self });
  const node: NodeOut = { id: env.id, type: 'workflowCall', description: describeNode(n), workflow: target.workflow };
  const inputs = param<{ mappingMode?: string; value?: Record<string, unknown> } | undefined>(n, 'workflowInputs');
  if (inputs && inputs.mappingMode !== 'passthrough' && inputs.value && typeof inputs.value === 'object') {
    node.input = Object.fromEntries(Object.entries(inputs.value).map(([k, v]) => [k, convertValue(v, env.scope)]));
  } else {
    node.input = {};
    env.passItem(env.id, target.workflow, env.input ?? unsupported('no-input', 'the node has no input item'));
  }
  const onError = n.onError ?? (n.continueOnFail ? 'continueRegularOutput' : undefined);
  // continueErrorOutput: a failed call takes the error edges (nodes/errors.ts)
  if (onError === 'continueRegularOutput') {
    node.onError = 'continue';
    node.fallback = { error: 'the called workflow failed' };
    env.issue('warning', 'continue-on-fail', 'n8n continues with {error: <message>} when the call fails; Catalyst continues with {error: "the called workflow failed"}', { parameter: 'onError' });
  }
  return { nodes: [node], view: baseView(`the result of workflow "${target.workflow}"`, `nodes.${env.id}`) };
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
