/**
 * The railway target's resource graph under Pulumi mocks: exact resources and inputs, secrets
 * marked secret, serialized providers free of secret values, the outputs contract; its config
 * schema with every problem at once.
 */
import * as pulumi from '@pulumi/pulumi';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProjectModel } from '../../src/definitions/model.ts';
import type { TargetContext } from '../../src/infra/targets/types.ts';
import type { RailwayConfig } from '../../src/infra/targets/railway/config.ts';

const TOKEN = 'rw-mock-token-88';
const REGISTRY_PASSWORD = 'ghp_mock-railway-registry';
const PLANTED = 'PLANTED-railway-mock-s3cr3t';

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

pulumi.runtime.setAllConfig({ 'catalyst:railwayToken': TOKEN }, ['catalyst:railwayToken']);
pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const plain = Object.fromEntries(Object.entries(args.inputs).map(([k, v]) => [k, pulumi.runtime.isRpcSecret(v) ? (v as { value: unknown }).value : v]));
      const extra: Record<string, unknown> = {};
      if (args.type.endsWith(':RailwayProject')) Object.assign(extra, { projectId: 'prj-1', environmentId: 'env-1', projectCreated: true, environmentCreated: true });
      if (args.type.endsWith(':RailwayService')) extra.url = 'https://support-bot-production.up.railway.app';
      if (args.type.endsWith(':RailwayVariables')) extra.digest = 'digest-1';
      const id = args.type.endsWith(':RailwayService') ? 'svc-1' : args.type.endsWith(':RailwayProject') ? 'prj-1' : `${args.name}-id`;
      return { id, state: { ...plain, ...extra } };
    },
    call: (args) => args.inputs,
  },
  'catalyst',
  'support-bot.prod',
  false,
);

let railway: typeof import('../../src/infra/targets/railway/index.ts');
let cfgMod: typeof import('../../src/infra/targets/railway/config.ts');
beforeAll(async () => {
  railway = await import('../../src/infra/targets/railway/index.ts');
  cfgMod = await import('../../src/infra/targets/railway/config.ts');
});

const value = <T>(o: pulumi.Input<T> | undefined): Promise<T> => new Promise((resolve) => pulumi.output(o as pulumi.Input<T>).apply((v) => resolve(v as T)));
const isSecret = (v: unknown): boolean => pulumi.runtime.isRpcSecret(v);
const unwrap = (v: unknown): unknown => (isSecret(v) ? (v as { value: unknown }).value : v);

function project(): ProjectModel {
  return {
    name: 'support-bot',
    description: '',
    dir: '/tmp/support-bot',
    file: 'projects/support-bot/project.yaml',
    secrets: [{ name: 'OPENAI_API_KEY', description: '' }],
    env: {},
    defaults: { visibility: 'internal', timeoutMs: 30000 },
    server: { fastExtras: true },
    workflows: [],
  };
}

class Parent extends pulumi.ComponentResource {
  constructor(name: string) {
    super('catalyst:test:Parent', name);
  }
}

const baseConfig = { railwayImageRepository: 'ghcr.io/acme/support-bot' };

function context(config: RailwayConfig, over: Partial<TargetContext<RailwayConfig>> = {}): TargetContext<RailwayConfig> {
  return {
    name: 'support-bot',
    parent: new Parent(`p-${Math.random()}`),
    stack: 'support-bot.prod',
    env: 'prod',
    project: project(),
    config,
    appDir: '/tmp/app',
    contentHash: 'abc123',
    version: { commit: 'deadbeef', branch: 'main', dirty: false },
    image: {
      ref: pulumi.output('ghcr.io/acme/support-bot:abc123'),
      pinnedRef: pulumi.output('ghcr.io/acme/support-bot@sha256:0123'),
      digest: pulumi.output('sha256:0123'),
    },
    plainEnv: { CATALYST_ENV: 'prod' },
    secretEnv: { OPENAI_API_KEY: pulumi.secret(PLANTED) },
    port: 8080,
    ...over,
  };
}

