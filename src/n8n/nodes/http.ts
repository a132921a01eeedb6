import { compileValue } from '../../expressions/value.ts';
import { checkOutgoingUrl } from '../../definitions/urls.ts';
import { describeNode, type Converted, type NodeEnv, type NodeOut } from '../context.ts';
import { httpAuth } from '../credentials.ts';
import { param } from '../defaults.ts';
import { convertValue } from '../expr.ts';
import { unsupported } from '../issues.ts';
import { convertJson } from '../jsontemplate.ts';
import { lodashPath, setAt } from '../paths.ts';
import { codeHosts, fixedHost } from './urls.ts';
import { httpView } from '../views.ts';

/**
 * HTTP Request v1–v4.x → httpRequest. Our node sends JSON, url-encoded, multipart (text parts) and text bodies and outputs {status, headers,
 * body}; n8n's item is the parsed body (or {body, headers, statusCode} with "full response", or
 * {data: text} for text responses), which the node's View maps.
 */

interface Pair {
  name?: string;
  value?: unknown;
  parameterType?: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Marker on httpRequest nodes whose n8n response format is "autodetect" (removed before writing). */
export const AUTODETECT = '__autodetect';

function literalParam(env: NodeEnv, name: string, fallback: string): string {
  const raw = param<unknown>(env.n8n, name, fallback);
  if (typeof raw !== 'string') return String(raw);
  if (raw.startsWith('=')) {
    if (raw.includes('{{')) unsupported('dynamic-parameter', `"${name}" computed by an expression is not supported`, { parameter: name, expression: raw });
    return raw.slice(1);
  }
  return raw;
}

/**
 * A field, query or header name kept as the object key it becomes: `__proto__` cannot be one (it would
 * be lost, or change the object itself), so it is refused.
 */
function fieldName(name: string, parameter: string, keys: (string | number)[] = [name]): string {
  if (keys.includes('__proto__')) unsupported('http-parameter', `the name ${JSON.stringify(name)} is not supported (__proto__ cannot be a field, query or header name here); rename it`, { parameter });
  return name;
}

/** Name/value pairs → an object (repeated names become lists, as n8n sends them). */
function pairs(env: NodeEnv, list: Pair[], where: string, opts: { nested?: boolean; text?: boolean; repeated?: 'list' | 'last' } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const tree = new Map();
  list.forEach((p, i) => {
    if (p.parameterType === 'formBinaryData') unsupported('binary', 'binary (file) form fields are not supported', { parameter: `${where}[${i}]` });
    if (p.name === undefined || p.name === '') {
      if (p.value === undefined || p.value === '') return;
      unsupported('http-parameter', 'a parameter has a value but no name', { parameter: `${where}[${i}]` });
    }
    let name = String(p.name);
    if (name.startsWith('=')) {
      if (name.includes('{{')) unsupported('dynamic-parameter', 'parameter names computed by expressions are not supported', { parameter: `${where}[${i}].name`, expression: name });
      name = name.slice(1);
    }
    let value = withParameter(`${where}[${i}].value`, () => convertValue(p.value ?? '', env.scope, opts.text ? 'string' : 'any'));
    if (opts.text && typeof value !== 'string') value = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const keys = opts.nested ? lodashPath(name) : [name];
    fieldName(name, `${where}[${i}].name`, keys);
    if (opts.nested) setAt(out, tree, keys, value);
    else if (Object.hasOwn(out, name) && opts.repeated !== 'last') out[name] = [...(Array.isArray(out[name]) ? (out[name] as unknown[]) : [out[name]]), value];
    else out[name] = value;
  });
  return out;
}

function withParameter<T>(parameter: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err && typeof err === 'object' && 'parameter' in err && (err as { parameter?: string }).parameter === undefined) (err as { parameter?: string }).parameter = parameter;
    throw err;
  }
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return unsupported('http-json', `${what} must be a JSON object`, { parameter: what });
  for (const k of Object.keys(v)) fieldName(k, what);
  return v as Record<string, unknown>;
}

function stringValues(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === null ? '' : JSON.stringify(v)]));
}

type BodyType = 'json' | 'form' | 'multipart' | 'text';
const FORM_TYPES: Record<string, BodyType> = { 'form-urlencoded': 'form', 'multipart-form-data': 'multipart' };

