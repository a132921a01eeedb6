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
import { crud, dynamicResource, envVarsResource, forwardingProvider, type EnvVarsArgs } from '../../dynamic.ts';
import { moduleLoader } from '../../http/loader.ts';
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

type ProjectOutputs = { projectId: string; environmentId: string; projectCreated: boolean; environmentCreated: boolean };
export const RailwayProject = dynamicResource<RailwayProjectArgs, ProjectOutputs>(railwayProjectProvider, RAILWAY_TYPES.project, {
  outputs: ['projectId', 'environmentId', 'projectCreated', 'environmentCreated'],
  secret: ['token'],
});

export interface RailwayServiceArgs extends Common {
  projectId: pulumi.Input<string>;
  environmentId: pulumi.Input<string>;
  projectCreated: pulumi.Input<boolean>;
  name: pulumi.Input<string>;
  imageRepository: pulumi.Input<string>;
  port: pulumi.Input<number>;
  settings: pulumi.Input<Settings>;
}

/** `url`: `https://<generated>.up.railway.app` (the service domain). */
export const RailwayService = dynamicResource<RailwayServiceArgs, { url: string; created: boolean; domainId: string }>(railwayServiceProvider, RAILWAY_TYPES.service, {
  outputs: ['url', 'created', 'domainId', 'domainCreated'],
  secret: ['token'],
});

/** On Railway the env is service variables; `digest` feeds RailwayDeploy. */
export interface RailwayVariablesArgs extends Common, EnvVarsArgs {
  projectId: pulumi.Input<string>;
  environmentId: pulumi.Input<string>;
  serviceId: pulumi.Input<string>;
}

export const RailwayVariables = envVarsResource<RailwayVariablesArgs>(railwayVariablesProvider, RAILWAY_TYPES.variables, 'token');

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

export const RailwayDeploy = dynamicResource<RailwayDeployArgs, { deploymentId: string; status: string }>(railwayDeployProvider, RAILWAY_TYPES.deploy, {
  outputs: ['deploymentId', 'status'],
  secret: ['token', 'registry', 'envDigest'],
  prepare: (args) => ({ ...args, registry: args.registry === null ? null : pulumi.secret(args.registry) }),
});
