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
import { crud, EnvVarsResource, forwardingProvider, withSecrets, type EnvVarsArgs } from '../../dynamic.ts';
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

export const railwayProjectProvider = forwardingProvider(load, crud('project'));
export const railwayServiceProvider = forwardingProvider(load, crud('service', 'read'));
export const railwayVariablesProvider = forwardingProvider(loadDeploy, crud('vars'));
export const railwayDeployProvider = forwardingProvider(loadDeploy, crud('deploy'));

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

/** On Railway the env is service variables; `digest` feeds RailwayDeploy. */
export interface RailwayVariablesArgs extends Common, EnvVarsArgs {
  projectId: pulumi.Input<string>;
  environmentId: pulumi.Input<string>;
  serviceId: pulumi.Input<string>;
}

export class RailwayVariables extends EnvVarsResource {
  constructor(name: string, args: RailwayVariablesArgs, opts?: pulumi.CustomResourceOptions) {
    super(railwayVariablesProvider, RAILWAY_TYPES.variables, 'token', name, args, opts);
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
