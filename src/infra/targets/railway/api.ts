/**
 * Railway API calls, one function per operation of ./operations.ts (typed inputs and answers).
 * Loaded only inside dynamic provider methods (see ./providers.ts).
 */
import type { ApiConnection } from '../../http/client.ts';
import { gql } from './graphql.ts';

export interface Named {
  id: string;
  name: string;
}
export interface RailwayProject extends Named {
  description: string | null;
  environments: Named[];
}
export interface ServiceInstance {
  id: string;
  serviceId: string;
  environmentId: string;
  healthcheckPath: string | null;
  healthcheckTimeout: number | null;
  numReplicas: number | null;
  region: string | null;
  restartPolicyType: string;
  restartPolicyMaxRetries: number;
  source: { image: string | null } | null;
}
export interface ServiceDomain {
  id: string;
  domain: string;
  targetPort: number | null;
}
export interface Deployment {
  id: string;
  environmentId: string;
  status: string;
  createdAt: string;
}
export interface LogLine {
  message: string;
  severity: string | null;
  timestamp: string;
}

/** The settings Catalyst manages on a service instance (ServiceInstanceUpdateInput). */
export interface InstanceSettings {
  healthcheckPath?: string;
  healthcheckTimeout?: number;
  numReplicas?: number;
  region?: string;
  restartPolicyType?: 'ALWAYS' | 'NEVER' | 'ON_FAILURE';
  restartPolicyMaxRetries?: number;
  source?: { image: string };
  registryCredentials?: { username: string; password: string };
}

type Edges<T> = { edges: { node: T }[] };
const nodes = <T>(c: Edges<T>): T[] => c.edges.map((e) => e.node);

export async function listProjects(c: ApiConnection, workspaceId: string | null): Promise<RailwayProject[]> {
  type P = Omit<RailwayProject, 'environments'> & { environments: Edges<Named> };
  const d = await gql<{ projects: Edges<P> }>(c, 'RailwayProjects', workspaceId ? { workspaceId } : {});
  return nodes(d.projects).map((p) => ({ ...p, environments: nodes(p.environments) }));
}

export async function createProject(c: ApiConnection, input: { name: string; description: string; defaultEnvironmentName: string; workspaceId?: string }): Promise<RailwayProject> {
  type P = Omit<RailwayProject, 'environments'> & { environments: Edges<Named> };
  const d = await gql<{ projectCreate: P }>(c, 'RailwayProjectCreate', { input });
  return { ...d.projectCreate, environments: nodes(d.projectCreate.environments) };
}

export async function deleteProject(c: ApiConnection, id: string): Promise<void> {
  await gql(c, 'RailwayProjectDelete', { id });
}

export async function listEnvironments(c: ApiConnection, projectId: string): Promise<Named[]> {
  return nodes((await gql<{ environments: Edges<Named> }>(c, 'RailwayEnvironments', { projectId })).environments);
}

export async function createEnvironment(c: ApiConnection, projectId: string, name: string): Promise<Named> {
  return (await gql<{ environmentCreate: Named }>(c, 'RailwayEnvironmentCreate', { input: { projectId, name, skipInitialDeploys: true } })).environmentCreate;
}

export async function deleteEnvironment(c: ApiConnection, id: string): Promise<void> {
  await gql(c, 'RailwayEnvironmentDelete', { id });
}

export async function listServices(c: ApiConnection, projectId: string): Promise<Named[]> {
  return nodes((await gql<{ project: { services: Edges<Named> } }>(c, 'RailwayProjectServices', { id: projectId })).project.services);
}

/** An empty service (no source: nothing deploys until RailwayDeploy sets the image). */
export async function createService(c: ApiConnection, input: { projectId: string; environmentId: string; name: string }): Promise<Named> {
  return (await gql<{ serviceCreate: Named }>(c, 'RailwayServiceCreate', { input })).serviceCreate;
}

export async function getServiceInstance(c: ApiConnection, serviceId: string, environmentId: string): Promise<ServiceInstance> {
  return (await gql<{ serviceInstance: ServiceInstance }>(c, 'RailwayServiceInstance', { serviceId, environmentId })).serviceInstance;
}

export async function updateServiceInstance(c: ApiConnection, serviceId: string, environmentId: string, input: InstanceSettings): Promise<void> {
  await gql(c, 'RailwayServiceInstanceUpdate', { serviceId, environmentId, input }, input.registryCredentials ? [input.registryCredentials.password] : []);
}

export async function deleteService(c: ApiConnection, id: string): Promise<void> {
  await gql(c, 'RailwayServiceDelete', { id });
}

export async function listServiceDomains(c: ApiConnection, projectId: string, environmentId: string, serviceId: string): Promise<ServiceDomain[]> {
  return (await gql<{ domains: { serviceDomains: ServiceDomain[] } }>(c, 'RailwayDomains', { projectId, environmentId, serviceId })).domains.serviceDomains;
}

export async function createServiceDomain(c: ApiConnection, input: { serviceId: string; environmentId: string; targetPort: number }): Promise<ServiceDomain> {
  return (await gql<{ serviceDomainCreate: ServiceDomain }>(c, 'RailwayServiceDomainCreate', { input })).serviceDomainCreate;
}

export async function deleteServiceDomain(c: ApiConnection, id: string): Promise<void> {
  await gql(c, 'RailwayServiceDomainDelete', { id });
}

export interface VariableScope {
  projectId: string;
  environmentId: string;
  serviceId: string;
}

/**
 * Sets these variables (others untouched) without triggering a deploy (RailwayDeploy does).
 * `secretValues` are kept out of any error message.
 */
export async function upsertVariables(c: ApiConnection, scope: VariableScope, variables: Record<string, string>, secretValues: string[]): Promise<void> {
  await gql(c, 'RailwayVariableCollectionUpsert', { input: { ...scope, variables, replace: false, skipDeploys: true } }, secretValues);
}

export async function deleteVariable(c: ApiConnection, scope: VariableScope, name: string): Promise<void> {
  await gql(c, 'RailwayVariableDelete', { input: { ...scope, name } });
}

/** Deploys the instance's current settings (its image); the new deployment's id. */
export async function deployInstance(c: ApiConnection, serviceId: string, environmentId: string): Promise<string> {
  return (await gql<{ serviceInstanceDeployV2: string }>(c, 'RailwayServiceInstanceDeploy', { serviceId, environmentId })).serviceInstanceDeployV2;
}

export async function getDeployment(c: ApiConnection, id: string): Promise<Deployment> {
  return (await gql<{ deployment: Deployment }>(c, 'RailwayDeployment', { id })).deployment;
}

/** Deployments, newest first (Railway lists at most 20 here: enough to find a fresh one). */
export async function listDeployments(c: ApiConnection, scope: Partial<VariableScope>): Promise<Deployment[]> {
  return nodes((await gql<{ deployments: Edges<Deployment> }>(c, 'RailwayDeployments', { input: scope })).deployments);
}

export async function deploymentLogs(c: ApiConnection, deploymentId: string): Promise<LogLine[]> {
  return (await gql<{ deploymentLogs: LogLine[] }>(c, 'RailwayDeploymentLogs', { deploymentId })).deploymentLogs;
}
