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
import { crud, dynamicResource, envVarsResource, forwardingProvider, type EnvVarsArgs } from '../../dynamic.ts';
import { moduleLoader } from '../../http/loader.ts';
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

/** `url`: `https://<name>.onrender.com` from the API (`serviceDetails.url`). */
export const RenderService = dynamicResource<RenderServiceArgs, { url: string; dashboardUrl: string | null; adopted: boolean }>(renderServiceProvider, RENDER_TYPES.service, {
  outputs: ['url', 'dashboardUrl', 'adopted'],
  secret: ['apiKey'],
});

/** On Render the env is the service's env vars (the full set); `digest` feeds RenderDeploy. */
export interface RenderEnvVarsArgs extends Common, EnvVarsArgs {
  serviceId: pulumi.Input<string>;
}

export const RenderEnvVars = envVarsResource<RenderEnvVarsArgs>(renderEnvVarsProvider, RENDER_TYPES.envVars, 'apiKey');

export interface RenderDeployArgs extends Common {
  serviceId: pulumi.Input<string>;
  imageUrl: pulumi.Input<string>;
  envDigest: pulumi.Input<string | null>;
  timing: pulumi.Input<{ timeoutSeconds: number; pollIntervalMs?: number }>;
}

export const RenderDeploy = dynamicResource<RenderDeployArgs, { deployId: string | null; status: string }>(renderDeployProvider, RENDER_TYPES.deploy, {
  outputs: ['deployId', 'status'],
  secret: ['apiKey', 'envDigest'],
});
