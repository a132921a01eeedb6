import { describeNode, type Converted, type NodeEnv, type NodeOut, type PendingRespond } from '../context.ts';
import { credentialSecret } from '../credentials.ts';
import { param } from '../defaults.ts';
import { convertValue, isN8nExpression, isWholeItem } from '../expr.ts';
import { Unsupported, unsupported } from '../issues.ts';
import { codeNode } from '../jsrun.ts';
import { convertJson } from '../jsontemplate.ts';
import { lodashPath } from '../paths.ts';
import { baseView, llmView, type Key, type View } from '../views.ts';

// ---------------------------------------------------------------- Respond to Webhook

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

// ---------------------------------------------------------------- Execute Workflow

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
  if (onError === 'continueErrorOutput') unsupported('error-output', 'an error output branch is not supported', { parameter: 'onError' });
  if (onError === 'continueRegularOutput') {
    node.onError = 'continue';
    node.fallback = { error: 'the called workflow failed' };
    env.issue('warning', 'continue-on-fail', 'n8n continues with {error: <message>} when the call fails; Catalyst continues with {error: "the called workflow failed"}', { parameter: 'onError' });
  }
  return { nodes: [node], view: baseView(`the result of workflow "${target.workflow}"`, `nodes.${env.id}`) };
}

// ---------------------------------------------------------------- Code

/**
 * A Python Code node runs inside a small shim that provides n8n's `_input`, `_json` and `_('Node')` for
 * one item and turns the returned item(s) back into one object: our node returns {"json": item}.
 */
/**
 * The user's Python is carried over verbatim; it was not written against the generated app's lint rules,
 * so each line that can take a comment gets `# noqa` (not inside multi-line strings or after a backslash
 * continuation). Lint still applies to everything Catalyst generates.
 */
