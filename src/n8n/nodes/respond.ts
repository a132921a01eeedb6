import { describeNode, type Converted, type NodeEnv, type NodeOut, type PendingRespond, type WorkflowInfo } from '../context.ts';
import { param } from '../defaults.ts';
import { convertValue, isWholeItem } from '../expr.ts';
import { Unsupported, unsupported, type Severity } from '../issues.ts';
import { convertJson } from '../jsontemplate.ts';
import { lodashPath } from '../paths.ts';
import type { View } from '../views.ts';
import type { TriggerPlan } from './triggers.ts';

/**
 * Respond to Webhook → respond, and the response at the end of each path: what n8n answers there
 * (the webhook's response mode, a deferred Respond to Webhook, or the result a called workflow returns).
 */

/** Wrap a value under a lodash path ({a: {b: value}}), as n8n's "Put Response in Field" does. */
function wrapAt(path: string, value: unknown): unknown {
  return lodashPath(path)
    .reverse()
    .reduce<unknown>((acc, k) => (typeof k === 'number' ? Object.assign(Array(k).fill(null), { [k]: acc }) : { [k]: acc }), value);
}

/** Response headers (n8n lower-cases their names). */
export function respondHeaders(env: NodeEnv, entries: { name?: string; value?: unknown }[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const h of entries ?? []) {
    if (!h.name) continue;
    const v = convertValue(h.value ?? '', env.scope, 'string');
    out[String(h.name).toLowerCase()] = typeof v === 'string' ? v : String(v ?? '');
  }
  return out;
}

/** The response a Respond to Webhook node sends (status, headers, body). */
export function respondSpec(env: NodeEnv): PendingRespond {
  const n = env.n8n;
  const respondWith = param<string>(n, 'respondWith', 'firstIncomingItem');
  const options = param<Record<string, unknown>>(n, 'options', {});
  const headers = respondHeaders(env, (options.responseHeaders as { entries?: { name?: string; value?: unknown }[] } | undefined)?.entries);
  let status = Number(options.responseCode ?? 200);
  let body: unknown;
  const input = (): View => env.input ?? unsupported('no-input', 'the node has no input item');
  const key = options.responseKey ? String(options.responseKey) : undefined;
  switch (respondWith) {
    case 'firstIncomingItem':
      body = input().value();
      if (key) body = wrapAt(key, body);
      break;
    case 'allIncomingItems':
      body = [input().value()];
      if (key) body = wrapAt(key, body);
      break;
    case 'json':
      body = convertJson(param(n, 'responseBody', ''), env.scope, 'responseBody');
      break;
    case 'text': {
      const raw = param(n, 'responseBody', '');
      // `={{ $json }}` gives n8n an object, which it sends as JSON; anything else is sent as text.
      if (isWholeItem(raw, env.scope)) body = convertValue(raw, env.scope);
      else {
        body = convertValue(raw, env.scope, 'string');
        if (!Object.keys(headers).some((h) => h === 'content-type')) headers['content-type'] = 'text/html; charset=utf-8';
      }
      break;
    }
    case 'noData':
      body = '';
      if (!Object.keys(headers).some((h) => h === 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
      break;
    case 'redirect': {
      const url = convertValue(param(n, 'redirectURL', ''), env.scope, 'string');
      headers.location = url;
      status = Number(options.responseCode ?? 307);
      break;
    }
    case 'binary':
      return unsupported('binary', 'responding with a binary file is not supported', { parameter: 'respondWith' });
    case 'jwt':
      return unsupported('respond-jwt', 'responding with a signed JWT is not supported', { parameter: 'respondWith' });
    default:
      return unsupported('respond-with', `respond with "${respondWith}" is not supported`, { parameter: 'respondWith' });
  }
  if (!Number.isInteger(status) || status < 100 || status > 599) unsupported('respond-status', `response code ${String(options.responseCode)} is not a valid HTTP status`, { parameter: 'options.responseCode' });
  return { status, headers, ...(body !== undefined ? { body } : {}), node: n.name };
}

export function respondNode(id: string, description: string, r: { status: number; headers: Record<string, unknown>; body?: unknown }): NodeOut {
  const node: NodeOut = { id, type: 'respond', description, status: r.status };
  if (Object.keys(r.headers).length) node.headers = r.headers;
  if (r.body !== undefined) node.body = r.body;
  return node;
}

export function convertRespond(env: NodeEnv): Converted {
  if (env.wf.responseMode !== 'responseNode') {
    env.issue('warning', 'respond-ignored', env.wf.responseMode === 'call' || env.wf.responseMode === 'none' ? 'this workflow is not started by a webhook, so n8n ignores Respond to Webhook; imported as a pass-through' : 'the webhook does not respond "using Respond to Webhook node", so n8n ignores this node; imported as a pass-through');
    return { nodes: [], view: 'pass', outputs: 'pass' };
  }
  const spec = respondSpec(env);
  if (env.hasSuccessors) {
    env.issue('warning', 'respond-deferred', 'n8n answers the webhook here and continues with the next nodes; Catalyst answers when they have finished (same response, sent later; a failure after this point becomes an error response)');
    return { nodes: [], view: 'pass', outputs: 'pass', respond: spec };
  }
  return { nodes: [respondNode(env.id, describeNode(env.n8n), spec)], view: 'pass', outputs: [], responds: true };
}

/** What a path ends on: the n8n node, its item, and a Respond to Webhook deferred to here. */
export interface LeafSource {
  n8n: { name: string };
  view: View;
  respond?: PendingRespond;
}

/**
 * The response where a path ends (`kind` 'item': an output with the node's item; 'empty': an output n8n
 * sends no item to), or undefined when n8n defines none there.
 */
export function leafResponse(
  inst: LeafSource,
  kind: 'item' | 'empty',
  info: WorkflowInfo,
  tplan: TriggerPlan,
  issue: (severity: Severity, code: string, reason: string) => void,
  nodeError: (nodeName: string, err: Unsupported) => void,
): ({ status: number; headers: Record<string, unknown>; body?: unknown; description: string; origin: string }) | undefined {
  const origin = inst.n8n.name;
  if (inst.respond) return { ...inst.respond, description: `n8n: ${inst.respond.node} (respondToWebhook, answered after the following nodes)`, origin: inst.respond.node };
  const r = tplan.response;
  const bodyOf = (): unknown => {
    try {
      return inst.view.value();
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      nodeError(inst.n8n.name, new Unsupported(err.code, `the response is this node's item, but ${err.message}`));
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
          nodeError(origin, err);
        }
      } else body = bodyOf();
      if (body === undefined) return { status: 501, headers: {}, body: { error: `n8n import: the response of "${origin}" could not be translated` }, description: `stub: ${desc}`, origin };
      return { status: r?.status ?? 200, headers, body: r?.responseData === 'allEntries' ? [body] : body, description: desc, origin };
    }
    case 'responseNode':
      // What n8n answers when the run ends without a Respond to Webhook node (checked against n8n:
      // tests/integration/n8n-oracle-fidelity.test.ts): 200 with an empty body.
      issue('note', 'no-respond', 'on some paths no Respond to Webhook node runs; there n8n answers 200 with an empty body when the run ends, and so does Catalyst');
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '', description: 'n8n: no Respond to Webhook node runs on this path; n8n answers 200 with an empty body', origin };
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
