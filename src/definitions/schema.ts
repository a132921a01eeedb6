import { z } from 'zod';
import { reservedEnvProblem } from './reserved-env.ts';

/**
 * The definition format, version 1. These zod schemas are the contract: types come from z.infer,
 * the committed JSON Schemas in schemas/ are generated from them (`npm run schemas`).
 */
export const FORMAT_VERSION = 1;
export const SUPPORTED_VERSIONS = [1] as const;

const formatVersion = z.literal(1, { error: 'unsupported format version: this Catalyst reads `catalyst: 1`' });

export const PROJECT_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
export const WORKFLOW_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** Size limits of one workflow (docs/security.md). */
export const MAX_NODES = 1000;
export const MAX_EDGES = 5000;
export const NODE_ID = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
export const ENV_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;
export const ROUTE_PATH = /^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/;
/** Paths every generated app serves itself. */
export const RESERVED_PATHS = ['/health', '/ready', '/version', '/metrics', '/docs', '/redoc', '/openapi.json'];

const envName = z.string().regex(ENV_NAME, 'must be UPPER_SNAKE_CASE, e.g. OPENAI_API_KEY');
/** A name the project's env or secrets may use: not one the platform or Catalyst sets. */
const projectEnvName = envName.superRefine((name, ctx) => {
  const problem = reservedEnvProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; rename it` });
});
const nodeId = z.string().regex(NODE_ID, 'node ids are letters, digits and _ (not starting with a digit), e.g. fetch_user');
const timeoutMs = z.number().int().min(1).max(3_600_000).describe('timeout in milliseconds');
const retries = z.number().int().min(0).max(10).describe('extra attempts after the first, with exponential backoff');
/** A value that may contain `{{ expressions }}` anywhere inside it. */
const anyValue = z.unknown().describe('any JSON value; strings may contain {{ expressions }}');
const stringValue = z.string().describe('text; may contain {{ expressions }}');
/** HTTP header names are tokens (RFC 9110): no spaces, colons or control characters. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** The most request headers one workflow may declare (trigger.headers). */
export const MAX_REQUEST_HEADERS = 32;
/** Hop-by-hop headers (RFC 9110 7.6.1): they belong to one connection, not to the request, so no workflow reads them. */
export const HOP_BY_HOP_HEADERS = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
const headerName = z.string().regex(HEADER_NAME, "a header name is an HTTP token: letters, digits and !#$%&'*+.^_`|~- (no spaces or colons), e.g. X-Api-Key");
/** Hosts a node may call when its URL's host is chosen at run time (see src/definitions/urls.ts). */
const allowHosts = z
  .union([z.literal('any'), z.array(z.string().regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, 'a host name in lower case, or *.example.com for its subdomains')).min(1)])
  .optional()
  .describe('hosts the URL may name at run time (checked before sending); `any` only on a node that sends no secret');
const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const visibility = z.enum(['public', 'internal']);
export const httpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

// ---------------------------------------------------------------- input schema (JSON-Schema-like)
export interface InputField {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  description?: string;
  enum?: (string | number)[];
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'email' | 'uri' | 'date' | 'date-time' | 'uuid';
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: InputField;
  properties?: Record<string, InputField>;
  required?: string[];
  additionalProperties?: boolean;
}

export const inputField: z.ZodType<InputField> = z.lazy(() =>
  z.strictObject({
    type: z.enum(['string', 'number', 'integer', 'boolean', 'array', 'object']),
    description: z.string().optional(),
    enum: z.array(z.union([z.string(), z.number()])).min(1).optional(),
    default: z.unknown().optional(),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(0).optional(),
    pattern: z.string().optional(),
    format: z.enum(['email', 'uri', 'date', 'date-time', 'uuid']).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minItems: z.number().int().min(0).optional(),
    maxItems: z.number().int().min(0).optional(),
    items: inputField.optional(),
    properties: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'field names are letters, digits and _'), inputField).optional(),
    required: z.array(z.string()).optional(),
    additionalProperties: z.boolean().optional(),
  }),
);

export const inputSchema = z
  .strictObject({
    type: z.literal('object', { error: 'a workflow input is an object: `type: object`' }),
    description: z.string().optional(),
    properties: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'field names are letters, digits and _'), inputField).default({}),
    required: z.array(z.string()).default([]),
    additionalProperties: z.boolean().default(false),
  })
  .describe('the request body (or query, for GET) the workflow accepts');

// ---------------------------------------------------------------- nodes
const base = {
  id: nodeId,
  description: z.string().optional(),
};

