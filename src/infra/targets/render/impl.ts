/**
 * The Render dynamic providers' CRUD, as plain async functions over plain (unwrapped) inputs.
 * ./providers.ts loads this module inside each provider method (../../http/loader.ts).
 *
 * Every resource carries `api` (plain settings) and `apiKey` (secret input, kept as a secret
 * output because `delete` only receives outputs). Env var values never reach an output: only
 * their names and a salted digest (a secret output) do.
 */
import type * as pulumi from '@pulumi/pulumi';
import { ApiError } from '../../http/client.ts';
import { stableJson } from '../../../shared/json.ts';
import { envDigest, envState, newSalt } from '../../http/digest.ts';
import * as render from './api.ts';

type DiffResult = pulumi.dynamic.DiffResult;

interface Common {
  api: render.RenderApiSettings;
  apiKey: string;
}

export interface ServiceInputs extends Common {
  name: string;
  ownerId: string;
  region: string;
  plan: string;
  numInstances: number;
  /** Image the service is created with; later images are deployed by RenderDeploy. */
  imagePath: string;
  registryCredentialId: string | null;
  healthCheckPath: string;
  dockerCommand: string | null;
  /** Plain env for the first boot (secrets come with RenderEnvVars). */
  env: Record<string, string>;
}
export interface ServiceOutputs extends ServiceInputs {
  url: string;
  dashboardUrl: string | null;
  adopted: boolean;
}

export interface EnvVarsInputs extends Common {
  serviceId: string;
  plain: Record<string, string>;
  secret: Record<string, string>;
}
export interface EnvVarsOutputs extends Common {
  serviceId: string;
  plainKeys: string[];
  secretKeys: string[];
  salt: string;
  digest: string;
}

export interface DeployInputs extends Common {
  serviceId: string;
  imageUrl: string;
  /** Digest of the env vars: a change redeploys (Render applies env changes on the next deploy). */
  envDigest: string | null;
  timing: { timeoutSeconds: number; pollIntervalMs?: number };
}
export interface DeployOutputs extends DeployInputs {
  deployId: string | null;
  status: string;
}

const conn = (x: Common) => render.connection(x.api, x.apiKey);

function diffKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: string[], replaceKeys: string[]): DiffResult {
  const changed = keys.filter((k) => stableJson(olds[k]) !== stableJson(news[k]));
  const replaces = changed.filter((k) => replaceKeys.includes(k));
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && olds.name === news.name };
}

/** `host/path` of an image reference (tag and digest removed). */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split('@')[0];
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

const envList = (env: Record<string, string>) =>
  Object.keys(env)
    .sort()
    .map((key) => ({ key, value: env[key] }));

// ---- RenderService -----------------------------------------------------------------------------

function imageOf(i: ServiceInputs) {
  return { ownerId: i.ownerId, imagePath: i.imagePath, ...(i.registryCredentialId ? { registryCredentialId: i.registryCredentialId } : {}) };
}

function serviceOuts(inputs: ServiceInputs, s: render.RenderService, adopted: boolean): ServiceOutputs {
  const url = (s.serviceDetails?.url ?? `https://${s.name}.onrender.com`).replace(/\/+$/, '');
  return { ...inputs, url, dashboardUrl: s.dashboardUrl ?? null, adopted };
}

/** PATCH body (+ scale) bringing `current` (as last applied) to `wanted`; null when nothing to patch. */
function patchFor(current: Partial<ServiceInputs>, wanted: ServiceInputs): Record<string, unknown> | null {
  const details: Record<string, unknown> = {};
  if (current.plan !== wanted.plan) details.plan = wanted.plan;
  if (current.healthCheckPath !== wanted.healthCheckPath) details.healthCheckPath = wanted.healthCheckPath;
  if ((current.dockerCommand ?? null) !== wanted.dockerCommand) details.envSpecificDetails = { dockerCommand: wanted.dockerCommand ?? '' };
  const body: Record<string, unknown> = {};
  if (current.name !== wanted.name) body.name = wanted.name;
  const repoChanged = current.imagePath === undefined || repositoryOf(current.imagePath) !== repositoryOf(wanted.imagePath);
  if (repoChanged || (current.registryCredentialId ?? null) !== wanted.registryCredentialId) body.image = imageOf(wanted);
  if (Object.keys(details).length > 0) body.serviceDetails = details;
  return Object.keys(body).length > 0 ? body : null;
}