/** A form body given as JSON: a flat object of texts (numbers, booleans) or lists of them. */
function formMap(body: unknown, parameter: string): Record<string, unknown> {
  const scalar = (x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x);
  const obj = asObject(body, parameter);
  for (const [k, x] of Object.entries(obj)) {
    if (!scalar(x) && !(Array.isArray(x) && x.every(scalar))) unsupported('http-content-type', `form field "${k}" holds an object; Catalyst sends flat form fields`, { parameter });
  }
  return obj;
}

/**
 * HTTP Request v3+ form bodies. The fields (bodyParameters) are sent in order; repeated names: n8n before
 * 4.3 keeps the last one, from 4.3 on a url-encoded form sends them indexed (qs: `name[0]=…&name[1]=…`);
 * a multipart form from 4.2 on appends every field, so repeated names are repeated parts. A
 * url-encoded form may also come from a JSON body or a `body` string (`a=1&b=2`); file fields are refused.
 */
function formBody(env: NodeEnv, bodyType: BodyType): Record<string, unknown> {
  const n = env.n8n;
  const v = n.typeVersion;
  const specify = param<string>(n, 'specifyBody', 'keypair');
  if (bodyType === 'form' && specify === 'json') return formMap(withParameter('jsonBody', () => convertJson(param(n, 'jsonBody', ''), env.scope, 'jsonBody')) ?? {}, 'jsonBody');
  if (bodyType === 'form' && specify === 'string') {
    const raw = param<unknown>(n, 'body', '');
    if (typeof raw !== 'string') return unsupported('http-content-type', 'the url-encoded body is not a text', { parameter: 'body' });
    if (!(raw.startsWith('=') && raw.includes('{{'))) {
      const fields = [...new URLSearchParams(raw.startsWith('=') ? raw.slice(1) : raw)];
      for (const [k] of fields) fieldName(k, 'body');
      return Object.fromEntries(fields);
    }
    return formString(env, raw.slice(1));
  }
  const repeated = bodyType === 'multipart' ? (v >= 4.2 ? 'list' : 'last') : v >= 4.3 ? 'list' : 'last';
  const fields = pairs(env, param<Pair[]>(n, 'bodyParameters.parameters', []), 'bodyParameters.parameters', { text: true, repeated });
  if (bodyType === 'multipart') return fields;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(fields)) {
    if (Array.isArray(x)) x.forEach((item, j) => (out[`${k}[${j}]`] = item));
    else out[k] = x;
  }
  return out;
}

/** Decodes url-encoded text as URLSearchParams does (`+` is a space; a bad escape stays as written). */
function formDecode(text: string): string {
  return text.replace(/\+/g, ' ').replace(/(%[0-9A-Fa-f]{2})+/g, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m;
    }
  });
}

/**
 * A url-encoded body written as one string with expressions (`a=1&b={{ $json.x }}`): n8n evaluates it,
 * then splits it into fields. Here it is split where it is written (at `&` and the first `=` outside
 * `{{ }}`), each literal part decoded, each expression kept as the field's value; the last of a repeated
 * name wins, as in n8n. An expression's value is sent as it is, where n8n would decode escapes in it and
 * split it at `&` (a warning says so).
 */
function formString(env: NodeEnv, text: string): Record<string, unknown> {
  const pieces = text.split(/(\{\{[\s\S]*?\}\})/);
  const fields: [string, string][] = [['', '']];
  let inValue = false;
  const lit = (t: string) => {
    const d = formDecode(t);
    if (/\{\{|\}\}/.test(d)) unsupported('http-content-type', 'the url-encoded body holds text that decodes to {{ or }}', { parameter: 'body' });
    return d;
  };
  pieces.forEach((piece, i) => {
    if (i % 2 === 1) {
      if (!inValue) unsupported('dynamic-parameter', 'field names computed by expressions in a url-encoded body are not supported', { parameter: 'body', expression: piece });
      fields[fields.length - 1][1] += piece;
      return;
    }
    for (const [j, part] of piece.split('&').entries()) {
      if (j > 0) {
        fields.push(['', '']);
        inValue = false;
      }
      const eq = inValue ? -1 : part.indexOf('=');
      if (inValue) fields[fields.length - 1][1] += lit(part);
      else if (eq === -1) fields[fields.length - 1][0] += lit(part);
      else {
        fields[fields.length - 1][0] += lit(part.slice(0, eq));
        fields[fields.length - 1][1] += lit(part.slice(eq + 1));
        inValue = true;
      }
    }
  });
  const out: Record<string, unknown> = {};
  for (const [name, value] of fields) {
    if (name === '' && value === '') continue;
    out[fieldName(name, 'body')] = withParameter('body', () => convertValue(value.includes('{{') ? `=${value}` : value, env.scope, 'string'));
  }
  env.issue('warning', 'http-form-string', 'the url-encoded body is split into fields where it is written; a value computed by an expression is sent as it is (n8n decodes %-escapes and + in it, and splits it at &)', { parameter: 'body' });
  return out;
}