export const httpRequestNode = z.strictObject({
  ...base,
  type: z.literal('httpRequest'),
  method: httpMethod.default('GET'),
  url: stringValue,
  allowHosts,
  headers: z.record(headerName, stringValue).default({}),
  query: z.record(z.string(), anyValue).default({}),
  body: anyValue.optional().describe('the body: any JSON value for bodyType json; for form and multipart, a map of field name → text (or a list of texts: one field each); for text, a text'),
  bodyType: z
    .enum(['json', 'form', 'multipart', 'text'])
    .default('json')
    .describe('json: application/json; form: application/x-www-form-urlencoded; multipart: multipart/form-data with text parts; text: the body as written, with the Content-Type header (default text/plain; charset=utf-8)'),
  auth: z
    .strictObject({
      secret: envName.describe('declared project secret holding the credential'),
      scheme: z.enum(['bearer', 'header']).default('bearer'),
      header: headerName.optional().describe('header name for scheme: header, e.g. X-Api-Key'),
    })
    .optional(),
  timeoutMs: timeoutMs.optional(),
  retries: retries.default(0),
  responseType: z.enum(['json', 'text', 'auto']).default('json').describe('auto: JSON when the answer is application/json (or +json), else the text'),
  textKey: z.string().min(1).max(200).optional().describe('with responseType auto: a text answer becomes {<textKey>: text}'),
  failOnError: z.boolean().default(true).describe('treat a 4xx/5xx response as a node failure'),
});

export const llmNode = z.strictObject({
  ...base,
  type: z.literal('llm'),
  baseUrl: stringValue.default('https://api.openai.com/v1').describe('OpenAI-compatible API base URL'),
  allowHosts,
  model: z.string().min(1),
  system: stringValue.optional(),
  prompt: stringValue.optional().describe('the user message (or give `messages` instead of system and prompt)'),
  messages: z
    .array(
      z.strictObject({
        role: z.enum(['system', 'user', 'assistant']),
        content: stringValue.optional().describe('the text; a message without content, or whose content is an expression that is null, is sent without a content field'),
      }),
    )
    .min(1)
    .optional()
    .describe('the chat messages in order, instead of system and prompt'),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
  apiKeySecret: envName.describe('declared project secret holding the API key'),
  json: z.boolean().default(false).describe('ask for a JSON object and parse it'),
  timeoutMs: timeoutMs.optional(),
  retries: retries.default(0).describe('extra attempts after the first (a chat completion is not idempotent: each attempt is billed)'),
});

export const transformNode = z.strictObject({
  ...base,
  type: z.literal('transform'),
  set: z.record(z.string(), anyValue).describe('output fields and their values'),
});

export const conditionNode = z.strictObject({
  ...base,
  type: z.literal('condition'),
  if: z.union([stringValue, z.boolean()]).describe('expression; edges with branch "true" or "false" follow'),
});

export const switchNode = z.strictObject({
  ...base,
  type: z.literal('switch'),
  value: anyValue.optional().describe('value compared with each case\'s `equals`'),
  cases: z
    .array(
      z.strictObject({
        branch: z.string().regex(/^[A-Za-z0-9_-]+$/, 'branch names are letters, digits, - and _'),
        equals: anyValue.optional(),
        when: z.union([stringValue, z.boolean()]).optional(),
      }),
    )
    .min(1),
});

export const codeNode = z.strictObject({
  ...base,
  type: z.literal('code'),
  language: z.literal('python').default('python'),
  inputs: z
    .record(
      z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/, 'input names are Python identifiers (lower case)')
        .refine((k) => !PYTHON_KEYWORDS.has(k), { message: 'input names cannot be Python keywords (e.g. rename `from` to `from_`)' }),
      anyValue,
    )
    .default({}),
  outputs: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
  code: z.string().min(1).describe('Python function body; the inputs are its arguments; return a dict with the outputs'),
});

export const javascriptNode = z.strictObject({
  ...base,
  type: z.literal('javascript'),
  mode: z
    .enum(['allItems', 'eachItem'])
    .default('allItems')
    .describe('allItems: the code runs once and reads $input.all() / items; eachItem: it runs for the item and reads $json'),
  item: anyValue.optional().describe('the item the code receives as $json / $input (e.g. "{{ nodes.fetch.body }}"); default {}'),
  nodes: z.record(z.string(), anyValue).default({}).describe("items the code reads as $('Name'), by name"),
  env: z.array(envName).default([]).describe('project env settings readable as $env.NAME (never secrets)'),
  timeoutMs: z.number().int().min(1).max(60_000).default(1_000).describe('time limit of one run of the code'),
  code: z.string().min(1).describe('JavaScript, as in an n8n Code node: return an object, an item {json} or a list of them'),
});