async function applyPatch(c: ReturnType<typeof conn>, id: string, current: Partial<ServiceInputs>, wanted: ServiceInputs): Promise<render.RenderService | null> {
  const body = patchFor(current, wanted);
  const updated = body ? await render.updateService(c, id, body) : null;
  if (current.numInstances !== wanted.numInstances) await render.scaleService(c, id, wanted.numInstances);
  return updated;
}

export async function serviceCreate(inputs: ServiceInputs): Promise<{ id: string; outs: ServiceOutputs }> {
  const c = conn(inputs);
  const body: render.CreateServiceBody = {
    type: 'web_service',
    name: inputs.name,
    ownerId: inputs.ownerId,
    autoDeploy: 'no',
    image: imageOf(inputs),
    envVars: envList(inputs.env),
    serviceDetails: {
      runtime: 'image',
      plan: inputs.plan,
      region: inputs.region,
      numInstances: inputs.numInstances,
      healthCheckPath: inputs.healthCheckPath,
      ...(inputs.dockerCommand ? { envSpecificDetails: { dockerCommand: inputs.dockerCommand } } : {}),
    },
  };
  try {
    const { service } = await render.createService(c, body);
    return { id: service.id, outs: serviceOuts(inputs, service, false) };
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
    // A web service of this name already exists for the owner. Adopt it when it is image-backed
    // (ours: e.g. a create whose response was lost); refuse anything else.
    const found = (await render.findServices(c, inputs.name, inputs.ownerId)).filter(
      (s) => s.type === 'web_service' && (s.serviceDetails?.runtime ?? s.serviceDetails?.env) === 'image',
    );
    if (found.length !== 1) {
      throw new Error(
        `Render service name "${inputs.name}" is already used by owner ${inputs.ownerId} and it is not a single image-backed web service to adopt; ` +
          `set another name with \`pulumi config set catalyst:renderServiceName <name>\` (${err.message})`,
      );
    }
    const existing = found[0];
    const d = existing.serviceDetails ?? {};
    if (d.region && d.region !== inputs.region) {
      throw new Error(`Render service "${inputs.name}" (${existing.id}) exists in region ${d.region}, not ${inputs.region}; delete it or change catalyst:renderRegion`);
    }
    const current: Partial<ServiceInputs> = {
      name: existing.name,
      plan: d.plan,
      healthCheckPath: d.healthCheckPath,
      numInstances: d.numInstances,
      imagePath: existing.imagePath,
      registryCredentialId: null,
      dockerCommand: null,
    };
    const updated = await applyPatch(c, existing.id, current, inputs);
    await render.putEnvVars(c, existing.id, envList(inputs.env));
    return { id: existing.id, outs: serviceOuts(inputs, updated ?? existing, true) };
  }
}

const SERVICE_KEYS = ['name', 'ownerId', 'region', 'plan', 'numInstances', 'registryCredentialId', 'healthCheckPath', 'dockerCommand', 'api', 'apiKey'];

export async function serviceDiff(_id: string, olds: ServiceOutputs, news: ServiceInputs): Promise<DiffResult> {
  const d = diffKeys({ ...olds }, { ...news }, SERVICE_KEYS, ['ownerId', 'region']);
  // A new tag/digest of the same repository is deployed by RenderDeploy, not by the service.
  const repoChanged = repositoryOf(olds.imagePath) !== repositoryOf(news.imagePath);
  return { ...d, changes: d.changes || repoChanged };
}

export async function serviceUpdate(id: string, olds: ServiceOutputs, news: ServiceInputs): Promise<{ outs: ServiceOutputs }> {
  const c = conn(news);
  const updated = await applyPatch(c, id, olds, news);
  const service = updated ?? (await render.getService(c, id));
  if (!service) throw new Error(`Render service ${id} no longer exists; run \`pulumi refresh\` to forget it`);
  const imagePath = repositoryOf(olds.imagePath) === repositoryOf(news.imagePath) ? olds.imagePath : news.imagePath;
  return { outs: { ...serviceOuts({ ...news, imagePath, env: olds.env }, service, olds.adopted) } };
}

export async function serviceRead(id: string, props: ServiceOutputs): Promise<{ id?: string; props?: ServiceOutputs }> {
  const s = await render.getService(conn(props), id);
  if (!s) return {};
  const d = s.serviceDetails ?? {};
  return {
    id,
    props: {
      ...serviceOuts(props, s, props.adopted),
      name: s.name,
      plan: d.plan ?? props.plan,
      region: d.region ?? props.region,
      numInstances: d.numInstances ?? props.numInstances,
      healthCheckPath: d.healthCheckPath ?? props.healthCheckPath,
    },
  };
}

