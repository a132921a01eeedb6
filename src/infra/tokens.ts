/**
 * Type tokens of Catalyst's ComponentResources and dynamic resources, in one place.
 *
 * A token is part of every child resource's URN: renaming one re-creates the resources under it.
 * Never rename a token without adding an alias (`aliases: [{ type: OLD }]`) in the same change.
 */
export const TOKENS = Object.freeze({
  /** One Catalyst project deployed to one environment (src/infra/project.ts). */
  project: 'catalyst:index:Project',
  /** Cloud Run service with its service account, registry, secrets and IAM (targets/cloudrun). */
  cloudRunService: 'catalyst:gcp:CloudRunService',
  /** Uptime check + alert policy in Cloud Monitoring (src/infra/uptime.ts). */
  uptimeCheck: 'catalyst:gcp:UptimeCheck',
  /** Container on a Docker engine (targets/docker). */
  dockerService: 'catalyst:docker:DockerService',
  /** App process on this machine (targets/local). */
  localService: 'catalyst:local:LocalService',
  /** Fly.io app (targets/fly). */
  flyService: 'catalyst:fly:FlyService',
  /** Render web service (targets/render). */
  renderService: 'catalyst:render:RenderService',
});

/**
 * Dynamic resources are typed `pulumi-nodejs:dynamic/<module>:<type>` (the `module` and `type`
 * arguments of `pulumi.dynamic.Resource`).
 */
export const DYNAMIC = Object.freeze({
  module: 'catalyst',
  /** The running uvicorn process of the `local` target. */
  localApp: 'LocalApp',
  /** The app image built and pushed by the docker CLI (`catalyst:imageBuilder: docker-cli`). */
  dockerCliImage: 'DockerCliImage',
});

/** The full type token of a Catalyst dynamic resource, as it appears in URNs and mocks. */
export function dynamicToken(type: string): string {
  return `pulumi-nodejs:dynamic/${DYNAMIC.module}:${type}`;
}