export const workflowCallNode = z.strictObject({
  ...base,
  type: z.literal('workflowCall'),
  workflow: z
    .string()
    .regex(/^(?:[a-z][a-z0-9-]*\/)?[a-z][a-z0-9-]*$/, 'a workflow name, or project/workflow for another project'),
  input: z.record(z.string(), anyValue).default({}),
  timeoutMs: timeoutMs.optional(),
  retries: retries.default(0),
  onError: z.enum(['fail', 'continue']).default('fail'),
  fallback: anyValue.optional().describe('output used when the call fails and onError is continue'),
});

export const respondNode = z.strictObject({
  ...base,
  type: z.literal('respond'),
  status: z.number().int().min(200, 'a response status is 200–599').max(599).default(200),
  headers: z.record(headerName, stringValue).default({}),
  body: anyValue.optional(),
});

export const logNode = z.strictObject({
  ...base,
  type: z.literal('log'),
  level: z.enum(['debug', 'info', 'warning', 'error']).default('info'),
  message: stringValue,
  fields: z.record(z.string(), anyValue).default({}),
});

export const delayNode = z.strictObject({
  ...base,
  type: z.literal('delay'),
  ms: z.number().int().min(0).max(600_000),
});

export const mergeNode = z.strictObject({
  ...base,
  type: z.literal('merge'),
  mode: z.enum(['append', 'object']).default('append').describe('append: list of the outputs of the inputs that ran; object: their fields merged'),
});

export const node = z.discriminatedUnion('type', [
  httpRequestNode,
  llmNode,
  transformNode,
  conditionNode,
  switchNode,
  codeNode,
  javascriptNode,
  workflowCallNode,
  respondNode,
  logNode,
  delayNode,
  mergeNode,
]);
export const NODE_TYPES = node.options.map((o) => o.shape.type.value);

// ---------------------------------------------------------------- inbound authentication
/** One declared secret, or several (the first is current; the others are still accepted, for rotation). */
const authSecrets = z.array(envName).min(1, 'list at least one declared secret').describe('declared project secrets; a request may present any of them (rotation: add the new one first)');
const authSecret = envName.describe('declared project secret');

export const AUTH_TYPES = ['apiKey', 'bearer', 'basic', 'hmac', 'jwt'] as const;
export const authMode = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('apiKey'),
    header: headerName.default('X-Api-Key').describe('the request header carrying the key'),
    secrets: authSecrets,
  }),
  z.strictObject({ type: z.literal('bearer'), secrets: authSecrets }),
  z.strictObject({
    type: z.literal('basic'),
    user: z.string().min(1).regex(/^[^:\u0000-\u001f\u007f]+$/, 'a user name has no ":" and no control characters').describe('the user name (not a secret)'),
    secret: authSecret.optional().describe('declared secret holding the password'),
    secrets: authSecrets.optional().describe('several passwords, for rotation (instead of secret)'),
  }),
  z.strictObject({
    type: z.literal('hmac'),
    scheme: z.enum(['github', 'stripe', 'generic']).default('generic').describe('github: X-Hub-Signature-256 "sha256=<hex>"; stripe: Stripe-Signature "t=…,v1=…"; generic: hex HMAC-SHA256 of the raw body'),
    secret: authSecret.optional().describe('declared secret holding the signing key'),
    secrets: authSecrets.optional().describe('several signing keys, for rotation (instead of secret)'),
    header: headerName.optional().describe('the signature header (default: X-Hub-Signature-256, Stripe-Signature, X-Signature)'),
    toleranceSeconds: z.number().int().min(1).max(86_400).optional().describe('stripe: how old a signed timestamp may be (default 300)'),
  }),
  z.strictObject({
    type: z.literal('jwt'),
    algorithm: z.literal('HS256').default('HS256'),
    secret: authSecret.optional().describe('declared secret holding the HS256 key'),
    secrets: authSecrets.optional().describe('several keys, for rotation (instead of secret)'),
    issuer: z.string().min(1).optional().describe('required `iss` claim'),
    audience: z.string().min(1).optional().describe('required `aud` claim'),
  }),
]);
/** Who may call a public workflow: `none` (anyone, written out) or one mode. */
export const authDef = z
  .union([z.literal('none'), authMode])
  .describe('who may call the workflow: none (anyone; must be written out) or {type: apiKey | bearer | basic | hmac | jwt, …}');

