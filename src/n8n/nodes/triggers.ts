import { RESERVED_PATHS, ROUTE_PATH, type InputField } from '../../definitions/schema.ts';
import { CronSyntaxError, parseCron } from '../../shared/cron.ts';
import type { ProjectAcc, WorkflowInfo } from '../context.ts';
import { declareSecret } from '../credentials.ts';
import { upperSnake } from '../paths.ts';
import { param } from '../defaults.ts';
import type { N8nNode } from '../export.ts';
import { escapeText } from '../expr.ts';
import { Refused, unsupported } from '../issues.ts';
import { baseView, NULL, webhookView, type View } from '../views.ts';

export const TRIGGER_TYPES = ['n8n-nodes-base.webhook', 'n8n-nodes-base.manualTrigger', 'n8n-nodes-base.scheduleTrigger', 'n8n-nodes-base.executeWorkflowTrigger'];

/** Nodes that start a workflow in n8n (supported or not). */
export function isTrigger(n: N8nNode): boolean {
  return TRIGGER_TYPES.includes(n.type) || /trigger$/i.test(n.type) || n.type === 'n8n-nodes-base.start' || n.type === '@n8n/n8n-nodes-langchain.chatTrigger' || n.type === 'n8n-nodes-base.formTrigger';
}

export interface TriggerPlan {
  kind: 'webhook' | 'call' | 'manual' | 'schedule';
  responseMode: WorkflowInfo['responseMode'];
  method?: string;
  path?: string;
  input: { type: 'object'; properties?: Record<string, InputField>; additionalProperties: true };
  view: View;
  /** n8n's response settings for onReceived / lastNode. */
  response?: { status: number; headers: Record<string, unknown>; responseData: string; propertyName?: string; custom?: unknown; noBody?: boolean; contentType?: string };
  notes: { code: string; reason: string; severity: 'warning' | 'note' }[];
  /** The route's `auth:` (webhooks only): `none` written out where n8n had no webhook authentication. */
  auth?: 'none' | Record<string, unknown>;
  /** Webhooks: the request headers the workflow reads (filled while its nodes are converted; the trigger declares them). */
  headers?: Set<string>;
  /** The schedule trigger written for an n8n Schedule Trigger whose rule maps (see planSchedule). */
  schedule?: { type: 'schedule'; cron: string };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Analyse a trigger node; throws Refused when the workflow cannot be imported at all. */
export function planTrigger(n: N8nNode, acc?: ProjectAcc): TriggerPlan {
  const notes: TriggerPlan['notes'] = [];
  const anyInput = { type: 'object' as const, additionalProperties: true as const };
  switch (n.type) {
    case 'n8n-nodes-base.webhook':
      return planWebhook(n, notes, acc);
    case 'n8n-nodes-base.manualTrigger':
      notes.push({ severity: 'note', code: 'manual-trigger', reason: 'manual trigger: imported as an internal workflow (callable from other workflows; give it a webhook trigger and make it public to run it over HTTP)' });
      return { kind: 'manual', responseMode: 'none', input: anyInput, view: emptyView('the manual trigger'), notes };
    case 'n8n-nodes-base.scheduleTrigger': {
      const schedule = planSchedule(n, notes);
      return { kind: 'schedule', responseMode: 'none', input: anyInput, view: scheduleView(), notes, ...(schedule ? { schedule } : {}) };
    }
    case 'n8n-nodes-base.executeWorkflowTrigger':
      return { kind: 'call', responseMode: 'call', input: callInput(n), view: baseView('the workflow input', 'input'), notes };
    default:
      throw new Refused('trigger-type', `trigger type ${n.type} is not supported (supported: webhook, manual, schedule, Execute Workflow Trigger)`, n.name);
  }
}

function planWebhook(n: N8nNode, notes: TriggerPlan['notes'], acc?: ProjectAcc): TriggerPlan {
  const refuse = (code: string, reason: string): never => {
    throw new Refused(code, reason, n.name);
  };
  if (param<boolean>(n, 'multipleMethods', false)) refuse('webhook-methods', 'a webhook listening to several HTTP methods is not supported');
  const method = String(param(n, 'httpMethod', 'GET')).toUpperCase();
  if (!METHODS.includes(method)) refuse('webhook-method', `webhook method ${method} is not supported (Catalyst: ${METHODS.join(', ')})`);
  let raw = String(param(n, 'path', '') || n.webhookId || '');
  if (raw.startsWith('=')) {
    if (raw.includes('{{')) refuse('webhook-path', 'a webhook path computed by an expression is not supported');
    raw = raw.slice(1);
  }
  raw = raw.trim().replace(/^\/+|\/+$/g, '');
  if (!raw) refuse('webhook-path', 'the webhook has no path');
  if (raw.includes(':')) refuse('webhook-path', `the webhook path "${raw}" has path parameters (:name), which Catalyst routes do not support`);
  const path = `/${raw}`;
  if (!ROUTE_PATH.test(path)) refuse('webhook-path', `the webhook path "${raw}" has characters Catalyst routes do not allow (letters, digits, . _ ~ - and /)`);
  if (RESERVED_PATHS.includes(path)) refuse('webhook-path', `the webhook path ${path} is served by every Catalyst app itself`);
  const auth = webhookAuth(n, param<string>(n, 'authentication', 'none'), notes, acc);
  const options = param<Record<string, unknown>>(n, 'options', {});
  if (options.ipWhitelist) refuse('webhook-ip-allowlist', 'an IP allowlist is not supported; importing it would accept requests from anywhere');
  if (options.binaryData || (n.typeVersion >= 2 && options.binaryPropertyName !== undefined)) refuse('binary', 'the webhook receives binary (file) data, which is not supported');
  if (options.rawBody) notes.push({ severity: 'warning', code: 'webhook-raw-body', reason: 'the raw request body option has no Catalyst equivalent; the input is the parsed JSON body' });
  if (options.allowedOrigins) notes.push({ severity: 'warning', code: 'webhook-cors', reason: 'allowed origins (CORS) are not imported' });
  if (options.ignoreBots) notes.push({ severity: 'warning', code: 'webhook-bots', reason: '"ignore bots" is not imported' });
  const responseMode = param<string>(n, 'responseMode', 'onReceived');
  if (!['onReceived', 'lastNode', 'responseNode'].includes(responseMode)) refuse('webhook-response-mode', `response mode "${responseMode}" is not supported`);
  const codeOpt = options.responseCode as unknown;
  const status = n.typeVersion < 2 ? Number(param(n, 'responseCode', 200)) : typeof codeOpt === 'object' && codeOpt ? responseCodeV2(codeOpt) : Number(codeOpt ?? 200);
  const headers: Record<string, unknown> = {};
  for (const h of ((options.responseHeaders as { entries?: { name?: string; value?: unknown }[] })?.entries ?? [])) {
    if (!h.name) continue;
    if (typeof h.value === 'string' && h.value.startsWith('=') && h.value.includes('{{')) refuse('webhook-header', 'response headers computed by expressions are not supported on the webhook node');
    headers[String(h.name).toLowerCase()] = escapeText(String(h.value ?? '').replace(/^=/, ''));
  }
  const requestHeaders = new Set<string>();
  const plan: TriggerPlan = {
    kind: 'webhook',
    responseMode: responseMode as TriggerPlan['responseMode'],
    method,
    path,
    input: { type: 'object', additionalProperties: true },
    view: webhookView(method, requestHeaders),
    headers: requestHeaders,
    notes,
    auth,
    response: {
      status,
      headers,
      responseData: param<string>(n, 'responseData', 'firstEntryJson'),
      propertyName: typeof options.responsePropertyName === 'string' ? options.responsePropertyName : undefined,
      contentType: typeof options.responseContentType === 'string' ? options.responseContentType : undefined,
      noBody: options.noResponseBody === true,
      custom: typeof options.responseData === 'string' && options.responseData !== '' ? options.responseData : undefined,
    },
  };
  if (responseMode === 'onReceived') {
    notes.push({ severity: 'warning', code: 'respond-immediately', reason: 'n8n answers this webhook as soon as the request arrives; Catalyst answers with the same response when the workflow has finished (a failure becomes an error response)' });
  }
  if (plan.response!.responseData === 'firstEntryBinary') refuse('binary', 'responding with binary data is not supported');
  return plan;
}

function responseCodeV2(v: object): number {
  const values = (v as { values?: { responseCode?: unknown; customCode?: unknown } }).values ?? {};
  return Number(values.responseCode === 'customCode' ? values.customCode : (values.responseCode ?? 200));
}

const FIELD_TYPES: Record<string, InputField['type']> = { string: 'string', number: 'number', boolean: 'boolean', array: 'array', object: 'object' };

/** Execute Workflow Trigger inputs: declared fields (v1.1), a JSON example, or anything (passthrough). */
function callInput(n: N8nNode): TriggerPlan['input'] {
  const out: TriggerPlan['input'] = { type: 'object', additionalProperties: true };
  const props: Record<string, InputField> = {};
  const add = (name: string, type: InputField['type'] | undefined) => {
    if (type && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) props[name] = { type };
  };
  const source = param<string>(n, 'inputSource', n.typeVersion < 1.1 ? 'passthrough' : 'workflowInputs');
  if (source === 'workflowInputs') {
    for (const f of param<{ name?: string; type?: string }[]>(n, 'workflowInputs.values', [])) if (f.name) add(f.name, FIELD_TYPES[f.type ?? 'any']);
  } else if (source === 'jsonExample') {
    try {
      const ex = JSON.parse(param<string>(n, 'jsonExample', '{}')) as Record<string, unknown>;
      for (const [k, v] of Object.entries(ex ?? {})) add(k, v === null ? undefined : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : (FIELD_TYPES[typeof v] ?? undefined));
    } catch {
      unsupported('call-input', 'the JSON example of the trigger is not valid JSON');
    }
  }
  if (Object.keys(props).length) out.properties = props;
  return out;
}

/** The empty item of a manual trigger. */
function emptyView(label: string): View {
  return {
    label,
    at: () => NULL,
    whole: () => unsupported('empty-item', `${label} outputs an empty item, which cannot be read as one value`),
    value: () => ({}),
    keys: [],
  };
}

/** The schedule trigger's item: its timestamp is the time of the run. */
function scheduleView(): View {
  return {
    label: 'the schedule trigger',
    at: (p) => (p[0] === 'timestamp' && p.length === 1 ? { src: 'now()', kind: 'atom', type: 'string' } : unsupported('schedule-item', `the schedule trigger's "${p.map(String).join('.')}" is not available (only $json.timestamp, as now())`)),
    whole: () => unsupported('schedule-item', 'the schedule trigger item cannot be read as one value'),
    value: () => ({ timestamp: '{{ now() }}' }),
    keys: ['timestamp'],
  };
}

interface ScheduleRule {
  field?: string;
  secondsInterval?: number;
  minutesInterval?: number;
  hoursInterval?: number;
  daysInterval?: number;
  weeksInterval?: number;
  monthsInterval?: number;
  triggerAtHour?: number;
  triggerAtMinute?: number;
  triggerAtDay?: number[];
  triggerAtDayOfMonth?: number;
  expression?: string;
}

const int = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isInteger(v) ? v : dflt);

