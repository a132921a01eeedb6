/**
 * The render target's resource graph under Pulumi mocks: exact inputs, secrets marked secret,
 * serialized providers free of secret values, the outputs contract.
 */
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProjectModel } from '../../src/definitions/model.ts';
import type { TargetContext } from '../../src/infra/targets/types.ts';
import type { RenderConfig } from '../../src/infra/targets/render/config.ts';

const KEY = 'rnd_mock-key-19';
const REGISTRY_PASSWORD = 'ghp_mock-registry-pass';
const PLANTED = 'PLANTED-render-mock-s3cr3t';

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

pulumi.runtime.setAllConfig({ 'catalyst:renderApiKey': KEY }, ['catalyst:renderApiKey']);
pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const plain = Object.fromEntries(Object.entries(args.inputs).map(([k, v]) => [k, pulumi.runtime.isRpcSecret(v) ? (v as { value: unknown }).value : v]));
      const extra: Record<string, unknown> = {};
      if (args.type.endsWith(':RenderService')) extra.url = 'https://support-bot-prod-x1.onrender.com';
      if (args.type.endsWith(':RenderEnvVars')) extra.digest = 'digest-1';
      return { id: args.type.endsWith(':RenderService') ? 'srv-123' : `${args.name}-id`, state: { ...plain, ...extra } };
    },
    call: (args) => args.inputs,
  },
  'catalyst',
  'support-bot.prod',
  false,
);

let render: typeof import('../../src/infra/targets/render/index.ts');
let cfgMod: typeof import('../../src/infra/targets/render/config.ts');
beforeAll(async () => {
  render = await import('../../src/infra/targets/render/index.ts');
  cfgMod = await import('../../src/infra/targets/render/config.ts');
});

const value = <T>(o: pulumi.Input<T> | undefined): Promise<T> =>
  new Promise((resolve) => pulumi.output(o as pulumi.Input<T>).apply((v) => resolve(v as T)));
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

const baseConfig = { renderOwnerId: 'tea-abc123', renderImageRepository: 'ghcr.io/acme/support-bot' };

