/**
 * The `fly` target: the app on Fly.io Machines, through our dynamic providers (./providers.ts).
 *
 *   FlyApp ─┬─ FlyIpAssignment (v6, and a shared or dedicated v4)
 *           ├─ FlyAppSecrets   (the project's secrets, POST /v1/apps/{app}/secrets)
 *           └─ FlyMachines     (count × image, rolled one at a time, /health service checks)
 *
 * The image goes to `registry.fly.io/<app>` (user `x`, password = the API token, a secret).
 */
import * as pulumi from '@pulumi/pulumi';
import { credential } from '../../credentials.ts';
import { checkPortAndEnv } from '../platform.ts';
import type { ImageDestination, Target, TargetContext, TargetOutputs } from '../types.ts';
import { defaultFlyAppName, FLY_REGISTRY_DEFAULT, flyConfigSchema, type FlyConfig } from './config.ts';
import { FlyApp, FlyAppSecrets, FlyIpAssignment, FlyMachines } from './providers.ts';

export const FLY_REGISTRY = FLY_REGISTRY_DEFAULT;
export const FLY_TOKEN_KEY = 'flyApiToken';

type Ctx = Omit<TargetContext<FlyConfig>, 'image'>;

interface FlyPlan {
  appName: string;
  api: { baseUrl: string };
  token: pulumi.Output<string>;
}

/** The API token: the stack's secret config `catalyst:flyApiToken`, else FLY_API_TOKEN (src/contracts/credentials.ts), as a secret Output. */
export function flyToken(): pulumi.Output<string> {
  return credential(FLY_TOKEN_KEY);
}

/** Checks the context and computes names; throws (quoting the arg names) before any resource exists. */
export function normalizeFly(ctx: Ctx): FlyPlan {
  checkPortAndEnv('fly', ctx, { portInEnv: false });
  const appName = ctx.config.flyApp ?? defaultFlyAppName(ctx.project.name, ctx.env);
  if (appName.length < 2) throw new Error(`fly target: cannot derive an app name from project "${ctx.project.name}" and env "${ctx.env}"; set catalyst:flyApp`);
  return { appName, api: { baseUrl: ctx.config.flyApiBaseUrl }, token: flyToken() };
}

// imageDestination() and deploy() share the FlyApp (the push needs the app to exist).
const apps = new WeakMap<pulumi.Resource, Map<string, FlyApp>>();

function appFor(ctx: Ctx, plan: FlyPlan): FlyApp {
  let byName = apps.get(ctx.parent);
  if (!byName) apps.set(ctx.parent, (byName = new Map()));
  let app = byName.get(ctx.name);
  if (!app) {
    app = new FlyApp(`${ctx.name}-fly-app`, { api: plan.api, token: plan.token, appName: plan.appName, org: ctx.config.flyOrg }, { parent: ctx.parent });
    byName.set(ctx.name, app);
  }
  return app;
}

function createIps(ctx: Ctx, plan: FlyPlan, app: FlyApp): FlyIpAssignment[] {
  const ips: FlyIpAssignment[] = [];
  const common = { api: plan.api, token: plan.token, appName: app.appName };
  const opts = { parent: ctx.parent, dependsOn: [app] };
  if (ctx.config.flyIpv6) ips.push(new FlyIpAssignment(`${ctx.name}-fly-ipv6`, { ...common, type: 'v6' }, opts));
  if (ctx.config.flyIpv4 !== 'none') {
    ips.push(new FlyIpAssignment(`${ctx.name}-fly-ipv4`, { ...common, type: ctx.config.flyIpv4 === 'shared' ? 'shared_v4' : 'v4' }, opts));
  }
  return ips;
}

function createSecrets(ctx: Ctx, plan: FlyPlan, app: FlyApp): FlyAppSecrets | undefined {
  if (Object.keys(ctx.secretEnv).length === 0) return undefined;
  return new FlyAppSecrets(
    `${ctx.name}-fly-secrets`,
    { api: plan.api, token: plan.token, appName: app.appName, values: ctx.secretEnv },
    { parent: ctx.parent, dependsOn: [app] },
  );
}

export const flyTarget: Target<FlyConfig> = {
  name: 'fly',
  configSchema: flyConfigSchema,
  secretKeys: [FLY_TOKEN_KEY],
  usesImage: true,

  imageDestination(ctx: Ctx): ImageDestination {
    const plan = normalizeFly(ctx);
    const app = appFor(ctx, plan);
    return {
      repository: `${ctx.config.flyRegistry}/${plan.appName}`,
      registry: { address: ctx.config.flyRegistry, username: 'x', password: plan.token },
      dependsOn: [app],
    };
  },

  deploy(ctx: TargetContext<FlyConfig>): TargetOutputs {
    if (!ctx.image) throw new Error('fly target: "image" is required (the fly target runs a container image)');
    const plan = normalizeFly(ctx);
    const cfg = ctx.config;
    const app = appFor(ctx, plan);
    const ips = createIps(ctx, plan, app);
    const secrets = createSecrets(ctx, plan, app);
    const machines = new FlyMachines(
      `${ctx.name}-fly-machines`,
      {
        api: plan.api,
        token: plan.token,
        appName: app.appName,
        image: ctx.image.pinnedRef,
        regions: cfg.flyRegions,
        count: cfg.flyMachineCount,
        guest: { cpuKind: cfg.flyCpuKind, cpus: cfg.flyCpus, memoryMb: cfg.flyMemoryMb },
        env: ctx.plainEnv,
        port: ctx.port,
        autostop: cfg.flyAutostop,
        minMachinesRunning: cfg.flyMinMachinesRunning,
        healthCheckPath: '/health',
        secretsVersion: secrets ? secrets.version : null,
        ...(ctx.schedules?.leaderEnv ? { leaderEnv: ctx.schedules.leaderEnv } : {}),
        timing: { startTimeoutSeconds: cfg.flyStartTimeoutSeconds, healthTimeoutSeconds: cfg.flyHealthTimeoutSeconds },
      },
      { parent: ctx.parent, dependsOn: [app, ...ips, ...(secrets ? [secrets] : [])] },
    );
    return {
      url: pulumi.interpolate`https://${app.appName}.fly.dev`,
      region: cfg.flyRegions[0],
      consoleUrl: `https://fly.io/apps/${plan.appName}`,
      logsUrl: `https://fly.io/apps/${plan.appName}/monitoring`,
      resources: [app, ...ips, ...(secrets ? [secrets] : []), machines],
    };
  },
};

/** The registry's conventional name for a target folder's export. */
export const target = flyTarget;
