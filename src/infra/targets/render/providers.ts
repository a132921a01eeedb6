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
import { forwardingProvider, withSecrets } from '../../dynamic.ts';
import { moduleLoader } from '../../http/loader.ts';
import { DYNAMIC } from '../../tokens.ts';
import type { RenderApiSettings } from './api.ts';

type Impl = typeof import('./impl.ts');
const load = moduleLoader<Impl>(fileURLToPath(new URL('./impl.ts', import.meta.url)), 'src/infra/targets/render/impl.ts');

/** Type tokens (`pulumi-nodejs:dynamic/catalyst:<Type>`); never rename without an alias. */
export const RENDER_TYPES = { service: 'RenderService', envVars: 'RenderEnvVars', deploy: 'RenderDeploy' } as const;

export const renderServiceProvider = forwardingProvider(load, {
  create: 'serviceCreate',
  diff: 'serviceDiff',
  update: 'serviceUpdate',
  read: 'serviceRead',
  delete: 'serviceDelete',
});

export const renderEnvVarsProvider = forwardingProvider(load, { create: 'envCreate', diff: 'envDiff', update: 'envUpdate', delete: 'envDelete' });

export const renderDeployProvider = forwardingProvider(load, { create: 'deployCreate', diff: 'deployDiff', update: 'deployUpdate', delete: 'deployDelete' });

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

export interface RenderEnvVarsArgs extends Common {
  serviceId: pulumi.Input<string>;
  plain: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Secret values (name → secret Output); on Render they are env vars, kept secret here. */
  secret: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class RenderEnvVars extends pulumi.dynamic.Resource {
  declare readonly plainKeys: pulumi.Output<string[]>;
  declare readonly secretKeys: pulumi.Output<string[]>;
  /** Salted digest of all values (secret): feeds RenderDeploy so a change redeploys. */
  declare readonly digest: pulumi.Output<string>;

  constructor(name: string, args: RenderEnvVarsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      renderEnvVarsProvider,
      name,
      { plainKeys: undefined, secretKeys: undefined, salt: undefined, digest: undefined, ...args, secret: pulumi.secret(args.secret) },
      withSecrets(opts, ['apiKey', 'digest']),
      DYNAMIC.module,
      RENDER_TYPES.envVars,
    );
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