/**
 * An n8n Schedule Trigger rule → a five-field cron expression, or a reason it cannot be one. Intervals
 * follow n8n's own cron for them (`*\/n` of the field, so "every 7 minutes" restarts each hour as in
 * n8n); seconds cannot be mapped (schedules run at most once a minute); "every n weeks" for n > 1 has
 * no cron form.
 */
export function scheduleRuleToCron(r: ScheduleRule): { cron: string; approx?: string } | { error: string } {
  const minute = int(r.triggerAtMinute, 0);
  const hour = int(r.triggerAtHour, 0);
  const step = (n: number) => (n <= 1 ? '*' : `*/${n}`);
  switch (r.field ?? 'days') {
    case 'seconds':
      return { error: `every ${int(r.secondsInterval, 30)} seconds: Catalyst schedules run at most once a minute` };
    case 'minutes': {
      const n = int(r.minutesInterval, 5);
      return { cron: `${step(n)} * * * *`, ...(60 % n !== 0 ? { approx: `every ${n} minutes restarts at each full hour (as in n8n)` } : {}) };
    }
    case 'hours':
      return { cron: `${minute} ${step(int(r.hoursInterval, 1))} * * *` };
    case 'days':
      return { cron: `${minute} ${hour} ${step(int(r.daysInterval, 1))} * *` };
    case 'weeks': {
      const n = int(r.weeksInterval, 1);
      if (n > 1) return { error: `every ${n} weeks has no cron form` };
      const days = Array.isArray(r.triggerAtDay) && r.triggerAtDay.length ? [...new Set(r.triggerAtDay)].sort((a, b) => a - b).join(',') : '0';
      return { cron: `${minute} ${hour} * * ${days}` };
    }
    case 'months':
      return { cron: `${minute} ${hour} ${int(r.triggerAtDayOfMonth, 1)} ${step(int(r.monthsInterval, 1))} *` };
    case 'cronExpression': {
      const parts = String(r.expression ?? '').trim().split(/\s+/).filter(Boolean);
      if (parts.length === 6) {
        if (!/^\d+$/.test(parts[0])) return { error: `cron "${r.expression}" has a seconds field "${parts[0]}" that runs more than once a minute` };
        parts.shift();
      }
      const cron = parts.join(' ');
      try {
        parseCron(cron);
      } catch (e) {
        if (e instanceof CronSyntaxError) return { error: `cron "${r.expression}": ${e.message}` };
        throw e;
      }
      return { cron };
    }
    default:
      return { error: `rule field "${r.field}" is not known` };
  }
}

