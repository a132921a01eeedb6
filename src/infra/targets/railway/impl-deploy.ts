/**
 * The Railway dynamic providers' CRUD for the service variables and the deploy (see ./impl.ts for
 * the project and the service). Variable values never reach an output: only their names and a
 * salted digest (a secret output) do; the registry password stays a secret input/output.
 */
import type * as pulumi from '@pulumi/pulumi';
import { envDigest, envState, newSalt } from '../../http/digest.ts';
import * as rw from './api.ts';
import { findOrCreate, RailwayError, redact } from './graphql.ts';
import { conn, diffKeys, type Common } from './impl.ts';

type DiffResult = pulumi.dynamic.DiffResult;

interface Scope {
  projectId: string;
  environmentId: string;
  serviceId: string;
}
const scopeOf = (x: Scope): rw.VariableScope => ({ projectId: x.projectId, environmentId: x.environmentId, serviceId: x.serviceId });

// ---- RailwayVariables ----------------------------------------------------------------------------

export interface VariablesInputs extends Common, Scope {
  plain: Record<string, string>;
  secret: Record<string, string>;
}
export interface VariablesOutputs extends Common, Scope {
  plainKeys: string[];
  secretKeys: string[];
  salt: string;
  digest: string;
}

function varsOuts(inputs: VariablesInputs, salt: string): VariablesOutputs {
  return { api: inputs.api, token: inputs.token, ...scopeOf(inputs), ...envState(inputs, salt) };
}

async function upsertAll(inputs: VariablesInputs): Promise<void> {
  const all = { ...inputs.plain, ...inputs.secret };
  const sorted = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
  await rw.upsertVariables(conn(inputs), scopeOf(inputs), sorted, Object.values(inputs.secret));
}

async function deleteNames(x: Common & Scope, names: string[]): Promise<void> {
  for (const name of names) {
    await rw.deleteVariable(conn(x), scopeOf(x), name).catch((err: unknown) => {
      if (!(err instanceof RailwayError && err.notFound)) throw err;
    });
  }
}

export async function varsCreate(inputs: VariablesInputs): Promise<{ id: string; outs: VariablesOutputs }> {
  await upsertAll(inputs);
  return { id: `${inputs.serviceId}/${inputs.environmentId}/variables`, outs: varsOuts(inputs, newSalt()) };
}

export async function varsDiff(_id: string, olds: VariablesOutputs, news: VariablesInputs): Promise<DiffResult> {
  const d = diffKeys(olds, news, ['projectId', 'environmentId', 'serviceId', 'api', 'token'], ['projectId', 'environmentId', 'serviceId']);
  return { ...d, changes: d.changes || envDigest(news, olds.salt) !== olds.digest };
}

export async function varsUpdate(_id: string, olds: VariablesOutputs, news: VariablesInputs): Promise<{ outs: VariablesOutputs }> {
  if (envDigest(news, olds.salt) !== olds.digest) {
    await upsertAll(news);
    const keep = new Set([...Object.keys(news.plain), ...Object.keys(news.secret)]);
    await deleteNames(news, [...olds.plainKeys, ...olds.secretKeys].filter((k) => !keep.has(k)));
  }
  return { outs: varsOuts(news, olds.salt) };
}

/** Removes the variables Catalyst set (and only those). */
export async function varsDelete(_id: string, props: VariablesOutputs): Promise<void> {
  await deleteNames(props, [...props.plainKeys, ...props.secretKeys]);
}

// ---- RailwayDeploy -------------------------------------------------------------------------------

export interface DeployInputs extends Common, Scope {
  /** Image reference Railway pulls (`repository@sha256:…` when the digest is known). */
  image: string;
  /** Credentials Railway pulls a private image with (secret), or null. */
  registry: { username: string; password: string } | null;
  /** Digest of the variables: a change redeploys (Railway applies variables on the next deploy). */
  envDigest: string | null;
  timing: { timeoutSeconds: number; pollIntervalMs?: number };
}
export interface DeployOutputs extends DeployInputs {
  deploymentId: string;
  status: string;
}

