/**
 * Every GraphQL operation the Railway target sends, and nothing else: the client (./graphql.ts)
 * only sends documents from this table, by name. A test parses each one and validates it with
 * graphql-js against Railway's published introspection schema
 * (../shared/schemas/railway-graphql-schema.json); the contract fake rejects anything else.
 *
 * The operation name is the key, so a request names its operation (`operationName`) and the fake
 * and the error messages can say which call it was.
 */
export const OPERATIONS = {
  // ---- projects and environments -------------------------------------------------------------
  RailwayProjects: `query RailwayProjects($workspaceId: String) {
  projects(workspaceId: $workspaceId, first: 500) {
    edges { node { id name description environments { edges { node { id name } } } } }
  }
}`,
  RailwayProjectCreate: `mutation RailwayProjectCreate($input: ProjectCreateInput!) {
  projectCreate(input: $input) {
    id name description environments { edges { node { id name } } }
  }
}`,
  RailwayProjectDelete: `mutation RailwayProjectDelete($id: String!) {
  projectDelete(id: $id)
}`,
  RailwayEnvironments: `query RailwayEnvironments($projectId: String!) {
  environments(projectId: $projectId, first: 500) { edges { node { id name } } }
}`,
  RailwayEnvironmentCreate: `mutation RailwayEnvironmentCreate($input: EnvironmentCreateInput!) {
  environmentCreate(input: $input) { id name }
}`,
  RailwayEnvironmentDelete: `mutation RailwayEnvironmentDelete($id: String!) {
  environmentDelete(id: $id)
}`,

  // ---- services --------------------------------------------------------------------------------
  RailwayProjectServices: `query RailwayProjectServices($id: String!) {
  project(id: $id) { id services(first: 500) { edges { node { id name } } } }
}`,
  RailwayServiceCreate: `mutation RailwayServiceCreate($input: ServiceCreateInput!) {
  serviceCreate(input: $input) { id name projectId }
}`,
  RailwayServiceInstance: `query RailwayServiceInstance($serviceId: String!, $environmentId: String!) {
  serviceInstance(serviceId: $serviceId, environmentId: $environmentId) {
    id serviceId environmentId healthcheckPath healthcheckTimeout numReplicas region
    restartPolicyType restartPolicyMaxRetries source { image }
  }
}`,
  RailwayServiceInstanceUpdate: `mutation RailwayServiceInstanceUpdate($serviceId: String!, $environmentId: String!, $input: ServiceInstanceUpdateInput!) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}`,
  RailwayServiceDelete: `mutation RailwayServiceDelete($id: String!) {
  serviceDelete(id: $id)
}`,

  // ---- domains -----------------------------------------------------------------------------------
  RailwayDomains: `query RailwayDomains($projectId: String!, $environmentId: String!, $serviceId: String!) {
  domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) {
    serviceDomains { id domain targetPort }
  }
}`,
  RailwayServiceDomainCreate: `mutation RailwayServiceDomainCreate($input: ServiceDomainCreateInput!) {
  serviceDomainCreate(input: $input) { id domain targetPort }
}`,
  RailwayServiceDomainDelete: `mutation RailwayServiceDomainDelete($id: String!) {
  serviceDomainDelete(id: $id)
}`,

  // ---- variables ---------------------------------------------------------------------------------
  RailwayVariableCollectionUpsert: `mutation RailwayVariableCollectionUpsert($input: VariableCollectionUpsertInput!) {
  variableCollectionUpsert(input: $input)
}`,
  RailwayVariableDelete: `mutation RailwayVariableDelete($input: VariableDeleteInput!) {
  variableDelete(input: $input)
}`,

  // ---- deployments -------------------------------------------------------------------------------
  RailwayServiceInstanceDeploy: `mutation RailwayServiceInstanceDeploy($serviceId: String!, $environmentId: String!) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId)
}`,
  RailwayDeployment: `query RailwayDeployment($id: String!) {
  deployment(id: $id) { id environmentId status createdAt }
}`,
  RailwayDeployments: `query RailwayDeployments($input: DeploymentListInput!) {
  deployments(input: $input, first: 20) { edges { node { id environmentId status createdAt } } }
}`,
  RailwayDeploymentLogs: `query RailwayDeploymentLogs($deploymentId: String!) {
  deploymentLogs(deploymentId: $deploymentId, limit: 200) { message severity timestamp }
}`,
} as const;

export type OperationName = keyof typeof OPERATIONS;
