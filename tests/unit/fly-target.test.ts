/**
 * The fly target's resource graph under Pulumi mocks: exact inputs per resource, secrets marked
 * secret, the serialized providers free of secret values, the outputs contract.
 */
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProjectModel } from '../../src/definitions/model.ts';
import type { TargetContext } from '../../src/infra/targets/types.ts';
import type { FlyConfig } from '../../src/infra/targets/fly/config.ts';

const TOKEN = 'fo1_mock-token-77';
const PLANTED = 'PLANTED-mock-s3cr3t';

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

pulumi.runtime.setAllConfig({ 'catalyst:flyApiToken': TOKEN }, ['catalyst:flyApiToken']);
pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const plain = Object.fromEntries(
        Object.entries(args.inputs).map(([k, v]) => [k, pulumi.runtime.isRpcSecret(v) ? (v as { value: unknown }).value : v]),
      );
      const extra = args.type.endsWith(':FlyAppSecrets') ? { version: 3 } : {};
      return { id: `${args.name}-id`, state: { ...plain, ...extra } };
    },
    call: (args) => args.inputs,
  },
  'catalyst',
  'support-bot.prod',
  false,
);

let fly: typeof import('../../src/infra/targets/fly/index.ts');
let cfgMod: typeof import('../../src/infra/targets/fly/config.ts');
beforeAll(async () => {
  fly = await import('../../src/infra/targets/fly/index.ts');
  cfgMod = await import('../../src/infra/targets/fly/config.ts');
});

const value = <T>(o: pulumi.Input<T> | undefined): Promise<T> =>
  new Promise((resolve) => pulumi.output(o as pulumi.Input<T>).apply((v) => resolve(v as T)));
const isSecret = (v: unknown): boolean => pulumi.runtime.isRpcSecret(v);

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

function context(config: FlyConfig, over: Partial<TargetContext<FlyConfig>> = {}): TargetContext<FlyConfig> {
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
      ref: pulumi.output('registry.fly.io/support-bot-prod:abc123'),
      pinnedRef: pulumi.output('registry.fly.io/support-bot-prod@sha256:0123'),
      digest: pulumi.output('sha256:0123'),
    },
    plainEnv: { CATALYST_ENV: 'prod', CATALYST_PROJECT: 'support-bot' },
    secretEnv: { OPENAI_API_KEY: pulumi.secret(PLANTED) },
    port: 8080,
    ...over,
  };
}

async function settle(resources: pulumi.Resource[]): Promise<void> {
  await Promise.all(resources.map((r) => value(r.urn)));
}

describe('flyTarget.deploy under mocks', () => {
  it('registers app, IPs, secrets, machines with exact inputs and secret token/values', async () => {
    registered.length = 0;
    const config = cfgMod.flyConfigSchema.parse({ flyOrg: 'acme', flyRegions: 'fra,ams', flyMachineCount: '2', flyMemoryMb: '1024' });
    const ctx = context(config);
    const dest = fly.flyTarget.imageDestination!(ctx);
    expect(await value(dest.repository)).toBe('registry.fly.io/support-bot-prod');
    expect(await value(dest.registry!.address)).toBe('registry.fly.io');
    expect(await value(dest.registry!.username)).toBe('x');
    expect(await pulumi.isSecret(dest.registry!.password as pulumi.Output<string>)).toBe(true);

    const out = fly.flyTarget.deploy(ctx);
    await settle(out.resources);
    expect(dest.dependsOn).toEqual([out.resources[0]]); // the push waits for the app; one app only

    const byType = (t: string) => registered.filter((r) => r.type === `pulumi-nodejs:dynamic/catalyst:${t}`);
    expect(registered.map((r) => `${r.type.split(':').pop()} ${r.name}`)).toEqual([
      'Parent ' + registered[0].name.replace(/^.*? /, ''),
      'FlyApp support-bot-fly-app',
      'FlyIpAssignment support-bot-fly-ipv6',
      'FlyIpAssignment support-bot-fly-ipv4',
      'FlyAppSecrets support-bot-fly-secrets',
      'FlyMachines support-bot-fly-machines',
    ]);
    for (const r of registered.filter((x) => x.type.includes('dynamic'))) {
      expect(isSecret(r.inputs.token), `${r.name}.token is secret`).toBe(true);
      expect((r.inputs.token as { value: string }).value).toBe(TOKEN);
      expect(r.inputs.api).toEqual({ baseUrl: 'https://api.machines.dev' });
      expect(String(r.inputs.__provider)).not.toContain(TOKEN);
      expect(String(r.inputs.__provider)).not.toContain(PLANTED);
      expect(String(r.inputs.__provider)).toContain("src/infra/targets/fly/impl.ts");
    }
    const [app] = byType('FlyApp');
    expect(app.inputs).toMatchObject({ appName: 'support-bot-prod', org: 'acme' });
    expect(byType('FlyIpAssignment').map((r) => r.inputs.type)).toEqual(['v6', 'shared_v4']);
    const [secrets] = byType('FlyAppSecrets');
    expect(isSecret(secrets.inputs.values)).toBe(true);
    expect((secrets.inputs.values as { value: unknown }).value).toEqual({ OPENAI_API_KEY: PLANTED });
    const [machines] = byType('FlyMachines');
    const { token: _t, __provider: _p, ...rest } = machines.inputs;
    expect(rest).toEqual({
      api: { baseUrl: 'https://api.machines.dev' },
      appName: 'support-bot-prod',
      image: 'registry.fly.io/support-bot-prod@sha256:0123',
      regions: ['fra', 'ams'],
      count: 2,
      guest: { cpuKind: 'shared', cpus: 1, memoryMb: 1024 },
      env: { CATALYST_ENV: 'prod', CATALYST_PROJECT: 'support-bot' },
      port: 8080,
      autostop: 'stop',
      minMachinesRunning: 0,
      healthCheckPath: '/health',
      secretsVersion: 3,
      timing: { startTimeoutSeconds: 300, healthTimeoutSeconds: 300 },
    });
    expect(JSON.stringify(rest)).not.toContain(PLANTED);

    expect(await value(out.url)).toBe('https://support-bot-prod.fly.dev');
    expect(out.region).toBe('fra');
    expect(out.consoleUrl).toBe('https://fly.io/apps/support-bot-prod');
    expect(out.logsUrl).toBe('https://fly.io/apps/support-bot-prod/monitoring');
  });

  it('no secrets → no FlyAppSecrets and secretsVersion null; dedicated v4, no v6; explicit app name', async () => {
    registered.length = 0;
    const config = cfgMod.flyConfigSchema.parse({ flyApp: 'my-app', flyIpv4: 'dedicated', flyIpv6: 'false' });
    const out = fly.flyTarget.deploy(context(config, { secretEnv: {} }));
    await settle(out.resources);
    const types = registered.map((r) => r.type.split(':').pop());
    expect(types).not.toContain('FlyAppSecrets');
    expect(registered.filter((r) => r.type.endsWith('FlyIpAssignment')).map((r) => r.inputs.type)).toEqual(['v4']);
    expect(registered.find((r) => r.type.endsWith('FlyMachines'))!.inputs.secretsVersion).toBeNull();
    expect(await value(out.url)).toBe('https://my-app.fly.dev');
  });

  it('validates the context before creating anything', async () => {
    registered.length = 0;
    const config = cfgMod.flyConfigSchema.parse({});
    expect(() => fly.flyTarget.deploy(context(config, { image: undefined }))).toThrow('fly target: "image" is required');
    expect(() => fly.flyTarget.deploy(context(config, { port: 0 }))).toThrow('"port" must be an integer');
    expect(() => fly.flyTarget.deploy(context(config, { plainEnv: { 'BAD-NAME': 'x' } }))).toThrow('"BAD-NAME" is not valid');
    expect(() => fly.flyTarget.deploy(context(config, { plainEnv: { OPENAI_API_KEY: 'x' } }))).toThrow('"OPENAI_API_KEY" is in both');
    const weird = context(config);
    weird.project = { ...project(), name: '_' };
    weird.env = '_';
    expect(() => fly.flyTarget.deploy(weird)).toThrow('cannot derive an app name');
    await new Promise((r) => setTimeout(r, 10));
    expect(registered.filter((r) => r.type.includes('dynamic'))).toEqual([]);
  });
});

