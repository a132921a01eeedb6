import type { Attach, Converted, NodeEnv } from '../context.ts';
import type { N8nNode } from '../export.ts';
import { unsupported } from '../issues.ts';
import { ref, type View } from '../views.ts';

/**
 * n8n's "On Error" node setting as error edges (docs/workflows.md, "Execution"). `continueErrorOutput`
 * gives the node a second output, taken when it fails, whose item is the error; `continueRegularOutput`
 * (and the older `continueOnFail`) sends the error item down the node's first output instead. Both become
 * edges with `error: true` from the node we converted it to; its output is then the error
 * ({error, message, status, node}), which n8n's `$json.error` (the message) reads as `.message`.
 */

/** The node's "On Error" setting, undefined for the default (stop the workflow). */
export function onErrorSetting(n: N8nNode): 'continueErrorOutput' | 'continueRegularOutput' | undefined {
  if (n.disabled) return undefined;
  const v = n.onError ?? (n.continueOnFail ? 'continueRegularOutput' : undefined);
  return v === 'continueErrorOutput' || v === 'continueRegularOutput' ? v : undefined;
}

/** Converters that map continueRegularOutput to a setting of their own node (workflowCall: onError: continue). */
export const CONTINUES_ITSELF = ['n8n-nodes-base.executeWorkflow'];
/** httpRequest maps it to failOnError: false (a 4xx/5xx answer is its output) and warns itself; error edges add the other failures. */
const HTTP = 'n8n-nodes-base.httpRequest';

/** The item on an error output: n8n's {error: <message>}. */
export function errorView(id: string, name: string): View {
  const label = `the error output of "${name}"`;
  const onlyError = (): never => unsupported('error-item', `${label}: only $json.error (the error message) is available`);
  return {
    label,
    at: (p) => (p[0] === 'error' ? ref(`nodes.${id}.message`, p.slice(1)) : onlyError()),
    whole: onlyError,
    value: () => ({ error: `{{ nodes.${id}.message }}` }),
    keys: ['error'],
  };
}

/**
 * The outputs (and, where they differ from the node's, their items' views) of a converted node with an
 * "On Error" setting, or undefined when the setting needs no edges here. Throws Unsupported when the
 * node cannot carry it.
 */
export function withErrorOutputs(env: NodeEnv, conv: Converted, outputs: Attach[][]): { outputs: Attach[][]; views: (View | undefined)[] } | undefined {
  const n = env.n8n;
  const setting = onErrorSetting(n);
  if (!setting || (setting === 'continueRegularOutput' && CONTINUES_ITSELF.includes(n.type))) return undefined;
  if (conv.nodes.length === 0) return undefined; // a pass-through cannot fail
  if (conv.nodes.length > 1) {
    if (setting === 'continueErrorOutput') return unsupported('error-output', `an error output on a node imported as ${conv.nodes.length} nodes is not supported (error edges are supported on nodes imported as one)`, { parameter: 'onError' });
    if (n.type !== HTTP) env.issue('warning', 'continue-on-fail', `n8n continues when this node fails (${setting}); it is imported as ${conv.nodes.length} nodes, so Catalyst fails the run`, { parameter: 'onError' });
    return undefined;
  }
  const failing = conv.nodes[0];
  if (failing.type === 'respond') return undefined;
  const error: Attach = { from: failing.id, error: true };
  if (setting === 'continueRegularOutput') {
    if (n.type !== HTTP) env.issue('warning', 'continue-on-fail', 'n8n continues with {error: <message>} when this node fails; Catalyst continues along the same output with the error {error, message, status, node} as this node\'s output (the next nodes read it through the fields they read on success)', { parameter: 'onError' });
    return { outputs: [[...(outputs[0] ?? []), error], ...outputs.slice(1)], views: [] };
  }
  if (conv.branching) return unsupported('error-output', 'an error output on a branching node (IF, Switch) is not supported', { parameter: 'onError' });
  return { outputs: [outputs[0] ?? [], [error]], views: [undefined, errorView(failing.id, n.name)] };
}
