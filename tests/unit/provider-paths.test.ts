/**
 * Provider paths the other provider tests did not pin (issue 13, "Provider paths no test pins
 * today"): each situation produced by the Fly or Render contract fake (every exchange validated
 * against ../shared/schemas), each behaviour asserted so that changing it fails a test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flyAppProvider, flyIpProvider, flyMachinesProvider } from '../../src/infra/targets/fly/providers.ts';
import { renderServiceProvider } from '../../src/infra/targets/render/providers.ts';
import { repositoryOf } from '../../src/infra/targets/render/impl.ts';
import type { ContractFake } from '../helpers/contract-fake.ts';
import { newFlyState, startFlyFake, type FlyFakeState } from '../helpers/contract-fake-fly.ts';
import { newRenderState, startRenderFake, type RenderFakeState } from '../helpers/contract-fake-render.ts';

const FLY_TOKEN = 'fo1_paths-token-77aa';
const RENDER_KEY = 'rnd_paths-key-41bc';
let fly: ContractFake<FlyFakeState> | undefined;
let render: ContractFake<RenderFakeState> | undefined;

afterEach(async () => {
  for (const f of [fly, render]) {
    if (!f) continue;
    expect(f.violations).toEqual([]);
    await f.close();
  }
  fly = render = undefined;
});

const flyApi = () => ({ baseUrl: fly!.url, timeoutMs: 1000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
const timing = { startTimeoutSeconds: 3, healthTimeoutSeconds: 1, pollIntervalMs: 10, waitPollSeconds: 1 };
const APP = 'billing-prod';

function machines(over: Record<string, unknown> = {}) {
  return {
    api: flyApi(),
    token: FLY_TOKEN,
    appName: APP,
    image: 'registry.fly.io/billing-prod@sha256:aaa',
    regions: ['fra'],
    count: 1,
    guest: { cpuKind: 'shared', cpus: 1, memoryMb: 256 },
    env: {},
    port: 8080,
    autostop: 'stop',
    minMachinesRunning: 0,
    healthCheckPath: '/health',
    secretsVersion: null,
    timing,
    ...over,
  };
}

describe('Fly', () => {
  it('a 409 on create means the name is taken: an app of the same org is adopted, another org’s is refused', async () => {
    const state = newFlyState();
    state.nameTakenStatus = 409;
    fly = await startFlyFake(FLY_TOKEN, state);
    const first = await flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'acme' });
    expect(first.outs.adopted).toBe(false);
    const again = await flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'acme' });
    expect(fly.calls('Apps_create').map((c) => c.status)).toEqual([201, 409]);
    expect(again.outs.adopted).toBe(true);
    await expect(flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'personal' })).rejects.toThrow(
      /Fly app name "billing-prod" is already taken by an app in org "acme".*catalyst:flyApp/,
    );
  });

  it('an update keeps `adopted` as the create found it', async () => {
    fly = await startFlyFake(FLY_TOKEN);
    await flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'acme' });
    const adopted = await flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'acme' });
    expect(adopted.outs.adopted).toBe(true);
    const updated = await flyAppProvider.update!(APP, adopted.outs, { api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'acme' });
    expect(updated.outs.adopted).toBe(true);
    const created = await flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: 'other-app', org: 'acme' });
    expect((await flyAppProvider.update!('other-app', created.outs, { api: flyApi(), token: FLY_TOKEN, appName: 'other-app', org: 'acme' })).outs.adopted).toBe(false);
  });

  it('a private fd… address listed on the app is never taken for the public IPv6: one is allocated', async () => {
    const state = newFlyState();
    state.privateV6 = true;
    fly = await startFlyFake(FLY_TOKEN, state);
    await flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'acme' });
    const priv = fly.state.apps.get(APP)!.ips[0].ip;
    expect(priv).toMatch(/^fd/);
    const v6 = await flyIpProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, type: 'v6' });
    expect(v6.id).not.toBe(priv);
    expect(v6.id).toMatch(/^2a09:/);
    expect(fly.calls('App_IPAssignments_create').map((c) => JSON.parse(c.body))).toEqual([{ type: 'v6' }]);
  });

  it('a region change with several machines moves only the machines whose region changed', async () => {
    fly = await startFlyFake(FLY_TOKEN);
    await flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'acme' });
    const first = await flyMachinesProvider.create(machines({ count: 3, regions: ['fra', 'ams'] }));
    expect(first.outs.machines.map((m: { name: string; region: string }) => `${m.name}@${m.region}`)).toEqual(['catalyst-0@fra', 'catalyst-1@ams', 'catalyst-2@fra']);
    const kept = first.outs.machines.filter((m: { name: string }) => m.name !== 'catalyst-1').map((m: { id: string }) => m.id);
    fly.state.events.length = 0;
    const moved = await flyMachinesProvider.update!(first.id, first.outs, machines({ count: 3, regions: ['fra', 'cdg'] }));
    expect(fly.state.events).toEqual(['stop catalyst-1', 'destroy catalyst-1', 'create catalyst-1 registry.fly.io/billing-prod@sha256:aaa', 'started catalyst-1']);
    expect(moved.outs.machines.map((m: { name: string; region: string }) => `${m.name}@${m.region}`)).toEqual(['catalyst-0@fra', 'catalyst-1@cdg', 'catalyst-2@fra']);
    expect(moved.outs.machines.filter((m: { name: string }) => m.name !== 'catalyst-1').map((m: { id: string }) => m.id)).toEqual(kept);
  });

  it('read reports the live machines and their count, so a machine removed outside Pulumi shows as drift', async () => {
    fly = await startFlyFake(FLY_TOKEN);
    await flyAppProvider.create({ api: flyApi(), token: FLY_TOKEN, appName: APP, org: 'acme' });
    const first = await flyMachinesProvider.create(machines({ count: 2 }));
    const app = fly.state.apps.get(APP)!;
    const gone = [...app.machines.values()].find((m) => m.name === 'catalyst-1')!;
    app.machines.delete(gone.id); // destroyed in the Fly dashboard
    const read = await flyMachinesProvider.read!(first.id, first.outs);
    expect(read.props.count).toBe(1);
    expect(read.props.machines.map((m: { name: string }) => m.name)).toEqual(['catalyst-0']);
    // The next diff against the definition (count 2) sees the change.
    expect(await flyMachinesProvider.diff!(first.id, read.props, machines({ count: 2 }))).toMatchObject({ changes: true });
  });
});

describe('Render: image references with a registry port (a loopback registry gives exactly these)', () => {
  const REG = '127.0.0.1:5000';

  it('the repository of host:port/name[:tag][@digest] keeps the port', () => {
    expect(repositoryOf(`${REG}/billing@sha256:${'a'.repeat(64)}`)).toBe(`${REG}/billing`);
    expect(repositoryOf(`${REG}/acme/billing:v2`)).toBe(`${REG}/acme/billing`);
    expect(repositoryOf(`${REG}/acme/billing:v2@sha256:${'b'.repeat(64)}`)).toBe(`${REG}/acme/billing`);
    expect(repositoryOf('registry.example:443/billing')).toBe('registry.example:443/billing');
    expect(repositoryOf('ghcr.io/acme/billing:v1')).toBe('ghcr.io/acme/billing');
  });

  it('a new digest of the same port-qualified repository is no service change; another repository is, and is patched', async () => {
    render = await startRenderFake(RENDER_KEY, newRenderState());
    const inputs = (imagePath: string) => ({
      api: { baseUrl: render!.url, timeoutMs: 1000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      apiKey: RENDER_KEY,
      name: 'billing-staging',
      ownerId: 'tea-abc123',
      region: 'frankfurt',
      plan: 'starter',
      numInstances: 1,
      imagePath,
      registryCredentialId: null,
      healthCheckPath: '/health',
      dockerCommand: null,
      env: { PORT: '8080' },
    });
    const { id, outs } = await renderServiceProvider.create(inputs(`${REG}/billing@sha256:${'a'.repeat(64)}`));
    expect(await renderServiceProvider.diff!(id, outs, inputs(`${REG}/billing@sha256:${'c'.repeat(64)}`))).toMatchObject({ changes: false });
    expect(await renderServiceProvider.diff!(id, outs, inputs(`${REG}/billing-v2@sha256:${'c'.repeat(64)}`))).toMatchObject({ changes: true, replaces: [] });
    expect(await renderServiceProvider.diff!(id, outs, inputs(`127.0.0.1:5001/billing@sha256:${'c'.repeat(64)}`))).toMatchObject({ changes: true });
    await renderServiceProvider.update!(id, outs, inputs(`${REG}/billing-v2@sha256:${'c'.repeat(64)}`));
    expect(JSON.parse(render.calls('update-service')[0].body).image).toEqual({ ownerId: 'tea-abc123', imagePath: `${REG}/billing-v2@sha256:${'c'.repeat(64)}` });
  });
});
