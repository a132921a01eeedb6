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

/** Problems graphql-js finds in one operation document against the schema (empty when valid). */
export function validateOperation(query: string): string[] {
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (err) {
    return [`syntax: ${(err as Error).message}`];
  }
  return validate(railwaySchema(), doc).map((e) => e.message);
}

/** An error a real server would answer for a valid request (HTTP 200, `errors`). */
export class FakeGraphQLError extends Error {}

const NOW = '2026-01-01T00:00:00.000Z';

export interface FakeProject {
  id: string;
  name: string;
  description: string | null;
  workspaceId: string | null;
}
export interface FakeInstance {
  healthcheckPath: string | null;
  healthcheckTimeout: number | null;
  numReplicas: number;
  region: string | null;
  restartPolicyType: string;
  restartPolicyMaxRetries: number;
  image: string | null;
  registryCredentials: { username: string; password: string } | null;
}
export interface FakeDeployment {
  id: string;
  projectId: string;
  environmentId: string;
  serviceId: string;
  image: string;
  /** Variables the deployment runs with (a snapshot, as Railway deploys). */
  variables: Record<string, string>;
  polls: number;
  createdAt: string;
  status?: string;
}

export interface RailwayFakeState {
  projects: Map<string, FakeProject>;
  environments: Map<string, { id: string; name: string; projectId: string }>;
  services: Map<string, { id: string; name: string; projectId: string }>;
  /** `${serviceId}/${environmentId}` → settings */
  instances: Map<string, FakeInstance>;
  /** `${serviceId}/${environmentId}` → variables */
  variables: Map<string, Map<string, string>>;
  deployments: Map<string, FakeDeployment>;
  domains: Map<string, { id: string; domain: string; serviceId: string; environmentId: string; projectId: string; targetPort: number | null }>;
  /** Images whose deployments end FAILED (the healthcheck never passes). */
  failingImages: Set<string>;
  /** Polls of `deployment` before a deployment leaves DEPLOYING. */
  pollsToFinish: number;
  seq: number;
}

export function newRailwayState(): RailwayFakeState {
  return {
    projects: new Map(),
    environments: new Map(),
    services: new Map(),
    instances: new Map(),
    variables: new Map(),
    deployments: new Map(),
    domains: new Map(),
    failingImages: new Set(),
    pollsToFinish: 2,
    seq: 0,
  };
}

/** Everything the fake holds, for "destroy leaves the fake empty". */
export function railwayStateSize(s: RailwayFakeState): number {
  const vars = [...s.variables.values()].reduce((n, v) => n + v.size, 0);
  return s.projects.size + s.environments.size + s.services.size + s.instances.size + s.domains.size + s.deployments.size + vars;
}

const uuid = (s: RailwayFakeState): string => {
  s.seq += 1;
  return `00000000-0000-4000-8000-${s.seq.toString(16).padStart(12, '0')}`;
};
const connection = <T>(items: T[]) => ({ edges: items.map((node) => ({ node, cursor: 'c' })), pageInfo: { hasNextPage: false, hasPreviousPage: false } });
const key = (serviceId: string, environmentId: string): string => `${serviceId}/${environmentId}`;

function deploymentStatus(state: RailwayFakeState, d: FakeDeployment): string {
  if (d.status) return d.status;
  if (d.polls === 0) return 'INITIALIZING';
  if (d.polls < state.pollsToFinish) return 'DEPLOYING';
  return state.failingImages.has(d.image) ? 'FAILED' : 'SUCCESS';
}