const DONE = new Set(['SUCCESS', 'SLEEPING']);
const FAILED = new Set(['FAILED', 'CRASHED', 'REMOVED', 'SKIPPED']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function failureDetail(c: ReturnType<typeof conn>, id: string, inputs: DeployInputs): Promise<string> {
  const lines = await rw.deploymentLogs(c, id).catch(() => []);
  const tail = lines.slice(-8).map((l) => `  ${redact(l.message, inputs.registry ? [inputs.registry.password] : [])}`);
  return tail.length > 0 ? `; last log lines:\n${tail.join('\n')}` : '';
}

async function deployAndWait(inputs: DeployInputs): Promise<DeployOutputs> {
  const c = conn(inputs);
  const { serviceId, environmentId } = inputs;
  await rw.updateServiceInstance(c, serviceId, environmentId, { source: { image: inputs.image }, ...(inputs.registry ? { registryCredentials: inputs.registry } : {}) });
  // Triggering is not idempotent: when an attempt's answer is lost, a deployment that appeared
  // since we started is that attempt's, and is taken instead of triggering a second one.
  const since = Date.now() - 1000;
  let attempted = false;
  const trigger = await findOrCreate(
    c,
    async () => {
      if (!attempted) return null;
      const fresh = (await rw.listDeployments(c, scopeOf(inputs))).find((d) => Date.parse(d.createdAt) >= since);
      return fresh?.id ?? null;
    },
    (single) => {
      attempted = true;
      return rw.deployInstance(single, serviceId, environmentId);
    },
  );
  const id = trigger.value;
  const deadline = Date.now() + inputs.timing.timeoutSeconds * 1000;
  let status = 'QUEUED';
  for (;;) {
    status = (await rw.getDeployment(c, id)).status;
    if (DONE.has(status)) break;
    if (FAILED.has(status)) {
      throw new Error(
        `Railway deployment ${id} of ${inputs.image} ended ${status} (a new deployment must answer 200 on /health within the healthcheck timeout)` +
          `${await failureDetail(c, id, inputs)}\nSee https://railway.com/project/${inputs.projectId}/service/${serviceId}?environmentId=${environmentId}`,
      );
    }
    if (Date.now() >= deadline) {
      throw new Error(`Railway deployment ${id} of ${inputs.image} is still ${status} after ${inputs.timing.timeoutSeconds} s (catalyst:railwayDeployTimeoutSeconds)`);
    }
    await sleep(inputs.timing.pollIntervalMs ?? 5000);
  }
  return { ...inputs, deploymentId: id, status };
}

export async function deployCreate(inputs: DeployInputs): Promise<{ id: string; outs: DeployOutputs }> {
  return { id: `${inputs.serviceId}/${inputs.environmentId}/deploy`, outs: await deployAndWait(inputs) };
}

const DEPLOY_KEYS = ['projectId', 'environmentId', 'serviceId', 'image', 'registry', 'envDigest', 'api', 'token', 'timing'];

export async function deployDiff(_id: string, olds: DeployOutputs, news: DeployInputs): Promise<DiffResult> {
  return diffKeys(olds, news, DEPLOY_KEYS, ['projectId', 'environmentId', 'serviceId']);
}

export async function deployUpdate(_id: string, olds: DeployOutputs, news: DeployInputs): Promise<{ outs: DeployOutputs }> {
  const same = olds.image === news.image && olds.envDigest === news.envDigest && JSON.stringify(olds.registry) === JSON.stringify(news.registry);
  if (same) return { outs: { ...news, deploymentId: olds.deploymentId, status: olds.status } };
  return { outs: await deployAndWait(news) };
}

export async function deployDelete(): Promise<void> {
  // Deployments are history on Railway; the service's delete removes them.
}
