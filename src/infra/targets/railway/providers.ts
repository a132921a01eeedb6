/**
 * Railway dynamic providers and their resources (against the public GraphQL API v2).
 *
 * Pulumi serializes each provider object into the state and runs it in a separate process; the
 * methods capture only the loaders (path strings, see ../../http/loader.ts) and load ./impl.ts or
 * ./impl-deploy.ts when they run. No HTTP client, module state or secret is captured.
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { moduleLoader } from '../../http/loader.ts';
import type { RailwayApiSettings } from './graphql.ts';
import type { Settings } from './impl.ts';

type Impl = typeof import('./impl.ts');
type DeployImpl = typeof import('./impl-deploy.ts');
const load = moduleLoader<Impl>(fileURLToPath(new URL('./impl.ts', import.meta.url)), 'src/infra/targets/railway/impl.ts');
const loadDeploy = moduleLoader<DeployImpl>(fileURLToPath(new URL('./impl-deploy.ts', import.meta.url)), 'src/infra/targets/railway/impl-deploy.ts');

/** Type tokens (`pulumi-nodejs:dynamic/catalyst:<Type>`); never rename without an alias. */
export const RAILWAY_TYPES = { project: 'RailwayProject', service: 'RailwayService', variables: 'RailwayVariables', deploy: 'RailwayDeploy' } as const;
const MODULE = 'catalyst';

export const railwayProjectProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return (await load()).projectCreate(inputs);
  },
  async diff(id, olds, news) {
    return (await load()).projectDiff(id, olds, news);
  },
  async update(id, olds, news) {
    return (await load()).projectUpdate(id, olds, news);
  },
  async delete(id, props) {
    return (await load()).projectDelete(id, props);
  },
};

export const railwayServiceProvider: pulumi.dynamic.ResourceProvider = {
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

export const railwayVariablesProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return (await loadDeploy()).varsCreate(inputs);
  },
  async diff(id, olds, news) {
    return (await loadDeploy()).varsDiff(id, olds, news);
  },
  async update(id, olds, news) {
    return (await loadDeploy()).varsUpdate(id, olds, news);
  },
  async delete(id, props) {
    return (await loadDeploy()).varsDelete(id, props);
  },
};

export const railwayDeployProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return (await loadDeploy()).deployCreate(inputs);
  },
  async diff(id, olds, news) {
    return (await loadDeploy()).deployDiff(id, olds, news);
  },
  async update(id, olds, news) {
    return (await loadDeploy()).deployUpdate(id, olds, news);
  },
  async delete() {
    return (await loadDeploy()).deployDelete();
  },
};

interface Common {
  api: pulumi.Input<RailwayApiSettings>;
  /** Railway account or workspace token: pass a secret Output. */
  token: pulumi.Input<string>;
}

const withSecrets = (opts: pulumi.CustomResourceOptions | undefined, keys: string[]): pulumi.CustomResourceOptions => ({
  ...opts,
  additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...keys],
});

export interface RailwayProjectArgs extends Common {
  name: pulumi.Input<string>;
  environment: pulumi.Input<string>;
  workspaceId: pulumi.Input<string | null>;
  stack: pulumi.Input<string>;
}

export class RailwayProject extends pulumi.dynamic.Resource {
  declare readonly projectId: pulumi.Output<string>;
  declare readonly environmentId: pulumi.Output<string>;
  declare readonly projectCreated: pulumi.Output<boolean>;
  declare readonly environmentCreated: pulumi.Output<boolean>;

  constructor(name: string, args: RailwayProjectArgs, opts?: pulumi.CustomResourceOptions) {
    const outs = { projectId: undefined, environmentId: undefined, projectCreated: undefined, environmentCreated: undefined };
    super(railwayProjectProvider, name, { ...outs, ...args }, withSecrets(opts, ['token']), MODULE, RAILWAY_TYPES.project);
  }
}

export interface RailwayServiceArgs extends Common {
  projectId: pulumi.Input<string>;
  environmentId: pulumi.Input<string>;
  projectCreated: pulumi.Input<boolean>;
  name: pulumi.Input<string>;
  imageRepository: pulumi.Input<string>;
  port: pulumi.Input<number>;
  settings: pulumi.Input<Settings>;
}

export class RailwayService extends pulumi.dynamic.Resource {
  /** `https://<generated>.up.railway.app` (the service domain). */
  declare readonly url: pulumi.Output<string>;
  declare readonly created: pulumi.Output<boolean>;
  declare readonly domainId: pulumi.Output<string>;

  constructor(name: string, args: RailwayServiceArgs, opts?: pulumi.CustomResourceOptions) {
    const outs = { url: undefined, created: undefined, domainId: undefined, domainCreated: undefined };
    super(railwayServiceProvider, name, { ...outs, ...args }, withSecrets(opts, ['token']), MODULE, RAILWAY_TYPES.service);
  }
}

export interface RailwayVariablesArgs extends Common {
  projectId: pulumi.Input<string>;
  environmentId: pulumi.Input<string>;
  serviceId: pulumi.Input<string>;
  plain: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Secret values (name → secret Output); on Railway they are service variables, kept secret here. */
  secret: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class RailwayVariables extends pulumi.dynamic.Resource {
  declare readonly plainKeys: pulumi.Output<string[]>;
  declare readonly secretKeys: pulumi.Output<string[]>;
  /** Salted digest of all values (secret): feeds RailwayDeploy so a change redeploys. */
  declare readonly digest: pulumi.Output<string>;

  constructor(name: string, args: RailwayVariablesArgs, opts?: pulumi.CustomResourceOptions) {
    const outs = { plainKeys: undefined, secretKeys: undefined, salt: undefined, digest: undefined };
    super(railwayVariablesProvider, name, { ...outs, ...args, secret: pulumi.secret(args.secret) }, withSecrets(opts, ['token', 'digest']), MODULE, RAILWAY_TYPES.variables);
  }
}

export interface RailwayDeployArgs extends Common {
  projectId: pulumi.Input<string>;
  environmentId: pulumi.Input<string>;
  serviceId: pulumi.Input<string>;
  image: pulumi.Input<string>;
  /** Pull credentials (the password a secret Output), or null for a public image. */
  registry: pulumi.Input<{ username: pulumi.Input<string>; password: pulumi.Input<string> } | null>;
  envDigest: pulumi.Input<string | null>;
  timing: pulumi.Input<{ timeoutSeconds: number; pollIntervalMs?: number }>;
}

export class RailwayDeploy extends pulumi.dynamic.Resource {
  declare readonly deploymentId: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;

  constructor(name: string, args: RailwayDeployArgs, opts?: pulumi.CustomResourceOptions) {
    const registry = args.registry === null ? null : pulumi.secret(args.registry);
    super(railwayDeployProvider, name, { deploymentId: undefined, status: undefined, ...args, registry }, withSecrets(opts, ['token', 'registry', 'envDigest']), MODULE, RAILWAY_TYPES.deploy);
  }
}