/** The schedule trigger for an n8n Schedule Trigger (the first rule; the rest are reported). */
function planSchedule(n: N8nNode, notes: TriggerPlan['notes']): TriggerPlan['schedule'] | undefined {
  const rules = param<ScheduleRule[]>(n, 'rule.interval', []);
  const list = rules.length ? rules : [{ field: 'days' }];
  const first = scheduleRuleToCron(list[0]);
  for (const extra of list.slice(1)) {
    notes.push({ severity: 'warning', code: 'schedule-rule', reason: `schedule rule ${JSON.stringify(extra)} not mapped: a Catalyst workflow has one schedule (import it again as another workflow, or write a cron expression that covers both)` });
  }
  if ('error' in first) {
    notes.push({ severity: 'warning', code: 'schedule-rule', reason: `schedule rule not mapped (${first.error}); imported as an internal workflow that nothing runs on a schedule: add trigger: {type: schedule, cron: …}` });
    return undefined;
  }
  if (first.approx) notes.push({ severity: 'note', code: 'schedule-rule', reason: first.approx });
  notes.push({ severity: 'note', code: 'schedule-timezone', reason: `schedule "${first.cron}" imported in UTC: n8n reads it in the workflow's settings.timezone (or the instance's zone); set trigger.timezone to match` });
  return { type: 'schedule', cron: first.cron };
}

