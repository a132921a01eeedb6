/**
 * A contract fake: a local HTTP server (node:http on 127.0.0.1, ephemeral port) that plays a
 * published REST API well enough for our dynamic providers, and checks every exchange against the
 * API's published OpenAPI description (../shared/schemas/):
 *
 * - the operation is matched by method + path template (a call the description does not have is a
 *   violation); path and query parameters are validated against their schemas (unknown query
 *   parameters are violations);
 * - the request body is validated against the operation's requestBody schema (a missing required
 *   body is a violation);
 * - every response the fake sends (handler replies and injected faults) is validated against the
 *   response schema declared for that status, when the description declares one.
 *
 * OpenAPI 3.0 → JSON Schema (ajv) conversion, documented because it changes what "valid" means:
 * - `nullable: true` → the type also admits `null`;
 * - `oneOf` → `anyOf`: the descriptions' unions are not disjoint (a Render web service payload
 *   matches several `serviceDetails` variants), so exclusivity is not checked; instead the parts
 *   that matter are validated directly against the intended variant (`extraChecks`, e.g.
 *   `#/components/schemas/webServiceDetailsPOST`);
 * - strict objects: an object schema with `properties` and no `additionalProperties` rejects
 *   unknown properties. The real APIs may ignore unknown fields; a client sending one is still a
 *   bug (a misspelt field silently does nothing), so the fake rejects it;
 * - formats: ajv-formats, plus the OpenAPI-only `int64`, `int32`, `float`, `double`, `password`.
 *
 * Violations are collected in `fake.violations` (tests assert it is empty) and, for requests,
 * also answered with HTTP 400 so the client fails loudly.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const SCHEMAS_DIR = new URL('../../../shared/schemas/', import.meta.url);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  regex: RegExp;
  paramNames: string[];
  literalSegments: number;
  parameters: Json[];
  requestSchemaPointer: string | null;
  requestRequired: boolean;
  responses: Record<string, string | null>;
}

export interface ExtraCheck {
  operationId: string;
  /** `request` or `response` body. */
  on: 'request' | 'response';
  /** JSON pointer into the body; `*` matches every array item / object value. */
  pointer: string;
  /** Schema pointer inside the description, e.g. `#/components/schemas/webServiceDetailsPOST`. */
  schema: string;
}

/** Loads an OpenAPI 3.0 description (JSON or YAML) and converts its schemas for ajv (see above). */
export function loadDescription(file: string): Json {
  const text = readFileSync(new URL(file, SCHEMAS_DIR), 'utf8');
  return convertDescription(file.endsWith('.json') ? JSON.parse(text) : parseYaml(text));
}

