/**
 * Fly dynamic providers and their resources (no maintained Pulumi provider for Fly is published).
 *
 * Pulumi serializes each provider object (its methods and what they capture) into the state and
 * runs it in a separate process. So the methods (made by ../../dynamic.ts) capture only `load` (two
 * path strings, see ../../http/loader.ts) and a function name, and load ./impl.ts when they run: no
 * module-level objects, no HTTP client instances, no secrets are captured
 * (tests/unit/fly-target.test.ts checks the serialized text; tests/unit/fly-serialize.test.ts runs it).
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { crud, dynamicResource, forwardingProvider } from '../../dynamic.ts';
import { moduleLoader } from '../../http/loader.ts';
import type { FlyApiSettings, FlyIpType } from './api.ts';
import type { MachinesTiming } from './machines.ts';

type Impl = typeof import('./impl.ts');
const load = moduleLoader<Impl>(fileURLToPath(new URL('./impl.ts', import.meta.url)), 'src/infra/targets/fly/impl.ts');

/** Type tokens (`pulumi-nodejs:dynamic/catalyst:<Type>`); never rename without an alias. */
export const FLY_TYPES = { app: 'FlyApp', ip: 'FlyIpAssignment', secrets: 'FlyAppSecrets', machines: 'FlyMachines' } as const;

export const flyAppProvider = forwardingProvider(load, crud('app', 'read'));
export const flyIpProvider = forwardingProvider(load, crud('ip'));
export const flySecretsProvider = forwardingProvider(load, crud('secrets'));
export const flyMachinesProvider = forwardingProvider(load, crud('machines', 'read'));

interface Common {
  api: pulumi.Input<FlyApiSettings>;
  /** Fly API token: pass a secret Output. */
  token: pulumi.Input<string>;
}

export interface FlyAppArgs extends Common {
  appName: pulumi.Input<string>;
  org: pulumi.Input<string>;
}

export const FlyApp = dynamicResource<FlyAppArgs, { appName: string; org: string; appId: string | null; adopted: boolean }>(flyAppProvider, FLY_TYPES.app, {
  outputs: ['appId', 'adopted'],
  secret: ['token'],
});
export type FlyApp = InstanceType<typeof FlyApp>;

export interface FlyIpAssignmentArgs extends Common {
  appName: pulumi.Input<string>;
  /** `shared_v4` (free, shared anycast v4), `v4` (dedicated v4), `v6` (dedicated public v6). */
  type: pulumi.Input<FlyIpType>;
}

export const FlyIpAssignment = dynamicResource<FlyIpAssignmentArgs, { ip: string; shared: boolean }>(flyIpProvider, FLY_TYPES.ip, { outputs: ['ip', 'shared'], secret: ['token'] });
export type FlyIpAssignment = InstanceType<typeof FlyIpAssignment>;

export interface FlyAppSecretsArgs extends Common {
  appName: pulumi.Input<string>;
  /** Secret values (name → secret Output). Never echoed in outputs; diffed by a salted digest. */
  values: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** `version`: the secrets version to require on machines (`min_secrets_version`). */
export const FlyAppSecrets = dynamicResource<FlyAppSecretsArgs, { keys: string[]; version: number | null }>(flySecretsProvider, FLY_TYPES.secrets, {
  outputs: ['keys', 'version', 'salt', 'digest'],
  secret: ['token', 'digest'],
  prepare: (args) => ({ ...args, values: pulumi.secret(args.values) }),
});
export type FlyAppSecrets = InstanceType<typeof FlyAppSecrets>;

export interface FlyMachinesArgs extends Common {
  appName: pulumi.Input<string>;
  image: pulumi.Input<string>;
  regions: pulumi.Input<string[]>;
  count: pulumi.Input<number>;
  guest: pulumi.Input<{ cpuKind: 'shared' | 'performance'; cpus: number; memoryMb: number }>;
  env: pulumi.Input<Record<string, pulumi.Input<string>>>;
  port: pulumi.Input<number>;
  autostop: pulumi.Input<'off' | 'stop' | 'suspend'>;
  minMachinesRunning: pulumi.Input<number>;
  healthCheckPath: pulumi.Input<string>;
  secretsVersion: pulumi.Input<number | null>;
  /** Env only the first machine gets (the scheduler machine); omitted when the project has no schedules. */
  leaderEnv?: pulumi.Input<Record<string, string>>;
  timing: pulumi.Input<MachinesTiming>;
}

export const FlyMachines = dynamicResource<FlyMachinesArgs, { machines: { id: string; name: string; region: string; instanceId: string | null }[] }>(flyMachinesProvider, FLY_TYPES.machines, {
  outputs: ['machines'],
  secret: ['token'],
});
