/**
 * The Fly dynamic providers' CRUD, as plain async functions over plain (unwrapped) inputs.
 * ./providers.ts loads this module with `await import()` inside each provider method, so nothing
 * here is captured by the serialized provider closure.
 *
 * Every resource carries `api` (plain settings) and `token` (secret input, kept as a secret output
 * because `delete` only receives outputs). No output holds a secret value except `token` itself
 * and the salted secrets `digest`, both listed in `additionalSecretOutputs`.
 */
import type * as pulumi from '@pulumi/pulumi';
import { ApiError } from '../../http/client.ts';
import { stableJson } from '../../../shared/json.ts';
import { newSalt, secretDigest } from '../../http/digest.ts';
import * as fly from './api.ts';
import { converge, destroyAll, managedMachines, type MachineRecord, type MachinesSpec, type MachinesTiming } from './machines.ts';

type DiffResult = pulumi.dynamic.DiffResult;

interface Common {
  api: fly.FlyApiSettings;
  token: string;
}

export interface AppInputs extends Common {
  appName: string;
  org: string;
}
export interface AppOutputs extends AppInputs {
  appId: string | null;
  /** True when the app already existed in the org and was adopted (see docs). */
  adopted: boolean;
}

export interface IpInputs extends Common {
  appName: string;
  type: fly.FlyIpType;
}
export interface IpOutputs extends IpInputs {
  ip: string;
  shared: boolean;
}

export interface SecretsInputs extends Common {
  appName: string;
  values: Record<string, string>;
}
export interface SecretsOutputs extends Common {
  appName: string;
  keys: string[];
  salt: string;
  digest: string;
  version: number | null;
}

export interface MachinesInputs extends Common, MachinesSpec {
  timing: MachinesTiming;
}
export interface MachinesOutputs extends MachinesInputs {
  machines: MachineRecord[];
}

const conn = (x: Common) => fly.connection(x.api, x.token);

/** `changes` when anything differs; `replaces` for the keys that cannot be updated in place. */
function diffKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: string[], replaceKeys: string[]): DiffResult {
  const changed = keys.filter((k) => stableJson(olds[k]) !== stableJson(news[k]));
  const replaces = changed.filter((k) => replaceKeys.includes(k));
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && olds.appName === news.appName };
}

// ---- FlyApp ------------------------------------------------------------------------------------

export async function appCreate(inputs: AppInputs): Promise<{ id: string; outs: AppOutputs }> {
  const c = conn(inputs);
  let adopted = false;
  try {
    await fly.createApp(c, inputs.appName, inputs.org);
  } catch (err) {
    const taken = err instanceof ApiError && (err.status === 409 || (err.status === 422 && (err.code === 'name_taken' || /taken|exists/i.test(err.apiMessage))));
    if (!taken) throw err;
    // Adopt only an app of the same org: that is ours (e.g. created by a call whose response was
    // lost, or by an earlier stack whose state is gone). Anything else is someone else's app.
    const existing = await fly.getApp(c, inputs.appName);
    const slug = existing?.organization?.slug;
    if (!existing || slug !== inputs.org) {
      throw new Error(
        `Fly app name "${inputs.appName}" is already taken${slug ? ` by an app in org "${slug}"` : ' by an app this token cannot see'}; ` +
          `set another name with \`pulumi config set catalyst:flyApp <name>\` (${(err as Error).message})`,
      );
    }
    adopted = true;
  }
  const info = await fly.getApp(c, inputs.appName);
  return { id: inputs.appName, outs: { ...inputs, appId: info?.id ?? null, adopted } };
}

export async function appDiff(_id: string, olds: AppOutputs, news: AppInputs): Promise<DiffResult> {
  return diffKeys({ ...olds }, { ...news }, ['appName', 'org', 'api', 'token'], ['appName', 'org']);
}

export async function appUpdate(_id: string, olds: AppOutputs, news: AppInputs): Promise<{ outs: AppOutputs }> {
  const info = await fly.getApp(conn(news), news.appName);
  return { outs: { ...news, appId: info?.id ?? olds.appId, adopted: olds.adopted } };
}

export async function appRead(id: string, props: AppOutputs): Promise<{ id?: string; props?: AppOutputs }> {
  const info = await fly.getApp(conn(props), id);
  if (!info) return {};
  return { id, props: { ...props, appName: info.name ?? id, org: info.organization?.slug ?? props.org, appId: info.id ?? props.appId } };
}

export async function appDelete(id: string, props: AppOutputs): Promise<void> {
  await fly.deleteApp(conn(props), id);
}

// ---- FlyIpAssignment ---------------------------------------------------------------------------

function ipMatches(type: fly.FlyIpType, ip: fly.FlyIp): boolean {
  const addr = ip.ip ?? '';
  const v6 = addr.includes(':');
  if (type === 'v6') return v6 && !addr.toLowerCase().startsWith('fd'); // not the private 6PN address
  return !v6 && addr !== '' && (type === 'shared_v4') === (ip.shared === true);
}

