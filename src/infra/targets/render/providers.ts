/**
 * Render dynamic providers and their resources (against the Render REST API v1).
 *
 * Pulumi serializes each provider object into the state and runs it in a separate process; the
 * methods capture only `load` (two path strings, see ../../http/loader.ts) and load ./impl.ts
 * when they run. No HTTP client, module state or secret is captured.
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { moduleLoader } from '../../http/loader.ts';
import type { RenderApiSettings } from './api.ts';

type Impl = typeof import('./impl.ts');
const load = moduleLoader<Impl>(fileURLToPath(new URL('./impl.ts', import.meta.url)), 'src/infra/targets/render/impl.ts');

/** Type tokens (`pulumi-nodejs:dynamic/catalyst:<Type>`); never rename without an alias. */
export const RENDER_TYPES = { service: 'RenderService', envVars: 'RenderEnvVars', deploy: 'RenderDeploy' } as const;
const MODULE = 'catalyst';

export const renderServiceProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return (await load()).serviceCreate(inputs);
  },
  async diff(id, olds, news) {
    return (await load()).serviceDiff(id, olds, news);
  },
  async update(id, olds, news) {
    return (await load()).serviceUpdate(id, olds, news);
  },
  async read(id, props) {
    return (await load()).serviceRead(id, props);
  },
  async delete(id, props) {
    return (await load()).serviceDelete(id, props);
  },
};

export const renderEnvVarsProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return (await load()).envCreate(inputs);
  },
  async diff(id, olds, news) {
    return (await load()).envDiff(id, olds, news);
  },
  async update(id, olds, news) {
    return (await load()).envUpdate(id, olds, news);
  },
  async delete(id, props) {
    return (await load()).envDelete(id, props);
  },
};

export const renderDeployProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return (await load()).deployCreate(inputs);
  },
  async diff(id, olds, news) {
    return (await load()).deployDiff(id, olds, news);
  },
  async update(id, olds, news) {
    return (await load()).deployUpdate(id, olds, news);
  },
  async delete() {
    return (await load()).deployDelete();
  },
};

interface Common {
  api: pulumi.Input<RenderApiSettings>;
  /** Render API key: pass a secret Output. */
  apiKey: pulumi.Input<string>;
}

const withSecrets = (opts: pulumi.CustomResourceOptions | undefined, keys: string[]): pulumi.CustomResourceOptions => ({
  ...opts,
  additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...keys],
});

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
      MODULE,
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
      MODULE,
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
    super(renderDeployProvider, name, { deployId: undefined, status: undefined, ...args }, withSecrets(opts, ['apiKey', 'envDigest']), MODULE, RENDER_TYPES.deploy);
  }
}
