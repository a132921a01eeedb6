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
import { crud, forwardingProvider, withSecrets } from '../../dynamic.ts';
import { moduleLoader } from '../../http/loader.ts';
import { DYNAMIC } from '../../tokens.ts';
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

export class FlyApp extends pulumi.dynamic.Resource {
  declare readonly appName: pulumi.Output<string>;
  declare readonly org: pulumi.Output<string>;
  declare readonly appId: pulumi.Output<string | null>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: FlyAppArgs, opts?: pulumi.CustomResourceOptions) {
    super(flyAppProvider, name, { appId: undefined, adopted: undefined, ...args }, withSecrets(opts, ['token']), DYNAMIC.module, FLY_TYPES.app);
  }
}

export interface FlyIpAssignmentArgs extends Common {
  appName: pulumi.Input<string>;
  /** `shared_v4` (free, shared anycast v4), `v4` (dedicated v4), `v6` (dedicated public v6). */
  type: pulumi.Input<FlyIpType>;
}

export class FlyIpAssignment extends pulumi.dynamic.Resource {
  declare readonly ip: pulumi.Output<string>;
  declare readonly shared: pulumi.Output<boolean>;

  constructor(name: string, args: FlyIpAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(flyIpProvider, name, { ip: undefined, shared: undefined, ...args }, withSecrets(opts, ['token']), DYNAMIC.module, FLY_TYPES.ip);
  }
}

export interface FlyAppSecretsArgs extends Common {
  appName: pulumi.Input<string>;
  /** Secret values (name → secret Output). Never echoed in outputs; diffed by a salted digest. */
  values: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class FlyAppSecrets extends pulumi.dynamic.Resource {
  declare readonly keys: pulumi.Output<string[]>;
  /** Secrets version to require on machines (`min_secrets_version`). */
  declare readonly version: pulumi.Output<number | null>;

  constructor(name: string, args: FlyAppSecretsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      flySecretsProvider,
      name,
      { keys: undefined, version: undefined, salt: undefined, digest: undefined, ...args, values: pulumi.secret(args.values) },
      withSecrets(opts, ['token', 'digest']),
      DYNAMIC.module,
      FLY_TYPES.secrets,
    );
  }
}

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

export class FlyMachines extends pulumi.dynamic.Resource {
  declare readonly machines: pulumi.Output<{ id: string; name: string; region: string; instanceId: string | null }[]>;

  constructor(name: string, args: FlyMachinesArgs, opts?: pulumi.CustomResourceOptions) {
    super(flyMachinesProvider, name, { machines: undefined, ...args }, withSecrets(opts, ['token']), DYNAMIC.module, FLY_TYPES.machines);
  }
}