export const edge = z.strictObject({
  from: nodeId,
  to: nodeId,
  branch: z.string().optional().describe('for condition: "true" | "false"; for switch: a case branch or "default"'),
  error: z
    .literal(true)
    .optional()
    .describe('true: taken only when `from` fails, with the error ({error, code, status}) as its output; its other edges are then not taken'),
});

/** A clock trigger (docs/workflows.md, "Schedules"); the expression and zone are checked in workflow.ts. */
function scheduleTrigger() {
  return z.strictObject({
    type: z.literal('schedule'),
    cron: z.string().min(1).describe('five-field cron expression (minute hour day-of-month month day-of-week) or a macro: @hourly, @daily, @weekly, @monthly, @yearly'),
    timezone: z.string().default('UTC').describe('IANA time zone the expression is read in, e.g. Europe/Berlin'),
    input: z.record(z.string(), z.unknown()).default({}).describe('the fixed input of every run (checked against the input schema)'),
    overlap: z.enum(['skip', 'allow']).default('skip').describe('when a run is still going at the next tick: skip that tick, or allow a second run'),
  });
}

export const trigger = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    method: httpMethod.default('POST'),
    path: z.string().regex(ROUTE_PATH, 'a route path like /orders/lookup (letters, digits, . _ ~ -)'),
    headers: z
      .array(headerName)
      .max(MAX_REQUEST_HEADERS, `a workflow reads at most ${MAX_REQUEST_HEADERS} request headers`)
      .optional()
      .describe('request headers the workflow reads, in lower case (e.g. [authorization, x-signature]); expressions read them as request.headers.<name>'),
  }),
  z.strictObject({ type: z.literal('call') }),
  scheduleTrigger(),
]);

export const workflowFile = z.strictObject({
  $schema: z.string().optional(),
  catalyst: formatVersion,
  name: z.string().regex(WORKFLOW_NAME, 'workflow names are lower-case letters, digits and -, e.g. lookup-order'),
  description: z.string().optional(),
  visibility: visibility.optional().describe('defaults to the project\'s defaults.visibility'),
  trigger: trigger.optional().describe('webhook for public workflows; internal workflows are triggered by calls, or by a schedule'),
  input: inputSchema.default({ type: 'object', properties: {}, required: [], additionalProperties: false }),
  timeoutMs: timeoutMs.optional(),
  auth: authDef.optional().describe('who may call this public workflow; defaults to the project\'s defaults.auth'),
  nodes: z.array(node).min(1, 'a workflow needs at least one node').max(MAX_NODES, `a workflow has at most ${MAX_NODES} nodes; split it into workflows that call each other`),
  edges: z.array(edge).max(MAX_EDGES, `a workflow has at most ${MAX_EDGES} edges`).default([]),
});

export const projectFile = z.strictObject({
  $schema: z.string().optional(),
  catalyst: formatVersion,
  name: z.string().regex(PROJECT_NAME, 'project names are lower-case letters, digits and -, 2–40 characters, e.g. support-bot'),
  description: z.string().optional(),
  secrets: z.record(projectEnvName, z.string().describe('what the secret is for')).default({}).describe('secret names the project needs (values live in Pulumi config secrets, never here)'),
  env: z.record(projectEnvName, z.union([z.string(), z.number(), z.boolean()])).default({}).describe('plain (non-secret) settings, readable as env.NAME'),
  defaults: z
    .strictObject({
      visibility: visibility.default('internal'),
      timeoutMs: timeoutMs.default(30_000),
      auth: authDef.optional().describe('auth of the public workflows that do not say'),
    })
    .default({ visibility: 'internal', timeoutMs: 30_000 }),
  server: z
    .strictObject({
      fastExtras: z.boolean().default(true).describe("ship uvicorn's fast extras, uvloop (event loop) and httptools (HTTP parser); false: the pure-Python asyncio loop and h11"),
    })
    .default({ fastExtras: true })
    .describe('the generated app\'s production server'),
});

export type ProjectFile = z.infer<typeof projectFile>;
export type WorkflowFile = z.infer<typeof workflowFile>;
export type NodeDef = z.infer<typeof node>;
export type NodeType = NodeDef['type'];
export type EdgeDef = z.infer<typeof edge>;
export type TriggerDef = z.infer<typeof trigger>;
export type InputSchema = z.infer<typeof inputSchema>;
export type AuthDef = z.infer<typeof authDef>;
export type AuthModeDef = z.infer<typeof authMode>;
export { stringMap };