export async function ipCreate(inputs: IpInputs): Promise<{ id: string; outs: IpOutputs }> {
  const c = conn(inputs);
  // Idempotent: an address of this kind already on the app (e.g. from a create whose response
  // was lost) is adopted instead of allocating a second one.
  let ip = (await fly.listIps(c, inputs.appName)).find((x) => ipMatches(inputs.type, x));
  if (!ip) ip = await fly.assignIp(c, inputs.appName, inputs.type);
  if (!ip.ip) throw new Error(`Fly App_IPAssignments_create returned no address for app "${inputs.appName}" (type ${inputs.type})`);
  return { id: ip.ip, outs: { ...inputs, ip: ip.ip, shared: ip.shared === true } };
}

export async function ipDiff(_id: string, olds: IpOutputs, news: IpInputs): Promise<DiffResult> {
  return diffKeys({ ...olds }, { ...news }, ['appName', 'type', 'api', 'token'], ['appName', 'type']);
}

export async function ipUpdate(_id: string, olds: IpOutputs, news: IpInputs): Promise<{ outs: IpOutputs }> {
  return { outs: { ...news, ip: olds.ip, shared: olds.shared } };
}

export async function ipDelete(id: string, props: IpOutputs): Promise<void> {
  await fly.releaseIp(conn(props), props.appName, id);
}

// ---- FlyAppSecrets -----------------------------------------------------------------------------

export async function secretsCreate(inputs: SecretsInputs): Promise<{ id: string; outs: SecretsOutputs }> {
  const salt = newSalt();
  const version = await fly.setSecrets(conn(inputs), inputs.appName, inputs.values);
  return { id: `${inputs.appName}/secrets`, outs: secretsOuts(inputs, salt, version) };
}

function secretsOuts(inputs: SecretsInputs, salt: string, version: number | null): SecretsOutputs {
  return {
    api: inputs.api,
    token: inputs.token,
    appName: inputs.appName,
    keys: Object.keys(inputs.values).sort(),
    salt,
    digest: secretDigest(inputs.values, salt),
    version,
  };
}

export async function secretsDiff(_id: string, olds: SecretsOutputs, news: SecretsInputs): Promise<DiffResult> {
  const valuesChanged = secretDigest(news.values, olds.salt) !== olds.digest;
  const other = diffKeys({ ...olds }, { ...news }, ['appName', 'api', 'token'], ['appName']);
  return { ...other, changes: other.changes || valuesChanged };
}

export async function secretsUpdate(_id: string, olds: SecretsOutputs, news: SecretsInputs): Promise<{ outs: SecretsOutputs }> {
  const c = conn(news);
  let version = olds.version;
  if (secretDigest(news.values, olds.salt) !== olds.digest) {
    version = await fly.setSecrets(c, news.appName, news.values);
    for (const key of olds.keys.filter((k) => !(k in news.values))) version = (await fly.unsetSecret(c, news.appName, key)) ?? version;
  }
  return { outs: secretsOuts(news, olds.salt, version) };
}

export async function secretsDelete(_id: string, props: SecretsOutputs): Promise<void> {
  for (const key of props.keys) await fly.unsetSecret(conn(props), props.appName, key);
}

// ---- FlyMachines -------------------------------------------------------------------------------

const SPEC_KEYS: (keyof MachinesSpec)[] = [
  'image',
  'regions',
  'count',
  'guest',
  'env',
  'port',
  'autostop',
  'minMachinesRunning',
  'healthCheckPath',
  'secretsVersion',
  'leaderEnv',
];

export async function machinesCreate(inputs: MachinesInputs): Promise<{ id: string; outs: MachinesOutputs }> {
  // roll = true: machines of ours already there (a retried create) are brought to this spec too.
  const machines = await converge(conn(inputs), inputs, inputs.timing, true);
  return { id: `${inputs.appName}/machines`, outs: { ...inputs, machines } };
}

export async function machinesDiff(_id: string, olds: MachinesOutputs, news: MachinesInputs): Promise<DiffResult> {
  return diffKeys({ ...olds }, { ...news }, ['appName', ...SPEC_KEYS, 'api', 'token'], ['appName']);
}

export async function machinesUpdate(_id: string, olds: MachinesOutputs, news: MachinesInputs): Promise<{ outs: MachinesOutputs }> {
  const specChanged = SPEC_KEYS.some((k) => stableJson(olds[k]) !== stableJson(news[k]));
  // Only the count/regions changed: keep running machines as they are, add/remove/move the rest.
  const roll = SPEC_KEYS.filter((k) => k !== 'count' && k !== 'regions').some((k) => stableJson(olds[k]) !== stableJson(news[k]));
  const machines = specChanged ? await converge(conn(news), news, news.timing, roll) : olds.machines;
  return { outs: { ...news, machines } };
}

export async function machinesRead(id: string, props: MachinesOutputs): Promise<{ id?: string; props?: MachinesOutputs }> {
  const app = await fly.getApp(conn(props), props.appName);
  if (!app) return {};
  const live = await managedMachines(conn(props), props.appName);
  const machines = live
    .map((m) => ({ id: m.id, name: m.name ?? m.id, region: m.region ?? '', instanceId: m.instance_id ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return { id, props: { ...props, machines, count: machines.length } };
}

export async function machinesDelete(_id: string, props: MachinesOutputs): Promise<void> {
  await destroyAll(conn(props), props.appName, props.machines.map((m) => m.id), props.timing);
}