describe('flyConfigSchema', () => {
  it('is registered under the conventional export name and lists its secret key', () => {
    expect(fly.target).toBe(fly.flyTarget);
    expect(fly.flyTarget.secretKeys).toEqual(['flyApiToken']);
  });

  it('applies defaults', () => {
    expect(cfgMod.flyConfigSchema.parse({})).toEqual({
      flyOrg: 'personal',
      flyRegions: ['iad'],
      flyMachineCount: 1,
      flyCpuKind: 'shared',
      flyCpus: 1,
      flyMemoryMb: 512,
      flyIpv4: 'shared',
      flyIpv6: true,
      flyAutostop: 'stop',
      flyMinMachinesRunning: 0,
      flyApiBaseUrl: 'https://api.machines.dev',
      flyRegistry: 'registry.fly.io',
      flyStartTimeoutSeconds: 300,
      flyHealthTimeoutSeconds: 300,
    });
  });

  it('accepts structured values and strings alike', () => {
    const c = cfgMod.flyConfigSchema.parse({ flyRegions: ['fra'], flyMachineCount: 3, flyIpv6: false, flyIpv4: 'shared', flyAutostop: 'suspend' });
    expect(c).toMatchObject({ flyRegions: ['fra'], flyMachineCount: 3, flyIpv6: false, flyAutostop: 'suspend' });
  });

  it.each([
    [{ flyApp: 'Bad_Name' }, 'flyApp'],
    [{ flyRegions: 'frankfurt' }, 'flyRegions'],
    [{ flyRegions: ' , ' }, 'flyRegions: must list at least one'],
    [{ flyMachineCount: '0' }, 'flyMachineCount'],
    [{ flyMemoryMb: '300' }, '"flyMemoryMb" must be a multiple of 256'],
    [{ flyCpuKind: 'performance', flyMemoryMb: '1024' }, 'performance needs at least 2048 MB'],
    [{ flyMemoryMb: '4096' }, 'shared allows at most 2048 MB'],
    [{ flyIpv4: 'none', flyIpv6: 'false' }, 'without a public address'],
    [{ flyIpv6: 'yes' }, 'flyIpv6'],
    [{ flyAutostop: true }, 'flyAutostop'],
  ])('rejects %j', (input, message) => {
    const r = cfgMod.flyConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toContain(message);
  });

  it('derives a valid default app name', () => {
    expect(cfgMod.defaultFlyAppName('Support_Bot', 'prod')).toBe('support-bot-prod');
    expect(cfgMod.defaultFlyAppName('a'.repeat(70), 'x')).toHaveLength(63);
  });
});
