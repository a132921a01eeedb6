import type { N8nNode } from './export.ts';

/**
 * n8n omits a parameter from an export when it equals the default, and defaults change between a node
 * type's versions. This table holds the defaults the importer relies on, per node type and typeVersion
 * range (from the n8n node descriptions). `param()` reads a parameter with its default applied.
 */
interface DefaultsEntry {
  /** Inclusive typeVersion range. */
  from: number;
  to: number;
  params: Record<string, unknown>;
}

const INF = Number.POSITIVE_INFINITY;

export const DEFAULTS: Readonly<Record<string, readonly DefaultsEntry[]>> = {
  'n8n-nodes-base.webhook': [
    { from: 1, to: 1.1, params: { httpMethod: 'GET', path: '', responseMode: 'onReceived', responseData: 'firstEntryJson', responseCode: 200, authentication: 'none', options: {} } },
    { from: 2, to: INF, params: { httpMethod: 'GET', path: '', responseMode: 'onReceived', responseData: 'firstEntryJson', authentication: 'none', multipleMethods: false, options: {} } },
  ],
  'n8n-nodes-base.respondToWebhook': [{ from: 1, to: INF, params: { respondWith: 'firstIncomingItem', responseBody: '', redirectURL: '', options: {} } }],
  'n8n-nodes-base.set': [
    { from: 1, to: 2, params: { keepOnlySet: false, values: {}, options: {} } },
    { from: 3, to: 3.2, params: { mode: 'manual', include: 'all', fields: { values: [] }, jsonOutput: '', options: {} } },
    { from: 3.3, to: INF, params: { mode: 'manual', includeOtherFields: false, include: 'all', assignments: { assignments: [] }, jsonOutput: '', options: {} } },
  ],
  'n8n-nodes-base.if': [
    { from: 1, to: 1, params: { conditions: {}, combineOperation: 'all' } },
    { from: 2, to: INF, params: { conditions: { options: { caseSensitive: true, typeValidation: 'strict' }, combinator: 'and', conditions: [] }, looseTypeValidation: false, options: {} } },
  ],
  'n8n-nodes-base.switch': [
    { from: 1, to: 1, params: { mode: 'rules', dataType: 'number', value1: undefined, rules: { rules: [] }, fallbackOutput: -1, output: 0 } },
    { from: 2, to: 2, params: { mode: 'rules', dataType: 'number', value1: undefined, rules: { rules: [] }, fallbackOutput: -1, outputsAmount: 4 } },
    { from: 3, to: INF, params: { mode: 'rules', rules: { values: [] }, options: {} } },
  ],
  'n8n-nodes-base.httpRequest': [
    {
      from: 1,
      to: 2,
      params: {
        requestMethod: 'GET',
        url: '',
        authentication: 'none',
        responseFormat: 'json',
        dataPropertyName: 'data',
        jsonParameters: false,
        bodyParametersUi: {},
        headerParametersUi: {},
        queryParametersUi: {},
        bodyParametersJson: '',
        headerParametersJson: '',
        queryParametersJson: '',
        options: {},
      },
    },
    {
      from: 3,
      to: INF,
      params: {
        method: 'GET',
        url: '',
        authentication: 'none',
        sendQuery: false,
        specifyQuery: 'keypair',
        queryParameters: { parameters: [] },
        jsonQuery: '',
        sendHeaders: false,
        specifyHeaders: 'keypair',
        headerParameters: { parameters: [] },
        jsonHeaders: '',
        sendBody: false,
        contentType: 'json',
        specifyBody: 'keypair',
        bodyParameters: { parameters: [] },
        jsonBody: '',
        body: '',
        options: {},
      },
    },
  ],
  'n8n-nodes-base.code': [
    { from: 1, to: 1, params: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: '', pythonCode: '' } },
    { from: 2, to: INF, params: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: '', pythonCode: '' } },
  ],
  'n8n-nodes-base.executeWorkflow': [
    { from: 1, to: 1, params: { source: 'database', workflowId: '', mode: 'once', options: {} } },
    { from: 1.1, to: INF, params: { source: 'database', workflowId: '', mode: 'once', workflowInputs: undefined, options: {} } },
  ],
  'n8n-nodes-base.executeWorkflowTrigger': [
    { from: 1, to: 1, params: { inputSource: 'passthrough' } },
    { from: 1.1, to: INF, params: { inputSource: 'workflowInputs', workflowInputs: { values: [] }, jsonExample: '' } },
  ],
  'n8n-nodes-base.merge': [
    { from: 1, to: 1, params: { mode: 'append' } },
    { from: 2, to: 2.1, params: { mode: 'append', combinationMode: 'mergeByFields', joinMode: 'keepMatches', options: {} } },
    { from: 3, to: INF, params: { mode: 'append', combineBy: 'combineByFields', numberInputs: 2, options: {} } },
  ],
  'n8n-nodes-base.scheduleTrigger': [{ from: 1, to: INF, params: { rule: { interval: [{ field: 'days' }] } } }],
  '@n8n/n8n-nodes-langchain.openAi': [{ from: 1, to: INF, params: { resource: 'text', operation: 'message', messages: { values: [] }, simplify: true, jsonOutput: false, options: {} } }],
  '@n8n/n8n-nodes-langchain.chainLlm': [
    { from: 1, to: 1.3, params: { prompt: '={{ $json.input }}', promptType: 'auto', messages: {}, hasOutputParser: false } },
    { from: 1.4, to: INF, params: { promptType: 'auto', text: '={{ $json.chatInput }}', messages: {}, hasOutputParser: false } },
  ],
  '@n8n/n8n-nodes-langchain.lmChatOpenAi': [
    { from: 1, to: 1.1, params: { model: 'gpt-3.5-turbo', options: {} } },
    { from: 1.2, to: INF, params: { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, options: {} } },
  ],
};

function defaultsFor(node: Pick<N8nNode, 'type' | 'typeVersion'>): Record<string, unknown> {
  const entries = DEFAULTS[node.type] ?? [];
  return entries.find((e) => node.typeVersion >= e.from && node.typeVersion <= e.to)?.params ?? {};
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** A parameter by dotted path with the type/version default applied. */
export function param<T = unknown>(node: Pick<N8nNode, 'type' | 'typeVersion' | 'parameters'>, path: string, fallback?: T): T {
  const keys = path.split('.');
  const v = getPath(node.parameters, keys);
  if (v !== undefined) return v as T;
  const d = getPath(defaultsFor(node), keys);
  return (d !== undefined ? d : fallback) as T;
}

/** True when the node type is known to the defaults table at this version. */
export function knownVersion(node: Pick<N8nNode, 'type' | 'typeVersion'>): boolean {
  return (DEFAULTS[node.type] ?? []).some((e) => node.typeVersion >= e.from && node.typeVersion <= e.to);
}