export function convertHttp(env: NodeEnv): Converted {
  const n = env.n8n;
  const v = n.typeVersion;
  const legacy = v < 3;
  const method = literalParam(env, legacy ? 'requestMethod' : 'method', 'GET').toUpperCase();
  if (!METHODS.includes(method)) unsupported('http-method', `method ${method} is not supported (Catalyst: ${METHODS.join(', ')})`, { parameter: legacy ? 'requestMethod' : 'method' });

  const rawUrl = param<unknown>(n, 'url', '');
  if (rawUrl === '' || rawUrl === '=') unsupported('http-url', 'the URL is empty', { parameter: 'url' });
  const url = env.rewriteUrl(fixedHost(env, withParameter('url', () => convertValue(rawUrl, env.scope, 'string'))));
  if (typeof url === 'string' && !url.includes('{{') && !/^https?:\/\//i.test(url)) {
    env.issue('warning', 'http-url', `the URL ${JSON.stringify(url.slice(0, 80))} is not an absolute http(s) URL; the request fails until it is set`, { parameter: 'url' });
  }

  let query: Record<string, unknown> = {};
  let headers: Record<string, unknown> = {};
  let body: unknown;
  let bodyType: BodyType = 'json';
  let rawType: unknown;
  const options = param<Record<string, unknown>>(n, 'options', {});
  if (legacy) {
    const json = param<boolean>(n, 'jsonParameters', false);
    if (param<boolean>(n, 'sendBinaryData', false)) unsupported('binary', 'sending binary data is not supported', { parameter: 'sendBinaryData' });
    if (json) {
      query = asObject(withParameter('queryParametersJson', () => convertJson(param(n, 'queryParametersJson', ''), env.scope, 'queryParametersJson')), 'queryParametersJson');
      headers = stringValues(asObject(withParameter('headerParametersJson', () => convertJson(param(n, 'headerParametersJson', ''), env.scope, 'headerParametersJson')), 'headerParametersJson'));
      body = withParameter('bodyParametersJson', () => convertJson(param(n, 'bodyParametersJson', ''), env.scope, 'bodyParametersJson'));
    } else {
      query = pairs(env, param<Pair[]>(n, 'queryParametersUi.parameter', []), 'queryParametersUi.parameter');
      headers = pairs(env, param<Pair[]>(n, 'headerParametersUi.parameter', []), 'headerParametersUi.parameter', { text: true });
      const bodyPairs = param<Pair[]>(n, 'bodyParametersUi.parameter', []);
      // n8n's legacy node keeps the last of repeated names in a form
      const form = String(options.bodyContentType ?? 'json') in FORM_TYPES;
      if (bodyPairs.length) body = pairs(env, bodyPairs, 'bodyParametersUi.parameter', form ? { text: true, repeated: 'last' } : {});
    }
    const contentType = String(options.bodyContentType ?? 'json');
    if (body !== undefined && contentType in FORM_TYPES) {
      bodyType = FORM_TYPES[contentType];
      if (json) body = formMap(body, 'bodyParametersJson');
    } else if (body !== undefined && contentType !== 'json') unsupported('http-content-type', `body content type "${contentType}" is not supported (Catalyst sends JSON, form, multipart and text bodies)`, { parameter: 'options.bodyContentType' });
  } else {
    if (param<boolean>(n, 'sendQuery', false)) {
      query =
        param<string>(n, 'specifyQuery', 'keypair') === 'json'
          ? asObject(withParameter('jsonQuery', () => convertJson(param(n, 'jsonQuery', ''), env.scope, 'jsonQuery')), 'jsonQuery')
          : pairs(env, param<Pair[]>(n, 'queryParameters.parameters', []), 'queryParameters.parameters');
    }
    if (param<boolean>(n, 'sendHeaders', false)) {
      headers =
        param<string>(n, 'specifyHeaders', 'keypair') === 'json'
          ? stringValues(asObject(withParameter('jsonHeaders', () => convertJson(param(n, 'jsonHeaders', ''), env.scope, 'jsonHeaders')), 'jsonHeaders'))
          : pairs(env, param<Pair[]>(n, 'headerParameters.parameters', []), 'headerParameters.parameters', { text: true });
    }
    if (param<boolean>(n, 'sendBody', false)) {
      const contentType = param<string>(n, 'contentType', 'json');
      if (contentType in FORM_TYPES) {
        bodyType = FORM_TYPES[contentType];
        body = formBody(env, bodyType);
      } else if (contentType === 'raw') {
        // n8n sends the body as written, with rawContentType as its content-type header
        bodyType = 'text';
        body = withParameter('body', () => convertValue(param(n, 'body', ''), env.scope, 'string'));
        const raw = withParameter('rawContentType', () => convertValue(param(n, 'rawContentType', ''), env.scope, 'string'));
        if (raw !== '') rawType = raw;
      } else if (contentType !== 'json') {
        const why = contentType === 'binaryData' ? 'binary data is not supported' : `body content type "${contentType}" is not supported (Catalyst sends JSON, form, multipart and text bodies)`;
        unsupported(contentType === 'binaryData' ? 'binary' : 'http-content-type', why, { parameter: 'contentType' });
      } else if (param<string>(n, 'specifyBody', 'keypair') === 'json') body = withParameter('jsonBody', () => convertJson(param(n, 'jsonBody', ''), env.scope, 'jsonBody')) ?? {};
      else body = pairs(env, param<Pair[]>(n, 'bodyParameters.parameters', []), 'bodyParameters.parameters', { nested: v >= 4 });
    }
  }
  if (bodyType !== 'json' && method === 'GET') unsupported('http-content-type', `a GET request with a ${bodyType} body is not supported (Catalyst sends forms with POST, PUT, PATCH or DELETE)`, { parameter: 'method' });
  // A Content-Type header naming the body's type is what we send anyway (n8n replaces a multipart one
  // with its own, boundary included).
  const sent = { json: /json/i, form: /^\s*application\/x-www-form-urlencoded\s*(;|$)/i, multipart: /^\s*multipart\/form-data\s*(;|$)/i, text: /^/ }[bodyType];
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() !== 'content-type') continue;
    if (bodyType === 'text' && rawType === undefined) continue;
    if (typeof headers[k] === 'string' && sent.test(headers[k] as string)) delete headers[k];
    else if (body !== undefined) unsupported('http-content-type', `Content-Type ${JSON.stringify(headers[k])} is not supported with a ${bodyType} body (Catalyst sends JSON, form, multipart and text bodies)`, { parameter: 'headers' });
  }
  if (rawType !== undefined) headers['Content-Type'] = rawType;

  const auth = httpAuth(env, param<string>(n, 'authentication', 'none'), param<string>(n, 'genericAuthType'), param<string>(n, 'nodeCredentialType'));

  // Response handling.
  const resp = legacy ? { fullResponse: options.fullResponse, responseFormat: param(n, 'responseFormat', 'json'), neverError: false, outputPropertyName: param(n, 'dataPropertyName', 'data') } : (((options.response as { response?: Record<string, unknown> })?.response ?? {}) as Record<string, unknown>);
  const format = String(resp.responseFormat ?? 'autodetect');
  if (format === 'file') unsupported('binary', 'downloading a file (binary response) is not supported', { parameter: 'responseFormat' });
  const text = format === 'string' || format === 'text';
  const fullResponse = resp.fullResponse === true;
  let failOnError = !(resp.neverError === true);
  const onError = n.onError ?? (n.continueOnFail ? 'continueRegularOutput' : undefined);
  // continueErrorOutput: a failure (including a 4xx/5xx answer) takes the error edges (nodes/errors.ts)
  if (onError === 'continueRegularOutput') {
    failOnError = false;
    env.issue('warning', 'continue-on-fail', 'n8n continues with {error: <message>} after any error of this node; Catalyst continues with the response after a 4xx/5xx answer (failOnError: false), and with the error {error, message, status, node} after a network error or timeout (an error edge; not when the node is imported with a JavaScript node before it)', { parameter: 'onError' });
  }
  if (options.pagination) unsupported('http-pagination', 'pagination is not supported', { parameter: 'options.pagination' });
  if (options.proxy) unsupported('http-proxy', 'a proxy is not supported', { parameter: 'options.proxy' });
  if (options.allowUnauthorizedCerts) env.issue('warning', 'http-tls', 'invalid TLS certificates are not accepted by Catalyst (n8n ignored them)', { parameter: 'options.allowUnauthorizedCerts' });
  const redirect = (options.redirect as { redirect?: { followRedirects?: boolean } } | undefined)?.redirect;
  if (redirect && redirect.followRedirects === false) env.issue('warning', 'http-redirect', 'n8n does not follow redirects here; Catalyst does', { parameter: 'options.redirect' });

  const node: NodeOut = { id: env.id, type: 'httpRequest', description: describeNode(n), method, url };
  if (Object.keys(headers).length) node.headers = headers;
  if (Object.keys(query).length) node.query = query;
  if (body !== undefined) node.body = body;
  if (bodyType !== 'json') node.bodyType = bodyType;
  if (auth) node.auth = auth.header ? { secret: auth.secret, scheme: auth.scheme, header: auth.header } : { secret: auth.secret, scheme: auth.scheme };
  // Outgoing URL rules (docs/security.md): a URL whose host comes from data needs allowHosts.
  if (typeof url === 'string' && checkOutgoingUrl(compileValue(url, []), undefined, auth !== undefined, 'url')) {
    const hosts = auth ? codeHosts(env, url) : undefined;
    if (!auth) {
      node.allowHosts = 'any';
      env.issue('warning', 'http-allow-hosts', 'the URL comes from data, so the node may call any host (allowHosts: any); list the hosts it may call instead where you can', { parameter: 'url' });
    } else if (hosts) {
      node.allowHosts = hosts;
      env.issue('warning', 'http-allow-hosts', `the URL comes from the output of a Code node and the node sends a credential: it may call only the host(s) written in that code (allowHosts: [${hosts.join(', ')}]), checked before each request; correct the list if the code builds other URLs`, { parameter: 'url' });
    } else {
      env.issue('warning', 'http-allow-hosts', 'the URL comes from data and the node sends a credential: add allowHosts: [the API host] to the workflow (validate refuses it until then)', { parameter: 'url' });
    }
  }
  const timeout = Number(options.timeout);
  if (Number.isFinite(timeout) && timeout > 0) node.timeoutMs = Math.min(Math.round(timeout), 3_600_000);
  if (n.retryOnFail) node.retries = Math.max(0, Math.min(10, (n.maxTries ?? 3) - 1));
  if (text) node.responseType = 'text';
  // n8n detects the response format (by Content-Type); marked so the importer can make it text when nothing reads it.
  else if (format === 'autodetect') node[AUTODETECT] = fullResponse ? '' : String(resp.outputPropertyName ?? 'data');
  if (!failOnError) node.failOnError = false;
  return {
    nodes: [node],
    view: httpView(env.id, n.name, { fullResponse, textProperty: text && !fullResponse ? String(resp.outputPropertyName ?? 'data') : undefined }),
  };
}

/**
 * n8n's HTTP Request detects the response format by Content-Type: JSON is parsed, text becomes the item
 * {data: text} (the body, with full response). A node whose output is read gets responseType auto (with
 * textKey for n8n's item); when nothing reads it, its response is taken as text, so a download cannot fail
 * the run.
 */
export function resolveAutodetect(doc: Record<string, unknown>): void {
  const nodes = (doc.nodes ?? []) as NodeOut[];
  const read = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(/\bnodes\.([A-Za-z_][A-Za-z0-9_]*)/g)) read.add(m[1]);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(nodes);
  for (const n of nodes) {
    if (!(AUTODETECT in n)) continue;
    const textKey = n[AUTODETECT] as string;
    delete n[AUTODETECT];
    if (!read.has(n.id)) n.responseType = 'text';
    else {
      n.responseType = 'auto';
      if (textKey) n.textKey = textKey;
    }
  }
}
