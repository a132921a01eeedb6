/**
 * The `render` target: an image-backed Render web service, through our dynamic providers.
 *
 *   RenderService (POST /services, runtime image, /health check)
 *     └─ RenderEnvVars (PUT /services/{id}/env-vars: plain env + secrets, the full set)
 *          └─ RenderDeploy (POST /services/{id}/deploys {imageUrl}; waits until live)
 *
 * The image goes to a registry of your choice (`catalyst:renderImageRepository`), with optional
 * push credentials (`catalyst:renderRegistryUsername` + secret `catalyst:renderRegistryPassword`).
 */
import * as pulumi from '@pulumi/pulumi';
import { credential } from '../../credentials.ts';
import { checkPortAndEnv, registryOf } from '../platform.ts';
import type { ImageDestination, Target, TargetContext, TargetOutputs } from '../types.ts';
import { defaultRenderServiceName, renderConfigSchema, type RenderConfig } from './config.ts';
import { RenderDeploy, RenderEnvVars, RenderService } from './providers.ts';

export const RENDER_API_KEY = 'renderApiKey';

type Ctx = Omit<TargetContext<RenderConfig>, 'image'>;

/** The API key: the stack's secret config `catalyst:renderApiKey`, else RENDER_API_KEY (src/contracts/credentials.ts), as a secret Output. */
export function renderApiKey(): pulumi.Output<string> {
  return credential(RENDER_API_KEY);
}

interface RenderPlan {
  serviceName: string;
  api: { baseUrl: string };
  apiKey: pulumi.Output<string>;
  plainEnv: Record<string, pulumi.Input<string>>;
}

/** Checks the context and computes names; throws (quoting the arg names) before any resource exists. */
export function normalizeRender(ctx: Ctx): RenderPlan {
  checkPortAndEnv('render', ctx, { portInEnv: true });
  return {
    serviceName: ctx.config.renderServiceName ?? defaultRenderServiceName(ctx.project.name, ctx.env),
    api: { baseUrl: ctx.config.renderApiBaseUrl },
    apiKey: renderApiKey(),
    // Render routes to the port in PORT (default 10000): tell it ours.
    plainEnv: { ...ctx.plainEnv, PORT: String(ctx.port) },
  };
}

export const renderTarget: Target<RenderConfig> = {
  name: 'render',
  configSchema: renderConfigSchema,
  secretKeys: [RENDER_API_KEY],
  usesImage: true,

  imageDestination(ctx: Ctx): ImageDestination {
    const { renderImageRepository: repository, renderRegistryUsername: username, renderRegistryPassword: password } = ctx.config;
    const registry = registryOf(repository, username, password);
    return registry ? { repository, registry } : { repository };
  },

  deploy(ctx: TargetContext<RenderConfig>): TargetOutputs {
    if (!ctx.image) throw new Error('render target: "image" is required (the render target runs a container image)');
    const plan = normalizeRender(ctx);
    const cfg = ctx.config;
    const common = { api: plan.api, apiKey: plan.apiKey };
    const service = new RenderService(
      `${ctx.name}-render-service`,
      {
        ...common,
        name: plan.serviceName,
        ownerId: cfg.renderOwnerId,
        region: cfg.renderRegion,
        plan: cfg.renderPlan,
        numInstances: cfg.renderNumInstances,
        imagePath: ctx.image.pinnedRef,
        registryCredentialId: cfg.renderRegistryCredentialId ?? null,
        healthCheckPath: '/health',
        dockerCommand: cfg.renderDockerCommand ?? null,
        env: plan.plainEnv,
      },
      { parent: ctx.parent },
    );
    const envVars = new RenderEnvVars(
      `${ctx.name}-render-env`,
      { ...common, serviceId: service.id, plain: plan.plainEnv, secret: ctx.secretEnv },
      { parent: ctx.parent, dependsOn: [service] },
    );
    const deploy = new RenderDeploy(
      `${ctx.name}-render-deploy`,
      { ...common, serviceId: service.id, imageUrl: ctx.image.pinnedRef, envDigest: envVars.digest, timing: { timeoutSeconds: cfg.renderDeployTimeoutSeconds } },
      { parent: ctx.parent, dependsOn: [envVars] },
    );
    const consoleUrl = pulumi.interpolate`https://dashboard.render.com/web/${service.id}`;
    return {
      url: service.url,
      region: cfg.renderRegion,
      consoleUrl,
      logsUrl: pulumi.interpolate`${consoleUrl}/logs`,
      resources: [service, envVars, deploy],
    };
  },
};

/** The registry's conventional name for a target folder's export. */
export const target = renderTarget;
