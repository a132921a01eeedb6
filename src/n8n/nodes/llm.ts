import { describeNode, type Converted, type NodeEnv, type NodeOut } from '../context.ts';
import { credentialSecret } from '../credentials.ts';
import { param } from '../defaults.ts';
import { convertToTx, convertValue, isN8nExpression } from '../expr.ts';
import { unsupported } from '../issues.ts';
import { splitN8nTemplate } from '../jsparse.ts';
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

/** The OpenAI API n8n calls when neither the node nor the credential names another base URL. */
const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** What n8n's OpenAI node puts first when it asks for JSON output (message.operation.ts). */
export const JSON_SYSTEM_MESSAGE = 'You are a helpful assistant designed to output JSON.';

const clampRetries = (n: number) => Math.max(0, Math.min(10, Math.round(n)));

function llmOptions(node: NodeOut, options: Record<string, unknown>, env: NodeEnv): void {
  if (typeof options.temperature === 'number') node.temperature = Math.max(0, Math.min(2, options.temperature));
  const max = options.maxTokens ?? options.maxTokensToSample;
  if (typeof max === 'number' && max > 0) node.maxTokens = Math.round(max);
  // --rewrite-url applies to the base URL too, the default one included (it is in the credential, not the export).
  if (typeof options.baseURL === 'string' && options.baseURL) node.baseUrl = env.rewriteUrl(convertValue(options.baseURL, env.scope, 'string'));
  else if (env.rewriteUrl(OPENAI_BASE_URL) !== OPENAI_BASE_URL) node.baseUrl = env.rewriteUrl(OPENAI_BASE_URL);
  if (typeof options.timeout === 'number' && options.timeout > 0) node.timeoutMs = Math.min(3_600_000, Math.round(options.timeout));
  if (typeof options.maxRetries === 'number') node.retries = clampRetries(options.maxRetries);
  for (const k of ['topP', 'frequencyPenalty', 'presencePenalty', 'responseFormat', 'reasoningEffort', 'n']) {
    if (options[k] !== undefined && !(k === 'responseFormat' && options[k] === 'text')) env.issue('warning', 'llm-option', `option "${k}" is not supported by Catalyst's llm node and is dropped (the reply may differ)`, { parameter: `options.${k}` });
  }
}

/** A message's content: a single expression keeps its value (null is left out at run time); text is text. */
function messageContent(raw: unknown, env: NodeEnv): unknown {
  // A message the export has no content for gets n8n's default, "" (checked against n8n).
  if (raw === undefined) return '';
  if (isN8nExpression(raw)) {
    const parts = splitN8nTemplate(raw.slice(1));
    if (parts.length === 1 && 'expr' in parts[0]) return `{{ ${convertToTx(raw, env.scope).src} }}`;
  }
  return typeof raw === 'string' ? convertValue(raw, env.scope, 'string') : JSON.stringify(raw);
}

/** OpenAI node (`@n8n/n8n-nodes-langchain.openAi`): text → message a model. */
export function convertOpenAi(env: NodeEnv): Converted {
  const n = env.n8n;
  const resource = param<string>(n, 'resource', 'text');
  const operation = param<string>(n, 'operation', 'message');
  if (resource !== 'text' || operation !== 'message') unsupported('openai-resource', `OpenAI ${resource} / ${operation} is not supported (only text → message a model)`, { parameter: 'resource' });
  // n8n sends the messages as they are: in order, any role, a content expression that gives undefined
  // left out of the JSON; in JSON mode its own system message first.
  const json = param<boolean>(n, 'jsonOutput', false);
  const messages: { role: string; content?: unknown }[] = json ? [{ role: 'system', content: JSON_SYSTEM_MESSAGE }] : [];
  param<{ content?: unknown; role?: string }[]>(n, 'messages.values', []).forEach((m, i) => {
    const role = m.role ?? 'user';
    if (role !== 'system' && role !== 'user' && role !== 'assistant') unsupported('llm-messages', `message role "${role}" is not supported (system, user and assistant are)`, { parameter: `messages.values[${i}].role` });
    messages.push({ role, content: messageContent(m.content, env) });
  });
  if (messages.length === 0) unsupported('llm-messages', 'the node sends no messages', { parameter: 'messages.values' });
  if (param<boolean>(n, 'simplify', true) === false) unsupported('llm-simplify', 'the raw (not simplified) OpenAI response is not available', { parameter: 'simplify' });
  const node: NodeOut = {
    id: env.id,
    type: 'llm',
    description: describeNode(n),
    model: modelName(param(n, 'modelId'), 'modelId'),
    messages,
    apiKeySecret: credentialSecret(env, 'openAiApi', 'OpenAI API key'),
  };
  if (json) node.json = true;
  llmOptions(node, param(n, 'options', {}), env);
  // n8n calls the API once; the node's own "Retry On Fail" setting runs it up to maxTries times.
  if (n.retryOnFail) node.retries = clampRetries((typeof n.maxTries === 'number' ? n.maxTries : 3) - 1);
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
    // LangChain sends each system message on its own, then the prompt.
    ...(system.length > 1 ? { messages: [...system.map((content) => ({ role: 'system', content })), { role: 'user', content: prompt }] } : { ...(system.length ? { system: system[0] } : {}), prompt }),
    apiKeySecret: credentialSecret(modelEnv, 'openAiApi', 'OpenAI API key'),
  };
  const opts = param<Record<string, unknown>>(model, 'options', {});
  if (opts.responseFormat === 'json_object') node.json = true;
  // n8n's OpenAI Chat Model (LangChain) retries a failed call twice unless told otherwise.
  node.retries = 2;
  llmOptions(node, opts, env);
  return { nodes: [node], view: llmView(env.id, n.name, 'chain') };
}