export async function serviceDelete(id: string, props: ServiceOutputs): Promise<void> {
  await render.deleteService(conn(props), id);
}

// ---- RenderEnvVars -----------------------------------------------------------------------------

function envOuts(inputs: EnvVarsInputs, salt: string): EnvVarsOutputs {
  return { api: inputs.api, apiKey: inputs.apiKey, serviceId: inputs.serviceId, ...envState(inputs, salt) };
}

async function putAll(inputs: EnvVarsInputs): Promise<void> {
  const ok = await render.putEnvVars(conn(inputs), inputs.serviceId, envList({ ...inputs.plain, ...inputs.secret }));
  if (!ok) throw new Error(`Render service ${inputs.serviceId} does not exist; cannot set its environment variables`);
}

export async function envCreate(inputs: EnvVarsInputs): Promise<{ id: string; outs: EnvVarsOutputs }> {
  await putAll(inputs);
  return { id: `${inputs.serviceId}/env-vars`, outs: envOuts(inputs, newSalt()) };
}

export async function envDiff(_id: string, olds: EnvVarsOutputs, news: EnvVarsInputs): Promise<DiffResult> {
  const d = diffKeys({ ...olds }, { ...news }, ['serviceId', 'api', 'apiKey'], ['serviceId']);
  return { ...d, changes: d.changes || envDigest(news, olds.salt) !== olds.digest };
}

export async function envUpdate(_id: string, olds: EnvVarsOutputs, news: EnvVarsInputs): Promise<{ outs: EnvVarsOutputs }> {
  if (envDigest(news, olds.salt) !== olds.digest) await putAll(news);
  return { outs: envOuts(news, olds.salt) };
}

export async function envDelete(_id: string, props: EnvVarsOutputs): Promise<void> {
  await render.putEnvVars(conn(props), props.serviceId, []); // a deleted service is fine (404)
}

// ---- RenderDeploy ------------------------------------------------------------------------------

const LIVE = 'live';
const FAILED = new Set(['build_failed', 'update_failed', 'canceled', 'pre_deploy_failed', 'deactivated']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function deployAndWait(inputs: DeployInputs): Promise<DeployOutputs> {
  const c = conn(inputs);
  const deploy = await render.createDeploy(c, inputs.serviceId, inputs.imageUrl);
  if (!deploy) return { ...inputs, deployId: null, status: 'queued' };
  const deadline = Date.now() + inputs.timing.timeoutSeconds * 1000;
  let status = deploy.status ?? 'created';
  while (status !== LIVE) {
    if (FAILED.has(status)) {
      throw new Error(
        `Render deploy ${deploy.id} of ${inputs.imageUrl} ended "${status}"; see https://dashboard.render.com/web/${inputs.serviceId}/deploys/${deploy.id}`,
      );
    }
    if (Date.now() >= deadline) {
      throw new Error(`Render deploy ${deploy.id} of ${inputs.imageUrl} is still "${status}" after ${inputs.timing.timeoutSeconds} s (catalyst:renderDeployTimeoutSeconds)`);
    }
    await sleep(inputs.timing.pollIntervalMs ?? 5000);
    status = (await render.getDeploy(c, inputs.serviceId, deploy.id)).status ?? status;
  }
  return { ...inputs, deployId: deploy.id, status };
}

export async function deployCreate(inputs: DeployInputs): Promise<{ id: string; outs: DeployOutputs }> {
  const outs = await deployAndWait(inputs);
  return { id: `${inputs.serviceId}/deploy`, outs };
}

export async function deployDiff(_id: string, olds: DeployOutputs, news: DeployInputs): Promise<DiffResult> {
  return diffKeys({ ...olds }, { ...news }, ['serviceId', 'imageUrl', 'envDigest', 'api', 'apiKey', 'timing'], ['serviceId']);
}

export async function deployUpdate(_id: string, olds: DeployOutputs, news: DeployInputs): Promise<{ outs: DeployOutputs }> {
  if (olds.imageUrl === news.imageUrl && olds.envDigest === news.envDigest) return { outs: { ...news, deployId: olds.deployId, status: olds.status } };
  return { outs: await deployAndWait(news) };
}

export async function deployDelete(): Promise<void> {
  // Deploys are history on Render; there is nothing to delete (the service's delete removes them).
}
