/**
 * Railway dynamic providers and their resources (against the public GraphQL API v2).
 *
 * Pulumi serializes each provider object into the state and runs it in a separate process; the
 * methods (made by ../../dynamic.ts) capture only a loader (path strings, see ../../http/loader.ts)
 * and a function name, and load ./impl.ts or ./impl-deploy.ts when they run. No HTTP client, module
 * state or secret is captured.
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { forwardingProvider, withSecrets } from '../../dynamic.ts';
import { moduleLoader } from '../../http/loader.ts';
import { DYNAMIC } from '../../tokens.ts';
import type { RailwayApiSettings } from './graphql.ts';
import type { Settings } from './impl.ts';

type Impl = typeof import('./impl.ts');
type DeployImpl = typeof import('./impl-deploy.ts');
const load = moduleLoader<Impl>(fileURLToPath(new URL('./impl.ts', import.meta.url)), 'src/infra/targets/railway/impl.ts');
const loadDeploy = moduleLoader<DeployImpl>(fileURLToPath(new URL('./impl-deploy.ts', import.meta.url)), 'src/infra/targets/railway/impl-deploy.ts');

/** Type tokens (`pulumi-nodejs:dynamic/catalyst:<Type>`); never rename without an alias. */
export const RAILWAY_TYPES = { project: 'RailwayProject', service: 'RailwayService', variables: 'RailwayVariables', deploy: 'RailwayDeploy' } as const;

export const railwayProjectProvider = forwardingProvider(load, { create: 'projectCreate', diff: 'projectDiff', update: 'projectUpdate', delete: 'projectDelete' });

export const railwayServiceProvider = forwardingProvider(load, {
  create: 'serviceCreate',
  diff: 'serviceDiff',
  update: 'serviceUpdate',
  read: 'serviceRead',
  delete: 'serviceDelete',
});

export const railwayVariablesProvider = forwardingProvider(loadDeploy, { create: 'varsCreate', diff: 'varsDiff', update: 'varsUpdate', delete: 'varsDelete' });

export const railwayDeployProvider = forwardingProvider(loadDeploy, { create: 'deployCreate', diff: 'deployDiff', update: 'deployUpdate', delete: 'deployDelete' });

interface Common {
  api: pulumi.Input<RailwayApiSettings>;
  /** Railway account or workspace token: pass a secret Output. */
  token: pulumi.Input<string>;
}

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
    super(railwayProjectProvider, name, { ...outs, ...args }, withSecrets(opts, ['token']), DYNAMIC.module, RAILWAY_TYPES.project);
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
    super(railwayServiceProvider, name, { ...outs, ...args }, withSecrets(opts, ['token']), DYNAMIC.module, RAILWAY_TYPES.service);
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
    super(railwayVariablesProvider, name, { ...outs, ...args, secret: pulumi.secret(args.secret) }, withSecrets(opts, ['token', 'digest']), DYNAMIC.module, RAILWAY_TYPES.variables);
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
    super(railwayDeployProvider, name, { deploymentId: undefined, status: undefined, ...args, registry }, withSecrets(opts, ['token', 'registry', 'envDigest']), DYNAMIC.module, RAILWAY_TYPES.deploy);
  }
}