/** The root resolvers: only the fields Catalyst's operations use (others are violations). */
function rootValue(state: RailwayFakeState) {
  const need = <T>(m: Map<string, T>, id: string, what: string): T => {
    const v = m.get(id);
    if (!v) throw new FakeGraphQLError(`${what} not found`);
    return v;
  };
  const envView = (e: { id: string; name: string }) => ({ id: e.id, name: e.name });
  const projectView = (p: FakeProject) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    environments: () => connection([...state.environments.values()].filter((e) => e.projectId === p.id).map(envView)),
    services: () => connection([...state.services.values()].filter((x) => x.projectId === p.id).map((x) => ({ id: x.id, name: x.name }))),
  });
  const deploymentView = (d: FakeDeployment) => ({ id: d.id, environmentId: d.environmentId, status: deploymentStatus(state, d), createdAt: d.createdAt });
  const removeService = (id: string): void => {
    state.services.delete(id);
    for (const k of [...state.instances.keys()]) if (k.startsWith(`${id}/`)) state.instances.delete(k);
    for (const k of [...state.variables.keys()]) if (k.startsWith(`${id}/`)) state.variables.delete(k);
    for (const [did, d] of state.domains) if (d.serviceId === id) state.domains.delete(did);
    for (const [did, d] of state.deployments) if (d.serviceId === id) state.deployments.delete(did);
  };
  const removeEnvironment = (id: string): void => {
    state.environments.delete(id);
    for (const k of [...state.instances.keys()]) if (k.endsWith(`/${id}`)) state.instances.delete(k);
    for (const k of [...state.variables.keys()]) if (k.endsWith(`/${id}`)) state.variables.delete(k);
    for (const [did, d] of state.domains) if (d.environmentId === id) state.domains.delete(did);
    for (const [did, d] of state.deployments) if (d.environmentId === id) state.deployments.delete(did);
  };
  const instanceOf = (serviceId: string, environmentId: string): FakeInstance => {
    const svc = need(state.services, serviceId, 'Service');
    const env = need(state.environments, environmentId, 'Environment');
    if (env.projectId !== svc.projectId) throw new FakeGraphQLError('Service instance not found');
    let inst = state.instances.get(key(serviceId, environmentId));
    if (!inst) {
      inst = { healthcheckPath: null, healthcheckTimeout: null, numReplicas: 1, region: null, restartPolicyType: 'ON_FAILURE', restartPolicyMaxRetries: 10, image: null, registryCredentials: null };
      state.instances.set(key(serviceId, environmentId), inst);
    }
    return inst;
  };

  return {
    projects: (args: { workspaceId?: string }) =>
      connection([...state.projects.values()].filter((p) => !args.workspaceId || p.workspaceId === args.workspaceId).map(projectView)),
    project: (args: { id: string }) => projectView(need(state.projects, args.id, 'Project')),
    projectCreate: ({ input }: { input: { name?: string; description?: string; defaultEnvironmentName?: string; workspaceId?: string } }) => {
      const p: FakeProject = { id: uuid(state), name: input.name ?? `fake-${state.seq}`, description: input.description ?? null, workspaceId: input.workspaceId ?? null };
      state.projects.set(p.id, p);
      const env = { id: uuid(state), name: input.defaultEnvironmentName ?? 'production', projectId: p.id };
      state.environments.set(env.id, env);
      return projectView(p);
    },
    projectDelete: ({ id }: { id: string }) => {
      need(state.projects, id, 'Project');
      for (const s of [...state.services.values()]) if (s.projectId === id) removeService(s.id);
      for (const e of [...state.environments.values()]) if (e.projectId === id) removeEnvironment(e.id);
      state.projects.delete(id);
      return true;
    },
    environments: ({ projectId }: { projectId: string }) => {
      need(state.projects, projectId, 'Project');
      return connection([...state.environments.values()].filter((e) => e.projectId === projectId).map(envView));
    },
    environmentCreate: ({ input }: { input: { projectId: string; name: string } }) => {
      need(state.projects, input.projectId, 'Project');
      if ([...state.environments.values()].some((e) => e.projectId === input.projectId && e.name === input.name)) {
        throw new FakeGraphQLError(`Environment ${input.name} already exists`);
      }
      const env = { id: uuid(state), name: input.name, projectId: input.projectId };
      state.environments.set(env.id, env);
      return envView(env);
    },
    environmentDelete: ({ id }: { id: string }) => {
      need(state.environments, id, 'Environment');
      removeEnvironment(id);
      return true;
    },
    serviceCreate: ({ input }: { input: { projectId: string; environmentId?: string; name?: string; source?: unknown } }) => {
      need(state.projects, input.projectId, 'Project');
      if (input.source) throw new FakeGraphQLError('the fake plays empty services only (Catalyst sets the image with serviceInstanceUpdate)');
      const name = input.name ?? `service-${state.seq}`;
      if ([...state.services.values()].some((s) => s.projectId === input.projectId && s.name === name)) {
        throw new FakeGraphQLError(`Service ${name} already exists in this project`);
      }
      const s = { id: uuid(state), name, projectId: input.projectId };
      state.services.set(s.id, s);
      return { ...s };
    },
    serviceInstance: ({ serviceId, environmentId }: { serviceId: string; environmentId: string }) => {
      const i = instanceOf(serviceId, environmentId);
      return {
        id: `${serviceId}-${environmentId}`,
        serviceId,
        environmentId,
        healthcheckPath: i.healthcheckPath,
        healthcheckTimeout: i.healthcheckTimeout,
        numReplicas: i.numReplicas,
        region: i.region,
        restartPolicyType: i.restartPolicyType,
        restartPolicyMaxRetries: i.restartPolicyMaxRetries,
        source: i.image ? { image: i.image, repo: null } : null,
      };
    },
    serviceInstanceUpdate: ({ serviceId, environmentId, input }: { serviceId: string; environmentId: string; input: Record<string, any> }) => {
      const i = instanceOf(serviceId, environmentId);
      for (const k of ['healthcheckPath', 'healthcheckTimeout', 'numReplicas', 'region', 'restartPolicyType', 'restartPolicyMaxRetries'] as const) {
        if (input[k] !== undefined) (i as any)[k] = input[k];
      }
      if (input.source?.image) i.image = input.source.image;
      if (input.registryCredentials) i.registryCredentials = input.registryCredentials;
      return true;
    },
    serviceDelete: ({ id }: { id: string }) => {
      need(state.services, id, 'Service');
      removeService(id);
      return true;
    },
    domains: ({ projectId, environmentId, serviceId }: { projectId: string; environmentId: string; serviceId: string }) => {
      need(state.projects, projectId, 'Project');
      instanceOf(serviceId, environmentId);
      const list = [...state.domains.values()].filter((d) => d.serviceId === serviceId && d.environmentId === environmentId);
      return { customDomains: [], serviceDomains: list.map((d) => ({ ...d, syncStatus: 'ACTIVE' })) };
    },
    serviceDomainCreate: ({ input }: { input: { serviceId: string; environmentId: string; targetPort?: number } }) => {
      instanceOf(input.serviceId, input.environmentId);
      const svc = state.services.get(input.serviceId)!;
      const d = { id: uuid(state), domain: `${svc.name}-${state.seq}.up.railway.app`, serviceId: svc.id, environmentId: input.environmentId, projectId: svc.projectId, targetPort: input.targetPort ?? null };
      state.domains.set(d.id, d);
      return { ...d, syncStatus: 'ACTIVE' };
    },
    serviceDomainDelete: ({ id }: { id: string }) => {
      need(state.domains, id, 'Domain');
      state.domains.delete(id);
      return true;
    },
    variableCollectionUpsert: ({ input }: { input: { projectId: string; environmentId: string; serviceId?: string; variables: unknown; replace?: boolean } }) => {
      if (!input.serviceId) throw new FakeGraphQLError('the fake plays service variables only');
      instanceOf(input.serviceId, input.environmentId);
      const vars = input.variables;
      if (vars === null || typeof vars !== 'object' || Array.isArray(vars) || Object.values(vars).some((v) => typeof v !== 'string')) {
        throw new FakeGraphQLError('variables must be an object of strings');
      }
      const k = key(input.serviceId, input.environmentId);
      const current = input.replace ? new Map<string, string>() : new Map(state.variables.get(k) ?? []);
      for (const [name, value] of Object.entries(vars as Record<string, string>)) current.set(name, value);
      state.variables.set(k, current);
      return true;
    },
    variableDelete: ({ input }: { input: { projectId: string; environmentId: string; serviceId?: string; name: string } }) => {
      const vars = state.variables.get(key(input.serviceId ?? '', input.environmentId));
      if (!vars?.has(input.name)) throw new FakeGraphQLError(`Variable ${input.name} not found`);
      vars.delete(input.name);
      return true;
    },
    serviceInstanceDeployV2: ({ serviceId, environmentId }: { serviceId: string; environmentId: string }) => {
      const i = instanceOf(serviceId, environmentId);
      if (!i.image) throw new FakeGraphQLError('Service has no source to deploy');
      const svc = state.services.get(serviceId)!;
      const d: FakeDeployment = {
        id: uuid(state),
        projectId: svc.projectId,
        environmentId,
        serviceId,
        image: i.image,
        variables: Object.fromEntries(state.variables.get(key(serviceId, environmentId)) ?? []),
        polls: 0,
        createdAt: new Date(Date.now()).toISOString(),
      };
      for (const other of state.deployments.values()) if (other.serviceId === serviceId && other.environmentId === environmentId && deploymentStatus(state, other) === 'SUCCESS') other.status = 'REMOVED';
      state.deployments.set(d.id, d);
      return d.id;
    },
    deployment: ({ id }: { id: string }) => {
      const d = need(state.deployments, id, 'Deployment');
      d.polls += 1;
      return deploymentView(d);
    },
    deployments: ({ input }: { input: { serviceId?: string; environmentId?: string; projectId?: string } }) =>
      connection(
        [...state.deployments.values()]
          .filter((d) => (!input.serviceId || d.serviceId === input.serviceId) && (!input.environmentId || d.environmentId === input.environmentId) && (!input.projectId || d.projectId === input.projectId))
          .reverse()
          .map(deploymentView),
      ),
    deploymentLogs: ({ deploymentId }: { deploymentId: string }) => {
      const d = need(state.deployments, deploymentId, 'Deployment');
      const lines = [`Starting Container (${d.image})`, 'Uvicorn running on http://0.0.0.0:8080'];
      if (deploymentStatus(state, d) === 'FAILED') lines.push('Healthcheck failed!', '1/1 replicas never became healthy!');
      return lines.map((message, n) => ({ message, severity: 'info', timestamp: NOW.replace('00.000', `0${n}.000`), attributes: [] }));
    },
  };
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
      const result = (await execute({ schema, document: doc, rootValue: rootValue(state), variableValues: entry.variables as Record<string, unknown>, operationName: entry.operationName ?? undefined })) as {
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