describe('railwayTarget under mocks', () => {
  it('registers project → service → variables → deploy with exact inputs and secret token/values/credentials', async () => {
    registered.length = 0;
    const config = cfgMod.railwayConfigSchema.parse({
      ...baseConfig,
      railwayRegion: 'europe-west4-drams3a',
      railwayReplicas: '2',
      railwayWorkspaceId: 'a1b2c3d4-0000-4000-8000-000000000001',
      railwayRegistryUsername: 'acme-bot',
      railwayRegistryPassword: pulumi.secret(REGISTRY_PASSWORD),
    });
    const out = railway.railwayTarget.deploy(context(config));
    await Promise.all(out.resources.map((r) => value(r.urn)));
    const dyn = registered.filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/'));
    expect(dyn.map((r) => `${r.type} ${r.name}`)).toEqual([
      'pulumi-nodejs:dynamic/catalyst:RailwayProject support-bot-railway-project',
      'pulumi-nodejs:dynamic/catalyst:RailwayService support-bot-railway-service',
      'pulumi-nodejs:dynamic/catalyst:RailwayVariables support-bot-railway-variables',
      'pulumi-nodejs:dynamic/catalyst:RailwayDeploy support-bot-railway-deploy',
    ]);
    for (const r of dyn) {
      expect(isSecret(r.inputs.token), `${r.name}.token is secret`).toBe(true);
      expect(unwrap(r.inputs.token)).toBe(TOKEN);
      expect(String(r.inputs.__provider)).not.toContain(TOKEN);
      expect(String(r.inputs.__provider)).not.toContain(PLANTED);
      expect(String(r.inputs.__provider)).toMatch(/src\/infra\/targets\/railway\/impl(-deploy)?\.ts/);
    }
    const strip = (r: Registered) => Object.fromEntries(Object.entries(r.inputs).filter(([k]) => k !== 'token' && k !== '__provider'));
    const [proj, service, vars, deploy] = dyn;
    const api = { baseUrl: 'https://backboard.railway.com/graphql/v2' };
    expect(strip(proj)).toEqual({ api, name: 'support-bot-prod', environment: 'prod', workspaceId: 'a1b2c3d4-0000-4000-8000-000000000001', stack: 'support-bot.prod' });
    expect(strip(service)).toEqual({
      api,
      projectId: 'prj-1',
      environmentId: 'env-1',
      projectCreated: true,
      name: 'support-bot',
      imageRepository: 'ghcr.io/acme/support-bot',
      port: 8080,
      settings: { healthcheckPath: '/health', healthcheckTimeout: 60, numReplicas: 2, region: 'europe-west4-drams3a', restartPolicyType: 'ON_FAILURE', restartPolicyMaxRetries: 3 },
    });
    expect(vars.inputs).toMatchObject({ projectId: 'prj-1', environmentId: 'env-1', serviceId: 'svc-1', plain: { CATALYST_ENV: 'prod', PORT: '8080' } });
    expect(isSecret(vars.inputs.secret)).toBe(true);
    expect(unwrap(vars.inputs.secret)).toEqual({ OPENAI_API_KEY: PLANTED });
    expect(JSON.stringify([strip(proj), strip(service), vars.inputs.plain])).not.toContain(PLANTED);
    expect(deploy.inputs).toMatchObject({ serviceId: 'svc-1', image: 'ghcr.io/acme/support-bot@sha256:0123', timing: { timeoutSeconds: 900 } });
    expect(isSecret(deploy.inputs.registry)).toBe(true);
    expect(unwrap(deploy.inputs.registry)).toEqual({ username: 'acme-bot', password: REGISTRY_PASSWORD });
    expect(unwrap(deploy.inputs.envDigest)).toBe('digest-1');

    expect(await value(out.url)).toBe('https://support-bot-production.up.railway.app');
    expect(out.region).toBe('europe-west4-drams3a');
    expect(await value(out.consoleUrl as pulumi.Output<string>)).toBe('https://railway.com/project/prj-1/service/svc-1?environmentId=env-1');
    expect(await value(out.logsUrl as pulumi.Output<string>)).toBe('https://railway.com/project/prj-1/logs?environmentId=env-1');
  });

  it('without registry credentials the deploy carries registry null and the image goes to the repository as is', async () => {
    registered.length = 0;
    const config = cfgMod.railwayConfigSchema.parse({ ...baseConfig, railwayRestartPolicy: 'ALWAYS' });
    const out = railway.railwayTarget.deploy(context(config));
    await Promise.all(out.resources.map((r) => value(r.urn)));
    const deploy = registered.find((r) => r.type.endsWith(':RailwayDeploy'))!;
    expect(unwrap(deploy.inputs.registry)).toBeNull();
    const service = registered.find((r) => r.type.endsWith(':RailwayService'))!;
    expect(service.inputs.settings).toMatchObject({ restartPolicyType: 'ALWAYS', restartPolicyMaxRetries: 0, region: null, numReplicas: 1 });
    expect(railway.railwayTarget.imageDestination!(context(config))).toEqual({ repository: 'ghcr.io/acme/support-bot' });
    const withCreds = railway.railwayTarget.imageDestination!(context(cfgMod.railwayConfigSchema.parse({ ...baseConfig, railwayRegistryUsername: 'acme-bot', railwayRegistryPassword: pulumi.secret(REGISTRY_PASSWORD) })));
    expect(await value(withCreds.registry!.address)).toBe('ghcr.io');
    expect(await pulumi.isSecret(withCreds.registry!.password as pulumi.Output<string>)).toBe(true);
  });

  it('validates the context before creating anything', async () => {
    registered.length = 0;
    const config = cfgMod.railwayConfigSchema.parse({ ...baseConfig, railwayProject: 'custom', railwayEnvironment: 'production', railwayServiceName: 'api' });
    expect(() => railway.railwayTarget.deploy(context(config, { image: undefined }))).toThrow('railway target: "image" is required');
    expect(() => railway.railwayTarget.deploy(context(config, { port: 0 }))).toThrow('"port" must be an integer');
    expect(() => railway.railwayTarget.deploy(context(config, { plainEnv: { RAILWAY_TOKEN: 'x' } }))).toThrow('reserved by Railway');
    expect(() => railway.railwayTarget.deploy(context(config, { secretEnv: { PORT: pulumi.secret('1') } }))).toThrow('"PORT" is in both');
    expect(railway.normalizeRailway(context(config))).toMatchObject({ projectName: 'custom', environmentName: 'production', serviceName: 'api' });
    await new Promise((r) => setTimeout(r, 10));
    expect(registered.filter((r) => r.type.includes('dynamic'))).toEqual([]);
  });
});