export function noqa(code: string): string {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  let triple: string | undefined;
  return lines
    .map((line) => {
      let i = 0;
      let comment = false;
      if (triple) {
        const end = line.indexOf(triple);
        if (end === -1) return line;
        i = end + 3;
        triple = undefined;
      }
      while (i < line.length) {
        const c = line[i];
        if (c === '#') {
          comment = true;
          break;
        }
        if (c === '"' || c === "'") {
          if (line.startsWith(c.repeat(3), i)) {
            const end = line.indexOf(c.repeat(3), i + 3);
            if (end === -1) {
              triple = c.repeat(3);
              return line;
            }
            i = end + 3;
            continue;
          }
          let j = i + 1;
          while (j < line.length && line[j] !== c) j += line[j] === '\\' ? 2 : 1;
          i = j + 1;
          continue;
        }
        i++;
      }
      if (line.trim() === '' || (!comment && /\\\s*$/.test(line))) return line;
      return comment ? (/#\s*noqa\b/.test(line) ? line : `${line.replace(/\s+$/, '')}  # noqa`) : `${line.replace(/\s+$/, '')}  # noqa`;
    })
    .join('\n');
}

export function pythonShim(n: { name: string }, code: string, eachItem: boolean): string {
  const body = noqa(code)
    .split('\n')
    .map((l) => {
      const m = /^[ \t]*/.exec(l)![0];
      return l.trim() === '' ? '' : `    ${m.replace(/\t/g, '    ')}${l.slice(m.length)}`;
    })
    .join('\n')
    .replace(/\n+$/, '');
  return [
    `# n8n Code node ${JSON.stringify(n.name)} (Python), with n8n's _input / _json / _() for one item.`,
    'class _N8nItem(dict):',
    '    def __getattr__(self, key):',
    '        try:',
    '            value = self[key]',
    '        except KeyError:',
    '            raise AttributeError(key) from None',
    '        return _N8nItem(value) if isinstance(value, dict) and not isinstance(value, _N8nItem) else value',
    '',
    'class _N8nItems:',
    '    def __init__(self, data):',
    '        self.item = _N8nItem({"json": _N8nItem(data) if isinstance(data, dict) else data})',
    '',
    '    def all(self):',
    '        return [self.item]',
    '',
    '    def first(self):',
    '        return self.item',
    '',
    '    def last(self):',
    '        return self.item',
    '',
    '_input = _N8nItems(n8n_item)',
    '',
    'def _(name):',
    '    return _N8nItems(n8n_nodes[name])',
    '',
    ...(eachItem ? ['_json = _input.item.json', '_item = _input.item', ''] : []),
    'def _n8n_main():',
    body || '    return None',
    '',
    '_result = _n8n_main()',
    'if isinstance(_result, list):',
    '    if len(_result) != 1:',
    '        raise RuntimeError(f"the n8n code returned {len(_result)} items; a Catalyst workflow handles one item")',
    '    _result = _result[0]',
    'if isinstance(_result, dict) and isinstance(_result.get("json"), dict):',
    '    _result = _result["json"]',
    'return {"json": _result}',
  ].join('\n');
}

export function convertCode(env: NodeEnv): Converted {
  const n = env.n8n;
  const language = param<string>(n, 'language', 'javaScript');
  if (language !== 'python' && language !== 'pythonNative') {
    const js = param<string>(n, 'jsCode', '');
    if (!js.trim()) unsupported('code-empty', 'the code is empty', { parameter: 'jsCode' });
    const eachJs = param<string>(n, 'mode', 'runOnceForAllItems') === 'runOnceForEachItem';
    try {
      return { nodes: [codeNode(env.id, describeNode(n), js, eachJs, env.scope, env.input)], view: baseView(`the output of code node "${n.name}"`, `nodes.${env.id}`) };
    } catch (err) {
      if (err instanceof Unsupported) err.parameter ??= 'jsCode';
      throw err;
    }
  }
  const code = param<string>(n, 'pythonCode', '');
  if (!code.trim()) unsupported('code-empty', 'the code is empty', { parameter: 'pythonCode' });
  const eachItem = param<string>(n, 'mode', 'runOnceForAllItems') === 'runOnceForEachItem';
  if (/\b_(?:items|node|env|vars|execution|workflow|prevNode|now|today|jmespath|getWorkflowStaticData)\b/.test(code)) {
    const m = /\b(_(?:items|node|env|vars|execution|workflow|prevNode|now|today|jmespath|getWorkflowStaticData))\b/.exec(code)!;
    unsupported('code-builtin', `the Python code uses ${m[1]}, which the import cannot provide (available: _input, _json, _('Node'))`, { parameter: 'pythonCode' });
  }
  const refs = [...code.matchAll(/\b_\(\s*(['"])(.*?)\1\s*\)/g)].map((m) => m[2]);
  const nodesInput: Record<string, unknown> = {};
  for (const name of [...new Set(refs)].sort()) nodesInput[name] = env.scope.node(name).value();
  const item = env.input && /\b_(?:input|json|item)\b/.test(code) ? env.input.value() : {};
  return {
    nodes: [
      {
        id: env.id,
        type: 'code',
        description: describeNode(n),
        inputs: { n8n_item: item, n8n_nodes: nodesInput },
        outputs: ['json'],
        code: pythonShim(n, code, eachItem),
      },
    ],
    view: baseView(`the output of code node "${n.name}"`, `nodes.${env.id}.json`),
  };
}

// ---------------------------------------------------------------- LLM

function modelName(raw: unknown, where: string): string {
  const v = raw && typeof raw === 'object' ? (raw as { value?: unknown }).value : raw;
  if (typeof v !== 'string' || v === '') return unsupported('llm-model', 'the model is not set', { parameter: where });
  if (v.startsWith('=')) {
    if (v.includes('{{')) unsupported('llm-model', 'a model chosen by an expression is not supported', { parameter: where, expression: v });
    return v.slice(1);
  }
  return v;
}

function llmOptions(node: NodeOut, options: Record<string, unknown>, env: NodeEnv): void {
  if (typeof options.temperature === 'number') node.temperature = Math.max(0, Math.min(2, options.temperature));
  const max = options.maxTokens ?? options.maxTokensToSample;
  if (typeof max === 'number' && max > 0) node.maxTokens = Math.round(max);
  if (typeof options.baseURL === 'string' && options.baseURL) node.baseUrl = convertValue(options.baseURL, env.scope, 'string');
  if (typeof options.timeout === 'number' && options.timeout > 0) node.timeoutMs = Math.min(3_600_000, Math.round(options.timeout));
  if (typeof options.maxRetries === 'number') node.retries = Math.max(0, Math.min(10, Math.round(options.maxRetries)));
  for (const k of ['topP', 'frequencyPenalty', 'presencePenalty', 'responseFormat', 'reasoningEffort', 'n']) {
    if (options[k] !== undefined && !(k === 'responseFormat' && options[k] === 'text')) env.issue('warning', 'llm-option', `option "${k}" is not supported by Catalyst's llm node and is dropped (the reply may differ)`, { parameter: `options.${k}` });
  }
}

/** OpenAI node (`@n8n/n8n-nodes-langchain.openAi`): text → message a model. */
export function convertOpenAi(env: NodeEnv): Converted {
  const n = env.n8n;
  const resource = param<string>(n, 'resource', 'text');
  const operation = param<string>(n, 'operation', 'message');
  if (resource !== 'text' || operation !== 'message') unsupported('openai-resource', `OpenAI ${resource} / ${operation} is not supported (only text → message a model)`, { parameter: 'resource' });
  const messages = param<{ content?: unknown; role?: string }[]>(n, 'messages.values', []);
  const system: unknown[] = [];
  const user: unknown[] = [];
  messages.forEach((m, i) => {
    const text = convertValue(m.content ?? '', env.scope, 'string');
    const role = m.role ?? 'user';
    if (role === 'system') system.push(text);
    else if (role === 'user') user.push(text);
    else unsupported('llm-messages', `a prefilled ${role} message is not supported (Catalyst sends a system and a user message)`, { parameter: `messages.values[${i}]` });
  });
  if (user.length !== 1) unsupported('llm-messages', `exactly one user message is supported, found ${user.length}`, { parameter: 'messages.values' });
  if (param<boolean>(n, 'simplify', true) === false) unsupported('llm-simplify', 'the raw (not simplified) OpenAI response is not available', { parameter: 'simplify' });
  const node: NodeOut = {
    id: env.id,
    type: 'llm',
    description: describeNode(n),
    model: modelName(param(n, 'modelId'), 'modelId'),
    ...(system.length ? { system: system.join('\n\n') } : {}),
    prompt: user[0],
    apiKeySecret: credentialSecret(env, 'openAiApi', 'OpenAI API key'),
  };
  const json = param<boolean>(n, 'jsonOutput', false);
  if (json) node.json = true;
  llmOptions(node, param(n, 'options', {}), env);
  const view = llmView(env.id, n.name, 'message');
  if (json) {
    return { nodes: [node], view: { ...view, at: (p: Key[]) => (p[0] === 'message' && p[1] === 'content' ? baseView('', `nodes.${env.id}.json`).at(p.slice(2)) : view.at(p)) } };
  }
  return { nodes: [node], view };
}

/** Basic LLM Chain with an OpenAI chat model sub-node → llm. */
export function convertChainLlm(env: NodeEnv): Converted {
  const n = env.n8n;
  if (param<boolean>(n, 'hasOutputParser', false)) unsupported('llm-output-parser', 'output parsers are not supported', { parameter: 'hasOutputParser' });
  const models = env.languageModels();
  if (models.length !== 1) unsupported('llm-model', models.length ? 'several language models are connected' : 'no language model is connected');
  const model = models[0];
  if (model.type !== '@n8n/n8n-nodes-langchain.lmChatOpenAi') unsupported('llm-model', `language model ${model.type} is not supported (only the OpenAI chat model)`);
  const promptType = param<string>(n, 'promptType', 'auto');
  let prompt: unknown;
  if (promptType === 'define') prompt = convertValue(param(n, 'text', ''), env.scope, 'string');
  else {
    const field = n.typeVersion < 1.4 ? 'input' : 'chatInput';
    const input = env.input ?? unsupported('no-input', 'the node has no input item');
    prompt = `{{ ${input.at([field]).src} }}`;
  }
  const system: unknown[] = [];
  const msgs = param<{ messageValues?: { type?: string; message?: unknown; messageType?: string }[] }>(n, 'messages', {}).messageValues ?? [];
  msgs.forEach((m, i) => {
    const type = m.type ?? 'SystemMessagePromptTemplate';
    if (type !== 'SystemMessagePromptTemplate' || m.messageType === 'imageBinary' || m.messageType === 'imageUrl') {
      unsupported('llm-messages', `chat message ${type} is not supported (only system messages)`, { parameter: `messages.messageValues[${i}]` });
    }
    system.push(convertValue(m.message ?? '', env.scope, 'string'));
  });
  const modelEnv = { ...env, n8n: model };
  const node: NodeOut = {
    id: env.id,
    type: 'llm',
    description: `${describeNode(n)} with ${model.name}`,
    model: modelName(param(model, 'model'), `${model.name}.model`),
    ...(system.length ? { system: system.join('\n\n') } : {}),
    prompt,
    apiKeySecret: credentialSecret(modelEnv, 'openAiApi', 'OpenAI API key'),
  };
  const opts = param<Record<string, unknown>>(model, 'options', {});
  if (opts.responseFormat === 'json_object') node.json = true;
  llmOptions(node, opts, env);
  return { nodes: [node], view: llmView(env.id, n.name, 'chain') };
}

// ---------------------------------------------------------------- Merge

export type MergeKind = 'join' | 'combine';

/** How a Merge node maps: append/pass-through joins branches; combine-by-position merges fields. */
export function mergeKind(n: { type: string; typeVersion: number; parameters: Record<string, unknown> }): MergeKind {
  const node = n as Parameters<typeof param>[0];
  const mode = param<string>(node, 'mode', 'append');
  const v = n.typeVersion;
  if (mode === 'append' || (v < 2 && mode === 'passThrough')) return 'join';
  if (v < 2 && mode === 'mergeByIndex') return 'combine';
  if (mode === 'combine') {
    const by = v < 3 ? param<string>(node, 'combinationMode', 'mergeByFields') : param<string>(node, 'combineBy', 'combineByFields');
    if (by === 'mergeByPosition' || by === 'combineByPosition') return 'combine';
    return unsupported('merge-mode', `combining items by ${by === 'combineAll' || by === 'multiplex' ? 'all combinations' : 'matching fields'} works on lists of items; a Catalyst workflow handles one item`, { parameter: v < 3 ? 'combinationMode' : 'combineBy' });
  }
  return unsupported('merge-mode', `merge mode "${mode}" is not supported (append and combine by position are)`, { parameter: 'mode' });
}

export function convertMergeCombine(env: NodeEnv, inputs: { view: View; from?: string }[]): Converted {
  for (const i of inputs) {
    const whole = (() => {
      try {
        return i.view.whole().src;
      } catch {
        return undefined;
      }
    })();
    if (!i.from || whole !== `nodes.${i.from}`) {
      unsupported('merge-input', `combining by position needs inputs whose items are whole node outputs; ${i.view.label} is not`);
    }
  }
  const keys = inputs.every((i) => i.view.keys) ? [...new Set(inputs.flatMap((i) => i.view.keys!))] : undefined;
  return {
    nodes: [{ id: env.id, type: 'merge', description: describeNode(env.n8n), mode: 'object' }],
    view: baseView(`the output of merge node "${env.n8n.name}"`, `nodes.${env.id}`, keys),
  };
}
