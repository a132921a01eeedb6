import { describeNode, type Converted, type NodeEnv, type NodeOut } from '../context.ts';
import { credentialSecret } from '../credentials.ts';
import { param } from '../defaults.ts';
import { convertValue } from '../expr.ts';
import { unsupported } from '../issues.ts';
import { baseView, llmView, type Key } from '../views.ts';

/** The OpenAI node and the Basic LLM Chain (with an OpenAI chat model sub-node) → llm. */

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