/** n8n webhook authentication → the route's `auth:` (its secret declared in the project), or refused. */
const WEBHOOK_CREDENTIALS: Record<string, string> = { headerAuth: 'httpHeaderAuth', basicAuth: 'httpBasicAuth', jwtAuth: 'jwtAuth' };

function webhookAuth(n: N8nNode, mode: string, notes: TriggerPlan['notes'], acc: ProjectAcc | undefined): TriggerPlan['auth'] {
  if (mode === 'none' || !mode) return 'none';
  const credType = WEBHOOK_CREDENTIALS[mode];
  if (!credType || !acc) throw new Refused('webhook-auth', `webhook authentication "${mode}" is not supported (supported: header, basic, JWT); importing it would leave the endpoint unprotected`, n.name);
  const ref = n.credentials?.[credType];
  const credName = typeof ref === 'string' ? ref : ref && typeof ref === 'object' ? String((ref as { name?: unknown }).name ?? '') : '';
  const credId = ref && typeof ref === 'object' ? String((ref as { id?: unknown }).id ?? '') : '';
  const what = { headerAuth: 'the value of the header callers send', basicAuth: 'the password callers send', jwtAuth: 'the HS256 key that signs callers\' tokens' }[mode as 'headerAuth' | 'basicAuth' | 'jwtAuth'];
  const secret = declareSecret(acc, `${credType}\u0000${credId || credName}`, upperSnake(credName || `webhook ${mode}`), `${what} (n8n credential "${credName || credType}", type ${credType})`);
  const cred = `the n8n credential "${credName || credType}"`;
  if (mode === 'headerAuth') {
    notes.push({ severity: 'warning', code: 'webhook-header-auth', reason: `webhook header auth: the header name is stored in ${cred}, not in the export; the import expects the secret ${secret} in the Authorization header: set auth.header to the header n8n checked` });
    return { type: 'apiKey', header: 'Authorization', secrets: [secret] };
  }
  if (mode === 'basicAuth') {
    notes.push({ severity: 'warning', code: 'webhook-basic-auth', reason: `webhook basic auth: the user name is stored in ${cred}, not in the export; the import wrote user: n8n (no caller can log in until it is set): set auth.user; the password is the secret ${secret}` });
    return { type: 'basic', user: 'n8n', secret };
  }
  notes.push({ severity: 'warning', code: 'webhook-jwt-auth', reason: `webhook JWT auth: Catalyst checks HS256 tokens signed with the secret ${secret}; if ${cred} uses a PEM key (RS*/ES* algorithms) every token is refused until the callers sign with HS256` });
  return { type: 'jwt', secret };
}