describe('railwayConfigSchema', () => {
  it('is registered under the conventional export name and lists its secret key', () => {
    expect(railway.target).toBe(railway.railwayTarget);
    expect(railway.railwayTarget.secretKeys).toEqual(['railwayToken']);
  });

  it('applies defaults equal to the generated railway.json deploy section', () => {
    expect(cfgMod.railwayConfigSchema.parse(baseConfig)).toEqual({
      ...baseConfig,
      railwayReplicas: 1,
      railwayHealthcheckTimeoutSeconds: 60,
      railwayRestartPolicy: 'ON_FAILURE',
      railwayRestartMaxRetries: 3,
      railwayApiBaseUrl: 'https://backboard.railway.com/graphql/v2',
      railwayDeployTimeoutSeconds: 900,
    });
    const golden = JSON.parse(readFileSync(new URL('../golden/support-bot/railway.json', import.meta.url), 'utf8'));
    expect(golden.deploy).toMatchObject(cfgMod.RAILWAY_DEPLOY_DEFAULTS);
  });

  it('reports every problem at once', () => {
    const r = cfgMod.railwayConfigSchema.safeParse({
      railwayRegion: 'Mars',
      railwayReplicas: '0',
      railwayRestartPolicy: 'SOMETIMES',
      railwayImageRepository: 'ghcr.io/acme/app:latest',
      railwayRegistryUsername: 'bot',
      railwayProject: '-bad',
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    for (const key of ['railwayRegion', 'railwayReplicas', 'railwayRestartPolicy', 'railwayImageRepository', 'railwayProject']) {
      expect(issues.some((i) => i.startsWith(`${key}:`)), key).toBe(true);
    }
  });

  it.each([
    [{ ...baseConfig, railwayRegistryUsername: 'bot' }, 'railwayRegistryPassword: "railwayRegistryUsername" needs "railwayRegistryPassword"'],
    [{ ...baseConfig, railwayRegistryPassword: pulumi.secret('p') }, 'railwayRegistryUsername: "railwayRegistryPassword" is set but'],
    [{ ...baseConfig, railwayRegistryUsername: 'bot', railwayRegistryPassword: 'plain' }, 'must be set as a secret'],
    [{ ...baseConfig, railwayRestartPolicy: 'NEVER', railwayRestartMaxRetries: '5' }, 'applies only to "railwayRestartPolicy" ON_FAILURE'],
    [{ ...baseConfig, railwayWorkspaceId: 'x' }, 'railwayWorkspaceId'],
    [{}, 'railwayImageRepository'],
  ])('rejects %j', (input, message) => {
    const r = cfgMod.railwayConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toContain(message);
  });
});