function context(config: RenderConfig, over: Partial<TargetContext<RenderConfig>> = {}): TargetContext<RenderConfig> {
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

describe('renderTarget under mocks', () => {
  it('registers service → env vars → deploy with exact inputs and secret key/values', async () => {
    registered.length = 0;
    const config = cfgMod.renderConfigSchema.parse({ ...baseConfig, renderRegion: 'frankfurt', renderNumInstances: '2', renderRegistryCredentialId: 'rgc-1' });
    const ctx = context(config);
    const out = render.renderTarget.deploy(ctx);
    await Promise.all(out.resources.map((r) => value(r.urn)));
    const dyn = registered.filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/'));
    expect(dyn.map((r) => `${r.type} ${r.name}`)).toEqual([
      'pulumi-nodejs:dynamic/catalyst:RenderService support-bot-render-service',
      'pulumi-nodejs:dynamic/catalyst:RenderEnvVars support-bot-render-env',
      'pulumi-nodejs:dynamic/catalyst:RenderDeploy support-bot-render-deploy',
    ]);
    for (const r of dyn) {
      expect(isSecret(r.inputs.apiKey), `${r.name}.apiKey is secret`).toBe(true);
      expect(unwrap(r.inputs.apiKey)).toBe(KEY);
      expect(String(r.inputs.__provider)).not.toContain(KEY);
      expect(String(r.inputs.__provider)).toContain('src/infra/targets/render/impl.ts');
    }
    const [service, env, deploy] = dyn;
    const { apiKey: _k, __provider: _p, ...serviceRest } = service.inputs;
    expect(serviceRest).toEqual({
      api: { baseUrl: 'https://api.render.com/v1' },
      name: 'support-bot-prod',
      ownerId: 'tea-abc123',
      region: 'frankfurt',
      plan: 'starter',
      numInstances: 2,
      imagePath: 'ghcr.io/acme/support-bot@sha256:0123',
      registryCredentialId: 'rgc-1',
      healthCheckPath: '/health',
      dockerCommand: null,
      env: { CATALYST_ENV: 'prod', PORT: '8080' },
    });
    expect(JSON.stringify(serviceRest)).not.toContain(PLANTED);
    expect(env.inputs.serviceId).toBe('srv-123');
    expect(env.inputs.plain).toEqual({ CATALYST_ENV: 'prod', PORT: '8080' });
    expect(isSecret(env.inputs.secret)).toBe(true);
    expect(unwrap(env.inputs.secret)).toEqual({ OPENAI_API_KEY: PLANTED });
    expect(deploy.inputs).toMatchObject({ serviceId: 'srv-123', imageUrl: 'ghcr.io/acme/support-bot@sha256:0123', timing: { timeoutSeconds: 900 } });
    expect(unwrap(deploy.inputs.envDigest)).toBe('digest-1');

    expect(await value(out.url)).toBe('https://support-bot-prod-x1.onrender.com');
    expect(out.region).toBe('frankfurt');
    expect(await value(out.consoleUrl as pulumi.Output<string>)).toBe('https://dashboard.render.com/web/srv-123');
    expect(await value(out.logsUrl as pulumi.Output<string>)).toBe('https://dashboard.render.com/web/srv-123/logs');
  });

  it('imageDestination: the configured repository, credentials only when a user is configured', async () => {
    const plain = render.renderTarget.imageDestination!(context(cfgMod.renderConfigSchema.parse(baseConfig)));
    expect(plain).toEqual({ repository: 'ghcr.io/acme/support-bot' });
    const withCreds = render.renderTarget.imageDestination!(
      context(cfgMod.renderConfigSchema.parse({ ...baseConfig, renderRegistryUsername: 'acme-bot', renderRegistryPassword: pulumi.secret(REGISTRY_PASSWORD) })),
    );
    expect(withCreds.repository).toBe('ghcr.io/acme/support-bot');
    expect(await value(withCreds.registry!.address)).toBe('ghcr.io');
    expect(await value(withCreds.registry!.username)).toBe('acme-bot');
    expect(await pulumi.isSecret(withCreds.registry!.password as pulumi.Output<string>)).toBe(true);
    expect(await value(withCreds.registry!.password)).toBe(REGISTRY_PASSWORD);
  });

  it('validates the context before creating anything', async () => {
    registered.length = 0;
    const config = cfgMod.renderConfigSchema.parse({ ...baseConfig, renderServiceName: 'custom' });
    expect(() => render.renderTarget.deploy(context(config, { image: undefined }))).toThrow('render target: "image" is required');
    expect(() => render.renderTarget.deploy(context(config, { port: 70000 }))).toThrow('"port" must be an integer');
    expect(() => render.renderTarget.deploy(context(config, { plainEnv: { '1X': 'a' } }))).toThrow('"1X" is not valid');
    expect(() => render.renderTarget.deploy(context(config, { secretEnv: { PORT: pulumi.secret('1') } }))).toThrow('"PORT" is in both');
    expect(render.normalizeRender(context(config)).serviceName).toBe('custom');
    await new Promise((r) => setTimeout(r, 10));
    expect(registered.filter((r) => r.type.includes('dynamic'))).toEqual([]);
  });
});

describe('renderConfigSchema', () => {
  it('is registered under the conventional export name and lists its secret key', () => {
    expect(render.target).toBe(render.renderTarget);
    expect(render.renderTarget.secretKeys).toEqual(['renderApiKey']);
  });

  it('applies defaults', () => {
    expect(cfgMod.renderConfigSchema.parse(baseConfig)).toEqual({
      ...baseConfig,
      renderRegion: 'oregon',
      renderPlan: 'starter',
      renderNumInstances: 1,
      renderApiBaseUrl: 'https://api.render.com/v1',
      renderDeployTimeoutSeconds: 900,
    });
  });

  it.each([
    [{ ...baseConfig, renderOwnerId: 'acme' }, 'renderOwnerId'],
    [{ ...baseConfig, renderRegion: 'mars' }, 'renderRegion'],
    [{ ...baseConfig, renderPlan: 'free' }, 'renderPlan'],
    [{ ...baseConfig, renderNumInstances: '0' }, 'renderNumInstances'],
    [{ ...baseConfig, renderImageRepository: 'ghcr.io/acme/app:latest' }, 'without tag'],
    [{ renderOwnerId: 'tea-1' }, 'renderImageRepository'],
    [{ ...baseConfig, renderRegistryUsername: 'bot' }, 'renderRegistryPassword: "renderRegistryUsername" needs "renderRegistryPassword"'],
    [{ ...baseConfig, renderRegistryPassword: pulumi.secret('p') }, 'renderRegistryUsername: "renderRegistryPassword" is set but'],
    [{ ...baseConfig, renderRegistryUsername: 'bot', renderRegistryPassword: 'plain' }, 'must be set as a secret'],
  ])('rejects %j', (input, message) => {
    const r = cfgMod.renderConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toContain(message);
  });
});