/** The OpenAPI 3.0 → ajv conversion above, in place on a parsed description. */
export function convertDescription(doc: Json): Json {
  const convert = (s: Json): Json => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return s;
    if (typeof s.$ref === 'string') return s;
    const out: Json = { ...s };
    if (out.nullable === true) {
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    }
    delete out.nullable;
    if (out.oneOf) {
      out.anyOf = out.oneOf;
      delete out.oneOf;
    }
    if (out.properties && typeof out.properties === 'object') {
      out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, convert(v)]));
      if (out.additionalProperties === undefined) out.additionalProperties = false;
    }
    for (const k of ['items', 'not']) if (out[k]) out[k] = convert(out[k]);
    if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = convert(out.additionalProperties);
    for (const k of ['allOf', 'anyOf']) if (Array.isArray(out[k])) out[k] = out[k].map(convert);
    return out;
  };
  const convertParams = (params: Json[] | undefined): void => {
    for (const p of params ?? []) if (p && p.schema) p.schema = convert(p.schema);
  };
  const convertContent = (holder: Json): void => {
    for (const media of Object.values(holder?.content ?? {}) as Json[]) if (media.schema) media.schema = convert(media.schema);
  };
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) doc.components.schemas[name] = convert(schema);
  for (const p of Object.values(doc.components?.parameters ?? {}) as Json[]) convertParams([p]);
  for (const r of Object.values(doc.components?.responses ?? {}) as Json[]) convertContent(r);
  for (const item of Object.values(doc.paths ?? {}) as Json[]) {
    convertParams(item.parameters);
    for (const [m, op] of Object.entries(item) as [string, Json][]) {
      if (m === 'parameters' || typeof op !== 'object') continue;
      convertParams(op.parameters);
      if (op.requestBody) convertContent(op.requestBody);
      for (const r of Object.values(op.responses ?? {}) as Json[]) convertContent(r);
    }
  }
  return doc;
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Validates requests and responses of one API description. */
export class ContractValidator {
  readonly doc: Json;
  readonly operations: Operation[];
  readonly basePath: string;
  private readonly ajv: Ajv;
  private readonly paramAjv: Ajv;
  private readonly id: string;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(file: string) {
    this.doc = loadDescription(file);
    this.id = `https://contract.fake/${file}`;
    const mk = (coerce: boolean): Ajv => {
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, coerceTypes: coerce ? 'array' : false });
      addFormats(ajv);
      for (const f of ['int64', 'int32', 'float', 'double', 'password']) ajv.addFormat(f, true);
      ajv.addSchema(this.doc, this.id);
      return ajv;
    };
    this.ajv = mk(false);
    this.paramAjv = mk(true);
    const server = this.doc.servers?.[0]?.url ?? '';
    this.basePath = server ? new URL(server).pathname.replace(/\/$/, '') : '';
    this.operations = [];
    for (const [template, item] of Object.entries(this.doc.paths) as [string, Json][]) {
      for (const [method, op] of Object.entries(item) as [string, Json][]) {
        if (method === 'parameters' || typeof op !== 'object') continue;
        const paramNames: string[] = [];
        const regex = new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, n: string) => (paramNames.push(n), '([^/]+)'))}$`,
        );
        const base = `#/paths/${escapePointer(template)}/${method}`;
        const jsonMedia = op.requestBody?.content?.['application/json'];
        const responses: Record<string, string | null> = {};
        for (const [status, r] of Object.entries(op.responses ?? {}) as [string, Json][]) {
          const resolved = r.$ref ? this.resolve(r.$ref) : r;
          responses[status] = resolved?.content?.['application/json']?.schema
            ? r.$ref
              ? `${r.$ref}/content/application~1json/schema`
              : `${base}/responses/${status}/content/application~1json/schema`
            : null;
        }
        this.operations.push({
          method: method.toUpperCase(),
          template,
          operationId: op.operationId ?? `${method.toUpperCase()} ${template}`,
          regex,
          paramNames,
          literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length,
          parameters: [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Json) => (p.$ref ? this.resolve(p.$ref) : p)),
          requestSchemaPointer: jsonMedia?.schema ? `${base}/requestBody/content/application~1json/schema` : null,
          requestRequired: op.requestBody?.required === true,
          responses,
        });
      }
    }
  }

  resolve(ref: string): Json {
    let node: Json = this.doc;
    for (const raw of ref.replace(/^#\//, '').split('/')) node = node?.[decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')];
    return node;
  }

  /** The operation for method + path (path below the base path); literal segments win over params. */
  match(method: string, path: string): { op: Operation; params: Record<string, string> } | null {
    const hits = this.operations
      .filter((o) => o.method === method && o.regex.test(path))
      .sort((a, b) => b.literalSegments - a.literalSegments);
    const op = hits[0];
    if (!op) return null;
    const m = op.regex.exec(path)!;
    const params = Object.fromEntries(op.paramNames.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    return { op, params };
  }

  /** Errors of `data` against the schema at `pointer` (`#/…` inside the description). */
  check(pointer: string, data: unknown, coerce = false): string[] {
    const key = `${coerce}:${pointer}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = (coerce ? this.paramAjv : this.ajv).compile({ $ref: `${this.id}${pointer}` });
      this.cache.set(key, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }

  /**
   * Compiles the request/response schemas of these operations and the extra checks up front, so
   * the first call of a test is not slowed down by compiling (clients in tests use short timeouts).
   */
  warm(operationIds: string[], extra: ExtraCheck[] = []): void {
    for (const op of this.operations.filter((o) => operationIds.includes(o.operationId))) {
      for (const pointer of [op.requestSchemaPointer, ...Object.values(op.responses)]) if (pointer) this.check(pointer, undefined);
      for (const p of op.parameters) if (p.schema && (p.in === 'query' || p.in === 'path')) this.checkInline(p.schema, '');
    }
    for (const x of extra) this.check(x.schema, undefined);
  }

  /** Path and query parameter problems of a matched request. */
  checkParams(op: Operation, params: Record<string, string>, query: URLSearchParams): string[] {
    const errors: string[] = [];
    const declaredQuery = new Set<string>();
    for (const p of op.parameters) {
      if (p.in === 'query') declaredQuery.add(p.name);
      if (p.in !== 'path' && p.in !== 'query') continue;
      const values = p.in === 'path' ? (params[p.name] === undefined ? [] : [params[p.name]]) : query.getAll(p.name);
      if (values.length === 0) {
        if (p.required) errors.push(`${p.in} parameter ${p.name} is required`);
        continue;
      }
      const value: unknown = p.schema?.type === 'array' ? values.flatMap((v) => v.split(',')) : values[0];
      const errs = this.checkInline(p.schema ?? {}, value);
      errors.push(...errs.map((e) => `${p.in} parameter ${p.name}: ${e}`));
    }
    for (const name of new Set(query.keys())) if (!declaredQuery.has(name)) errors.push(`unknown query parameter ${name}`);
    return errors;
  }

  private checkInline(schema: Json, value: unknown): string[] {
    const key = `inline:${JSON.stringify(schema)}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.paramAjv.compile(this.absolutize(schema));
      this.cache.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  }

  private absolutize(schema: Json): Json {
    return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#/g, `"$ref":"${this.id}#`));
  }
}

/** Values of `body` at a pointer with `*` wildcards. */
export function pick(body: unknown, pointer: string): unknown[] {
  let nodes: unknown[] = [body];
  for (const seg of pointer.split('/').filter(Boolean)) {
    const next: unknown[] = [];
    for (const n of nodes) {
      if (n === null || typeof n !== 'object') continue;
      if (seg === '*') next.push(...Object.values(n as object));
      else if (seg in (n as object)) next.push((n as Record<string, unknown>)[seg]);
    }
    nodes = next;
  }
  return nodes;
}

export interface FakeRequest {
  method: string;
  path: string;
  operationId: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler<S> = (req: FakeRequest, state: S) => FakeReply;

export interface Fault {
  operationId: string;
  /** Reply with this status (and body) instead of the handler's reply. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before replying (longer than the client's timeout = a timeout). */
  delayMs?: number;
  /** Run the handler (apply its state change) before the fault: a lost response. */
  applyFirst?: boolean;
  /** How many matching calls this fault affects (default 1). */
  times?: number;
  /** Only calls for which this returns true. */
  when?: (req: FakeRequest) => boolean;
}

export interface LogEntry {
  method: string;
  /** Path below the base path, with query string. */
  url: string;
  operationId: string | null;
  /** Raw request body text. */
  body: string;
  /** Request headers without `authorization`. */
  headers: Record<string, string>;
  status: number;
  response: string;
}

export interface ContractFake<S> {
  /** Base URL as the client should use it (includes the description's base path, e.g. `/v1`). */
  url: string;
  state: S;
  validator: ContractValidator;
  log: LogEntry[];
  violations: string[];
  fault(f: Fault): void;
  /** Calls of one operation, in order. */
  calls(operationId: string): LogEntry[];
  close(): Promise<void>;
}

export interface ContractFakeOptions<S> {
  /** File name under ../shared/schemas/. */
  description: string;
  token: string;
  state: S;
  handlers: Record<string, Handler<S>>;
  extraChecks?: ExtraCheck[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const validators = new Map<string, ContractValidator>();

/** One validator per description and process (parsing and compiling is the slow part). */
export function validatorFor(description: string): ContractValidator {
  let v = validators.get(description);
  if (!v) validators.set(description, (v = new ContractValidator(description)));
  return v;
}

export async function startContractFake<S>(options: ContractFakeOptions<S>): Promise<ContractFake<S>> {
  const validator = validatorFor(options.description);
  validator.warm(Object.keys(options.handlers), options.extraChecks);
  const log: LogEntry[] = [];
  const violations: string[] = [];
  const faults: (Fault & { left: number })[] = [];

  const checkResponse = (op: Operation, reply: FakeReply, where: string): void => {
    const pointer = op.responses[String(reply.status)];
    if (pointer === undefined && !(reply.status in op.responses)) return; // undeclared status: nothing to check against
    if (pointer === null) {
      if (reply.body !== undefined && reply.body !== null) violations.push(`${where}: response ${reply.status} declares no JSON body but one was sent`);
      return;
    }
    for (const e of validator.check(pointer, reply.body)) violations.push(`${where}: response ${reply.status} ${e}`);
    for (const x of options.extraChecks ?? []) {
      if (x.operationId !== op.operationId || x.on !== 'response' || reply.status >= 300) continue;
      for (const v of pick(reply.body, x.pointer)) for (const e of validator.check(x.schema, v)) violations.push(`${where}: response ${x.pointer} ${e}`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const entry: LogEntry = {
      method,
      url: url.pathname.slice(validator.basePath.length) + url.search,
      operationId: null,
      body: raw,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'authorization').map(([k, v]) => [k, String(v)])),
      status: 0,
      response: '',
    };
    log.push(entry);
    const send = (reply: FakeReply): void => {
      entry.status = reply.status;
      entry.response = reply.body === undefined ? '' : JSON.stringify(reply.body);
      if (res.destroyed) return;
      res.writeHead(reply.status, { ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }), ...reply.headers });
      res.end(entry.response);
    };
    const where = `${method} ${entry.url}`;
    if (!url.pathname.startsWith(validator.basePath)) {
      violations.push(`${where}: outside the API base path ${validator.basePath}`);
      return send({ status: 404, body: { message: 'not found' } });
    }
    const matched = validator.match(method, url.pathname.slice(validator.basePath.length));
    if (!matched) {
      violations.push(`${where}: no such operation in ${options.description}`);
      return send({ status: 404, body: { message: 'no such operation' } });
    }
    const { op, params } = matched;
    entry.operationId = op.operationId;
    if (req.headers.authorization !== `Bearer ${options.token}`) return send({ status: 401, body: { error: 'unauthorized', message: 'unauthorized' } });
    const problems = validator.checkParams(op, params, url.searchParams);
    let body: Json = undefined;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        problems.push('request body is not JSON');
      }
      if (!op.requestSchemaPointer) problems.push('operation takes no JSON request body');
    }
    if (op.requestSchemaPointer && body !== undefined) {
      problems.push(...validator.check(op.requestSchemaPointer, body).map((e) => `body ${e}`));
      for (const x of options.extraChecks ?? []) {
        if (x.operationId !== op.operationId || x.on !== 'request') continue;
        for (const v of pick(body, x.pointer)) problems.push(...validator.check(x.schema, v).map((e) => `body ${x.pointer} ${e}`));
      }
    } else if (op.requestRequired && body === undefined) problems.push('request body is required');
    if (problems.length > 0) {
      violations.push(...problems.map((p) => `${where} (${op.operationId}): ${p}`));
      return send({ status: 400, body: { error: `contract violation: ${problems.join('; ')}`, message: `contract violation: ${problems.join('; ')}` } });
    }
    const fr: FakeRequest = { method, path: entry.url, operationId: op.operationId, params, query: url.searchParams, body };
    const fault = faults.find((f) => f.left > 0 && f.operationId === op.operationId && (!f.when || f.when(fr)));
    const run = (): FakeReply => {
      const handler = options.handlers[op.operationId];
      if (!handler) {
        violations.push(`${where}: the fake has no handler for ${op.operationId}`);
        return { status: 501, body: { error: 'not implemented by the fake', message: 'not implemented by the fake' } };
      }
      return handler(fr, options.state);
    };
    let reply: FakeReply;
    if (fault) {
      fault.left -= 1;
      const applied = fault.applyFirst || fault.status === undefined ? run() : null;
      reply = fault.status !== undefined ? { status: fault.status, body: fault.body, headers: fault.headers } : applied!;
      entry.status = reply.status;
      if (fault.delayMs) await sleep(fault.delayMs);
    } else reply = run();
    checkResponse(op, reply, `${where} (${op.operationId})`);
    send(reply);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        violations.push(`fake crashed: ${(err as Error).stack ?? String(err)}`);
        if (!res.destroyed && !res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${validator.basePath}`,
    state: options.state,
    validator,
    log,
    violations,
    fault: (f) => faults.push({ ...f, left: f.times ?? 1 }),
    calls: (operationId) => log.filter((e) => e.operationId === operationId),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
