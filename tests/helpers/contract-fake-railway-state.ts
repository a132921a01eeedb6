/**
 * The state and the root resolvers of the Railway contract fake (./contract-fake-railway.ts):
 * projects, environments, services, service instances, variables, deployments (with a status
 * progression and a snapshot of their variables) and service domains, for the root fields the
 * target's operations use. Resolvers throw `FakeGraphQLError` for what a real server answers with
 * an `errors` array (an unknown id); any other execution error is a violation.
 */
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
export function railwayRootValue(state: RailwayFakeState) {
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
