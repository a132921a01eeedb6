/**
 * The `railway` target: an image-backed Railway service, through our dynamic providers over
 * Railway's public GraphQL API v2 (docs/railway.md).
 *
 *   RailwayProject (find or create the project and its environment)
 *     └─ RailwayService (empty service; /health check, restart policy, replicas, region; service domain → url)
 *          └─ RailwayVariables (plain env + secrets as service variables, without deploying)
 *               └─ RailwayDeploy (source image → serviceInstanceDeployV2; waits until SUCCESS)
 *
 * The image goes to a registry of your choice (`catalyst:railwayImageRepository`) with optional
 * credentials (`catalyst:railwayRegistryUsername` + secret `catalyst:railwayRegistryPassword`),
 * which Railway also pulls with.
 */
import * as pulumi from '@pulumi/pulumi';
import { credential } from '../../credentials.ts';
import { checkPortAndEnv, registryOf } from '../platform.ts';
import type { ImageDestination, Target, TargetContext, TargetOutputs } from '../types.ts';
import { defaultRailwayProjectName, railwayConfigSchema, RAILWAY_DEPLOY_DEFAULTS, type RailwayConfig } from './config.ts';
import { RailwayDeploy, RailwayProject, RailwayService, RailwayVariables } from './providers.ts';

export const RAILWAY_TOKEN = 'railwayToken';

type Ctx = Omit<TargetContext<RailwayConfig>, 'image'>;

/** The token: the stack's secret config `catalyst:railwayToken`, else RAILWAY_API_TOKEN (src/contracts/credentials.ts), as a secret Output. */
export function railwayToken(): pulumi.Output<string> {
  return credential(RAILWAY_TOKEN);
}

interface RailwayPlan {
  projectName: string;
  environmentName: string;
  serviceName: string;
  api: { baseUrl: string };
  token: pulumi.Output<string>;
  plainEnv: Record<string, pulumi.Input<string>>;
}

/** Checks the context and computes names; throws (quoting the arg names) before any resource exists. */
export function normalizeRailway(ctx: Ctx): RailwayPlan {
  checkPortAndEnv('railway', ctx, { portInEnv: true, reserved: { prefix: 'RAILWAY_', owner: 'Railway' } });
  return {
    projectName: ctx.config.railwayProject ?? defaultRailwayProjectName(ctx.project.name, ctx.env),
    environmentName: ctx.config.railwayEnvironment ?? ctx.env,
    serviceName: ctx.config.railwayServiceName ?? ctx.project.name,
    api: { baseUrl: ctx.config.railwayApiBaseUrl },
    token: railwayToken(),
    // Railway routes the service domain to the port in PORT: tell the app ours.
    plainEnv: { ...ctx.plainEnv, PORT: String(ctx.port) },
  };
}

const registryFor = (cfg: RailwayConfig) => registryOf(cfg.railwayImageRepository, cfg.railwayRegistryUsername, cfg.railwayRegistryPassword);

export const railwayTarget: Target<RailwayConfig> = {
  name: 'railway',
  configSchema: railwayConfigSchema,
  secretKeys: [RAILWAY_TOKEN],
  usesImage: true,

  imageDestination(ctx: Ctx): ImageDestination {
    const registry = registryFor(ctx.config);
    return registry ? { repository: ctx.config.railwayImageRepository, registry } : { repository: ctx.config.railwayImageRepository };
  },

  deploy(ctx: TargetContext<RailwayConfig>): TargetOutputs {
    if (!ctx.image) throw new Error('railway target: "image" is required (the railway target runs a container image)');
    const plan = normalizeRailway(ctx);
    const cfg = ctx.config;
    const common = { api: plan.api, token: plan.token };
    const project = new RailwayProject(
      `${ctx.name}-railway-project`,
      { ...common, name: plan.projectName, environment: plan.environmentName, workspaceId: cfg.railwayWorkspaceId ?? null, stack: ctx.stack },
      { parent: ctx.parent },
    );
    const scope = { projectId: project.projectId, environmentId: project.environmentId };
    const service = new RailwayService(
      `${ctx.name}-railway-service`,
      {
        ...common,
        ...scope,
        projectCreated: project.projectCreated,
        name: plan.serviceName,
        imageRepository: cfg.railwayImageRepository,
        port: ctx.port,
        settings: {
          healthcheckPath: RAILWAY_DEPLOY_DEFAULTS.healthcheckPath,
          healthcheckTimeout: cfg.railwayHealthcheckTimeoutSeconds,
          numReplicas: cfg.railwayReplicas,
          region: cfg.railwayRegion ?? null,
          restartPolicyType: cfg.railwayRestartPolicy,
          restartPolicyMaxRetries: cfg.railwayRestartPolicy === 'ON_FAILURE' ? cfg.railwayRestartMaxRetries : 0,
        },
      },
      { parent: ctx.parent, dependsOn: [project] },
    );
    const variables = new RailwayVariables(
      `${ctx.name}-railway-variables`,
      { ...common, ...scope, serviceId: service.id, plain: plan.plainEnv, secret: ctx.secretEnv },
      { parent: ctx.parent, dependsOn: [service] },
    );
    const registry = registryFor(cfg);
    const deploy = new RailwayDeploy(
      `${ctx.name}-railway-deploy`,
      {
        ...common,
        ...scope,
        serviceId: service.id,
        image: ctx.image.pinnedRef,
        registry: registry ? { username: registry.username, password: registry.password } : null,
        envDigest: variables.digest,
        timing: { timeoutSeconds: cfg.railwayDeployTimeoutSeconds },
      },
      { parent: ctx.parent, dependsOn: [variables] },
    );
    const consoleUrl = pulumi.interpolate`https://railway.com/project/${project.projectId}/service/${service.id}?environmentId=${project.environmentId}`;
    return {
      url: service.url,
      region: cfg.railwayRegion ?? null,
      consoleUrl,
      logsUrl: pulumi.interpolate`https://railway.com/project/${project.projectId}/logs?environmentId=${project.environmentId}`,
      resources: [project, service, variables, deploy],
    };
  },
};

/** The registry's conventional name for a target folder's export. */
export const target = railwayTarget;
