/**
 * Render dynamic providers and their resources (against the Render REST API v1).
 *
 * Pulumi serializes each provider object into the state and runs it in a separate process; the
 * methods (made by ../../dynamic.ts) capture only `load` (two path strings, see ../../http/loader.ts)
 * and a function name, and load ./impl.ts when they run. No HTTP client, module state or secret is
 * captured.
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { crud, EnvVarsResource, forwardingProvider, withSecrets, type EnvVarsArgs } from '../../dynamic.ts';
import { moduleLoader } from '../../http/loader.ts';
import { DYNAMIC } from '../../tokens.ts';
import type { RenderApiSettings } from './api.ts';

type Impl = typeof import('./impl.ts');
const load = moduleLoader<Impl>(fileURLToPath(new URL('./impl.ts', import.meta.url)), 'src/infra/targets/render/impl.ts');

/** Type tokens (`pulumi-nodejs:dynamic/catalyst:<Type>`); never rename without an alias. */
export const RENDER_TYPES = { service: 'RenderService', envVars: 'RenderEnvVars', deploy: 'RenderDeploy' } as const;

export const renderServiceProvider = forwardingProvider(load, crud('service', 'read'));
export const renderEnvVarsProvider = forwardingProvider(load, crud('env'));
export const renderDeployProvider = forwardingProvider(load, crud('deploy'));

interface Common {
  api: pulumi.Input<RenderApiSettings>;
  /** Render API key: pass a secret Output. */
  apiKey: pulumi.Input<string>;
}

export interface RenderServiceArgs extends Common {
  name: pulumi.Input<string>;
  ownerId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  plan: pulumi.Input<string>;
  numInstances: pulumi.Input<number>;
  imagePath: pulumi.Input<string>;
  registryCredentialId: pulumi.Input<string | null>;
  healthCheckPath: pulumi.Input<string>;
  dockerCommand: pulumi.Input<string | null>;
  /** Plain (non-secret) env for the first boot. */
  env: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class RenderService extends pulumi.dynamic.Resource {
  /** `https://<name>.onrender.com` from the API (`serviceDetails.url`). */
  declare readonly url: pulumi.Output<string>;
  declare readonly dashboardUrl: pulumi.Output<string | null>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: RenderServiceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      renderServiceProvider,
      name,
      { url: undefined, dashboardUrl: undefined, adopted: undefined, ...args },
      withSecrets(opts, ['apiKey']),
      DYNAMIC.module,
      RENDER_TYPES.service,
    );
  }
}

/** On Render the env is the service's env vars (the full set); `digest` feeds RenderDeploy. */
export interface RenderEnvVarsArgs extends Common, EnvVarsArgs {
  serviceId: pulumi.Input<string>;
}

export class RenderEnvVars extends EnvVarsResource {
  constructor(name: string, args: RenderEnvVarsArgs, opts?: pulumi.CustomResourceOptions) {
    super(renderEnvVarsProvider, RENDER_TYPES.envVars, 'apiKey', name, args, opts);
  }
}

export interface RenderDeployArgs extends Common {
  serviceId: pulumi.Input<string>;
  imageUrl: pulumi.Input<string>;
  envDigest: pulumi.Input<string | null>;
  timing: pulumi.Input<{ timeoutSeconds: number; pollIntervalMs?: number }>;
}

export class RenderDeploy extends pulumi.dynamic.Resource {
  declare readonly deployId: pulumi.Output<string | null>;
  declare readonly status: pulumi.Output<string>;

  constructor(name: string, args: RenderDeployArgs, opts?: pulumi.CustomResourceOptions) {
    super(renderDeployProvider, name, { deployId: undefined, status: undefined, ...args }, withSecrets(opts, ['apiKey', 'envDigest']), DYNAMIC.module, RENDER_TYPES.deploy);
  }
}
