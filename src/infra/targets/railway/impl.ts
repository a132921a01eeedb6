/**
 * The Railway dynamic providers' CRUD for the project/environment and the service, as plain async
 * functions over plain (unwrapped) inputs; variables and deploys are in ./impl-deploy.ts.
 * ./providers.ts loads these modules inside each provider method (../../http/loader.ts).
 *
 * Ownership: every resource records what it created (`projectCreated`, `environmentCreated`,
 * `created`, `domainCreated`) and its delete removes only that. A project Catalyst creates
 * carries a description naming the stack, so a create whose answer was lost (or a state that was
 * lost) is recognised as ours when found again.
 */
import type * as pulumi from '@pulumi/pulumi';
import { stableJson } from '../../../shared/json.ts';
import * as rw from './api.ts';
import { connection, findOrCreate, RailwayError, type RailwayApiSettings } from './graphql.ts';

type DiffResult = pulumi.dynamic.DiffResult;

export interface Common {
  api: RailwayApiSettings;
  /** Account or workspace token (Bearer); a secret input and output. */
  token: string;
}
export const conn = (x: Common) => connection(x.api, x.token);

export function diffKeys(olds: object, news: object, keys: string[], replaceKeys: string[]): DiffResult {
  const o = olds as Record<string, unknown>;
  const n = news as Record<string, unknown>;
  const changed = keys.filter((k) => stableJson(o[k]) !== stableJson(n[k]));
  const replaces = changed.filter((k) => replaceKeys.includes(k));
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/** `host/path` of an image reference (tag and digest removed). */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split('@')[0];
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

const ignoreNotFound = (err: unknown): void => {
  if (!(err instanceof RailwayError && err.notFound)) throw err;
};

// ---- RailwayProject (project + environment) ------------------------------------------------------

export interface ProjectInputs extends Common {
  name: string;
  environment: string;
  workspaceId: string | null;
  /** Stack name, written into the description of a project Catalyst creates. */
  stack: string;
}
export interface ProjectOutputs extends ProjectInputs {
  projectId: string;
  environmentId: string;
  projectCreated: boolean;
  environmentCreated: boolean;
}

export const projectMarker = (stack: string): string => `Managed by Catalyst: stack ${stack}. \`pulumi destroy\` of that stack deletes it.`;

export async function projectCreate(inputs: ProjectInputs): Promise<{ id: string; outs: ProjectOutputs }> {
  const c = conn(inputs);
  const marker = projectMarker(inputs.stack);
  const find = async (): Promise<rw.RailwayProject | null> => {
    const same = (await rw.listProjects(c, inputs.workspaceId)).filter((p) => p.name === inputs.name);
    if (same.length > 1) {
      throw new Error(`${same.length} Railway projects are named "${inputs.name}" (${same.map((p) => p.id).join(', ')}); rename or delete the extra ones, or set another name with \`pulumi config set catalyst:railwayProject <name>\``);
    }
    return same[0] ?? null;
  };
  const project = await findOrCreate(c, find, (single) =>
    rw.createProject(single, { name: inputs.name, description: marker, defaultEnvironmentName: inputs.environment, ...(inputs.workspaceId ? { workspaceId: inputs.workspaceId } : {}) }),
  );
  const projectCreated = project.created || project.value.description === marker;
  const projectId = project.value.id;
  const listed = project.value.environments.find((e) => e.name === inputs.environment);
  const env = listed
    ? { value: listed, created: false }
    : await findOrCreate(
        c,
        async () => (await rw.listEnvironments(c, projectId)).find((e) => e.name === inputs.environment) ?? null,
        (single) => rw.createEnvironment(single, projectId, inputs.environment),
      );
  return {
    id: projectId,
    // Everything in a project Catalyst created is Catalyst's.
    outs: { ...inputs, projectId, environmentId: env.value.id, projectCreated, environmentCreated: projectCreated || env.created },
  };
}

const PROJECT_KEYS = ['name', 'environment', 'workspaceId', 'api', 'token'];

export async function projectDiff(_id: string, olds: ProjectOutputs, news: ProjectInputs): Promise<DiffResult> {
  return diffKeys(olds, news, PROJECT_KEYS, ['name', 'environment', 'workspaceId']);
}

export async function projectUpdate(_id: string, olds: ProjectOutputs, news: ProjectInputs): Promise<{ outs: ProjectOutputs }> {
  return { outs: { ...olds, api: news.api, token: news.token, stack: news.stack } };
}

/**
 * Removes the environment when Catalyst created it and the project has others, then the project
 * when Catalyst created it and nothing else lives in it (another stack's environment or service,
 * or one made by hand, keeps it).
 */
export async function projectDelete(id: string, props: ProjectOutputs): Promise<void> {
  const c = conn(props);
  let envs: rw.Named[];
  try {
    envs = await rw.listEnvironments(c, id);
  } catch (err) {
    return ignoreNotFound(err); // the project is gone already
  }
  const others = envs.filter((e) => e.id !== props.environmentId);
  if (props.projectCreated && others.length === 0 && (await rw.listServices(c, id)).length === 0) {
    await rw.deleteProject(c, id).catch(ignoreNotFound);
    return;
  }
  if (props.environmentCreated && others.length > 0 && envs.length > others.length) {
    await rw.deleteEnvironment(c, props.environmentId).catch(ignoreNotFound);
  }
}

// ---- RailwayService (service + instance settings + service domain) -------------------------------

export interface Settings {
  healthcheckPath: string;
  healthcheckTimeout: number;
  numReplicas: number;
  region: string | null;
  restartPolicyType: 'ON_FAILURE' | 'ALWAYS' | 'NEVER';
  restartPolicyMaxRetries: number;
}
export interface ServiceInputs extends Common {
  projectId: string;
  environmentId: string;
  /** True when the project is Catalyst's own: a service of this name in it is ours. */
  projectCreated: boolean;
  name: string;
  /** Repository (no tag) of the images this service runs; an existing service must match it. */
  imageRepository: string;
  /** Port the app listens on: the service domain routes to it. */
  port: number;
  settings: Settings;
}
export interface ServiceOutputs extends ServiceInputs {
  created: boolean;
  domainId: string;
  domainCreated: boolean;
  url: string;
}

function instanceInput(s: Settings): rw.InstanceSettings {
  const { region, ...rest } = s;
  return { ...rest, ...(region ? { region } : {}) };
}

export async function serviceCreate(inputs: ServiceInputs): Promise<{ id: string; outs: ServiceOutputs }> {
  const c = conn(inputs);
  const { projectId, environmentId } = inputs;
  const svc = await findOrCreate(
    c,
    async () => (await rw.listServices(c, projectId)).find((s) => s.name === inputs.name) ?? null,
    (single) => rw.createService(single, { projectId, environmentId, name: inputs.name }),
  );
  const serviceId = svc.value.id;
  if (svc.preexisting && !inputs.projectCreated) {
    // Someone else's project: use a service of this name only when it runs our image (or none).
    const image = (await rw.getServiceInstance(c, serviceId, environmentId)).source?.image ?? null;
    if (image !== null && repositoryOf(image) !== inputs.imageRepository) {
      throw new Error(
        `Railway service "${inputs.name}" (${serviceId}) already exists in project ${projectId} and runs ${image}, not ${inputs.imageRepository}; ` +
          'set another name with `pulumi config set catalyst:railwayServiceName <name>`',
      );
    }
  }
  await rw.updateServiceInstance(c, serviceId, environmentId, instanceInput(inputs.settings));
  const domain = await findOrCreate(
    c,
    async () => (await rw.listServiceDomains(c, projectId, environmentId, serviceId))[0] ?? null,
    (single) => rw.createServiceDomain(single, { serviceId, environmentId, targetPort: inputs.port }),
  );
  const created = svc.created || inputs.projectCreated;
  return {
    id: serviceId,
    outs: { ...inputs, created, domainId: domain.value.id, domainCreated: domain.created || created, url: `https://${domain.value.domain}` },
  };
}

const SERVICE_KEYS = ['projectId', 'environmentId', 'name', 'imageRepository', 'port', 'settings', 'api', 'token'];

export async function serviceDiff(_id: string, olds: ServiceOutputs, news: ServiceInputs): Promise<DiffResult> {
  return diffKeys(olds, news, SERVICE_KEYS, ['projectId', 'environmentId', 'name', 'imageRepository', 'port']);
}

export async function serviceUpdate(id: string, olds: ServiceOutputs, news: ServiceInputs): Promise<{ outs: ServiceOutputs }> {
  if (stableJson(olds.settings) !== stableJson(news.settings)) await rw.updateServiceInstance(conn(news), id, news.environmentId, instanceInput(news.settings));
  return { outs: { ...olds, api: news.api, token: news.token, settings: news.settings, projectCreated: news.projectCreated } };
}

export async function serviceRead(id: string, props: ServiceOutputs): Promise<{ id?: string; props?: ServiceOutputs }> {
  let inst: rw.ServiceInstance;
  try {
    inst = await rw.getServiceInstance(conn(props), id, props.environmentId);
  } catch (err) {
    ignoreNotFound(err);
    return {};
  }
  const s = props.settings;
  return {
    id,
    props: {
      ...props,
      settings: {
        healthcheckPath: inst.healthcheckPath ?? s.healthcheckPath,
        healthcheckTimeout: inst.healthcheckTimeout ?? s.healthcheckTimeout,
        numReplicas: inst.numReplicas ?? s.numReplicas,
        region: s.region === null ? null : (inst.region ?? s.region),
        restartPolicyType: inst.restartPolicyType as Settings['restartPolicyType'],
        restartPolicyMaxRetries: inst.restartPolicyMaxRetries,
      },
    },
  };
}

/**
 * Deletes the domain Catalyst created, then the service when Catalyst created it — unless the
 * service has deployments in another environment (Railway services span a project's
 * environments: another stack may run it there).
 */
export async function serviceDelete(id: string, props: ServiceOutputs): Promise<void> {
  const c = conn(props);
  if (props.domainCreated) await rw.deleteServiceDomain(c, props.domainId).catch(ignoreNotFound);
  if (!props.created) return;
  const deployments = await rw.listDeployments(c, { projectId: props.projectId, serviceId: id }).catch((err: unknown) => (ignoreNotFound(err), []));
  const elsewhere = deployments.filter((d) => d.environmentId !== props.environmentId);
  if (elsewhere.length > 0) return;
  await rw.deleteService(c, id).catch(ignoreNotFound);
}
