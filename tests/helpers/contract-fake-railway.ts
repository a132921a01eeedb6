/**
 * A contract fake of Railway's public GraphQL API v2: a node:http server on 127.0.0.1 (ephemeral
 * port) that accepts `POST /graphql/v2` and runs each request with graphql-js against Railway's
 * published introspection schema (../shared/schemas/railway-graphql-schema.json):
 *
 * - parse + `validate()` (unknown field or argument, wrong argument type, missing required
 *   argument, unknown operation) → HTTP 400 with an `errors` array, as GraphQL-over-HTTP servers
 *   answer; variable coercion (a missing required input field, a wrong enum value, a string for an
 *   Int) → HTTP 200 with `errors` and no `data`, as graphql-js `execute` reports it. Both are also
 *   recorded in `fake.violations` (tests assert it is empty);
 * - the answer is produced by `execute` over the fake's state (projects, environments, services,
 *   service instances, variables, deployments, domains), so every answer has the schema's shape:
 *   a resolver returning null for a non-null field is a violation too;
 * - errors a real server gives for a valid request (an unknown id, "Not Authorized") are
 *   `FakeGraphQLError`s: HTTP 200, an `errors` array, not violations.
 *
 * Fault modes, by root field name: an `errors` array, an HTTP status (429 + Retry-After, 500),
 * a delay (longer than the client's timeout = a timeout), optionally after applying the request
 * (a lost answer); images in `failingImages` deploy to FAILED (the healthcheck never passes).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildClientSchema,
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { FakeGraphQLError, newRailwayState, railwayRootValue, type RailwayFakeState } from './contract-fake-railway-state.ts';

export * from './contract-fake-railway-state.ts';

export const RAILWAY_SCHEMA_FILE = new URL('../../../shared/schemas/railway-graphql-schema.json', import.meta.url);

let schemaCache: GraphQLSchema | null = null;
/** Railway's published schema (PROVENANCE.md: `buildClientSchema(json.data)`). */
export function railwaySchema(): GraphQLSchema {
  if (!schemaCache) {
    const json = JSON.parse(readFileSync(RAILWAY_SCHEMA_FILE, 'utf8'));
    schemaCache = buildClientSchema(json.data ?? json);
  }
  return schemaCache;
}

export interface RailwayFault {
  /** Root field of the operation, e.g. `serviceCreate`. */
  field: string;
  /** Answer with this HTTP status (and body) instead of running the operation. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer HTTP 200 with these GraphQL errors (and `data: null`). */
  errors?: string[];
  /** Wait this long before answering (longer than the client's timeout = a timeout). */
  delayMs?: number;
  /** Run the operation (apply its state change) before the fault: a lost answer. */
  applyFirst?: boolean;
  times?: number;
}

export interface RailwayLogEntry {
  operationName: string | null;
  /** Root fields the operation selects. */
  fields: string[];
  query: string;
  variables: Record<string, unknown>;
  /** Request headers without `authorization`. */
  headers: Record<string, string>;
  status: number;
  response: string;
}

export interface RailwayFake {
  /** Endpoint URL as the client should use it (`…/graphql/v2`). */
  url: string;
  state: RailwayFakeState;
  log: RailwayLogEntry[];
  violations: string[];
  fault(f: RailwayFault): void;
  /** Requests that selected this root field, in order. */
  calls(field: string): RailwayLogEntry[];
  close(): Promise<void>;
}

const PATH = '/graphql/v2';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startRailwayFake(token: string, state: RailwayFakeState = newRailwayState()): Promise<RailwayFake> {
  const schema = railwaySchema();
  const log: RailwayLogEntry[] = [];
  const violations: string[] = [];
  const faults: (RailwayFault & { left: number })[] = [];

  const answer = async (raw: string, headers: Record<string, string | string[] | undefined>, entry: RailwayLogEntry): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> => {
    let req: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      req = JSON.parse(raw);
    } catch {
      violations.push('request body is not JSON');
      return { status: 400, body: { errors: [{ message: 'Body is not JSON' }] } };
    }
    if (typeof req.query !== 'string') {
      violations.push('request has no "query" string');
      return { status: 400, body: { errors: [{ message: 'Must provide query string.' }] } };
    }
    entry.query = req.query;
    entry.operationName = typeof req.operationName === 'string' ? req.operationName : null;
    entry.variables = (req.variables ?? {}) as Record<string, unknown>;
    let doc: DocumentNode;
    try {
      doc = parse(req.query);
    } catch (err) {
      violations.push(`${entry.operationName}: syntax error: ${(err as Error).message}`);
      return { status: 400, body: { errors: [{ message: (err as Error).message }] } };
    }
    const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const op = ops.find((o) => o.name?.value === entry.operationName) ?? (ops.length === 1 ? ops[0] : undefined);
    entry.fields = op ? op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) : [];
    const invalid = validate(schema, doc);
    if (invalid.length > 0) {
      violations.push(...invalid.map((e) => `${entry.operationName}: ${e.message}`));
      return { status: 400, body: { errors: invalid.map((e) => e.toJSON()) } };
    }
    if (headers.authorization !== `Bearer ${token}`) return { status: 200, body: { data: null, errors: [{ message: 'Not Authorized', path: entry.fields }] } };
    if (headers['content-type'] !== 'application/json') violations.push(`${entry.operationName}: content-type is ${String(headers['content-type'])}, not application/json`);
    const fault = faults.find((f) => f.left > 0 && entry.fields.includes(f.field));
    const run = async () => {
      const result = (await execute({ schema, document: doc, rootValue: railwayRootValue(state), variableValues: entry.variables as Record<string, unknown>, operationName: entry.operationName ?? undefined })) as {
        data?: unknown;
        errors?: readonly GraphQLError[];
      };
      if (result.errors) {
        for (const e of result.errors) {
          if (!(e.originalError instanceof FakeGraphQLError)) violations.push(`${entry.operationName}: ${e.message}`);
        }
      }
      return { status: 200, body: { ...(result.data === undefined ? {} : { data: result.data }), ...(result.errors ? { errors: result.errors.map((e) => e.toJSON()) } : {}) } };
    };
    if (!fault) return await run();
    fault.left -= 1;
    const applied = fault.applyFirst || (fault.status === undefined && !fault.errors) ? await run() : null;
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.errors) return { status: 200, body: { data: null, errors: fault.errors.map((message) => ({ message, path: entry.fields })) } };
    if (fault.status !== undefined) return { status: fault.status, body: fault.body ?? { errors: [{ message: `HTTP ${fault.status}` }] }, headers: fault.headers };
    return applied!;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: RailwayLogEntry = {
        operationName: null,
        fields: [],
        query: '',
        variables: {},
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'authorization').map(([k, v]) => [k, String(v)])),
        status: 0,
        response: '',
      };
      log.push(entry);
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        entry.status = status;
        entry.response = JSON.stringify(body);
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(entry.response);
      };
      if (req.method !== 'POST' || req.url !== PATH) {
        violations.push(`${req.method} ${req.url}: the API is POST ${PATH}`);
        return reply(404, { errors: [{ message: 'Not Found' }] });
      }
      answer(Buffer.concat(chunks).toString('utf8'), req.headers, entry)
        .then((r) => reply(r.status, r.body, r.headers))
        .catch((err: unknown) => {
          violations.push(`fake crashed: ${(err as Error).stack ?? String(err)}`);
          if (!res.destroyed && !res.headersSent) res.writeHead(500).end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PATH}`,
    state,
    log,
    violations,
    fault: (f) => faults.push({ ...f, left: f.times ?? 1 }),
    calls: (field) => log.filter((e) => e.fields.includes(field)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
