/**
 * The Fly dynamic providers, called directly (no engine) against the Fly contract fake, which
 * validates every request and response against ../shared/schemas/fly-machines-openapi.json.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flyAppProvider, flyIpProvider, flyMachinesProvider, flySecretsProvider } from '../../src/infra/targets/fly/providers.ts';
import type { ContractFake } from '../helpers/contract-fake.ts';
import { newFlyState, startFlyFake, type FlyFakeState } from '../helpers/contract-fake-fly.ts';

const TOKEN = 'fo1_test-token-5f2a';
const PLANTED = 'PLANTED-s3cr3t-9d1c';
let fake: ContractFake<FlyFakeState>;

const api = () => ({ baseUrl: fake.url, timeoutMs: 1000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
const timing = { startTimeoutSeconds: 3, healthTimeoutSeconds: 1, pollIntervalMs: 10, waitPollSeconds: 1 };

beforeEach(async () => {
  fake = await startFlyFake(TOKEN, newFlyState());
});
afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
});

async function createApp(appName = 'support-bot-prod', org = 'acme') {
  return flyAppProvider.create({ api: api(), token: TOKEN, appName, org });
}

function machinesInputs(over: Record<string, unknown> = {}) {
  return {
    api: api(),
    token: TOKEN,
    appName: 'support-bot-prod',
    image: 'registry.fly.io/support-bot-prod@sha256:aaa',
    regions: ['fra'],
    count: 1,
    guest: { cpuKind: 'shared', cpus: 1, memoryMb: 512 },
    env: { CATALYST_ENV: 'prod' },
    port: 8080,
    autostop: 'stop',
    minMachinesRunning: 0,
    healthCheckPath: '/health',
    secretsVersion: null,
    timing,
    ...over,
  };
}

describe('FlyApp', () => {
  it('creates the app in the org and reads it back', async () => {
    const res = await createApp();
    expect(res.id).toBe('support-bot-prod');
    expect(res.outs).toMatchObject({ appName: 'support-bot-prod', org: 'acme', adopted: false });
    expect(res.outs.appId).toMatch(/^[0-9a-f]+$/);
    expect(JSON.parse(fake.calls('Apps_create')[0].body)).toEqual({ name: 'support-bot-prod', org_slug: 'acme' });
    expect(fake.state.apps.get('support-bot-prod')?.org).toBe('acme');
    const read = await flyAppProvider.read!(res.id, res.outs);
    expect(read).toMatchObject({ id: 'support-bot-prod', props: { org: 'acme', appId: res.outs.appId } });
  });

  it('adopts an app of the same name in the same org (name_taken)', async () => {
    await createApp();
    const again = await createApp();
    expect(again.outs.adopted).toBe(true);
    expect(fake.calls('Apps_create').map((c) => c.status)).toEqual([201, 422]);
  });

  it('refuses an app of the same name in another org, naming the config key to change', async () => {
    await createApp('taken-app', 'personal');
    await expect(createApp('taken-app', 'acme')).rejects.toThrow(/Fly app name "taken-app" is already taken by an app in org "personal".*catalyst:flyApp.*Fly Apps_create \(POST \/v1\/apps\) failed: HTTP 422: Name has already been taken/);
  });

  it('refuses a name taken by an app the token cannot see', async () => {
    fake.fault({ operationId: 'Apps_create', status: 422, body: { error: 'Name has already been taken', status: 'name_taken' } });
    await expect(createApp('someone-elses')).rejects.toThrow(/already taken by an app this token cannot see/);
  });

  it('surfaces a 422 validation message naming the API call', async () => {
    await expect(createApp('x-app', 'no-such-org')).rejects.toThrow('Fly Apps_create (POST /v1/apps) failed: HTTP 422: organization no-such-org not found');
    expect(fake.calls('Apps_create')).toHaveLength(1); // 4xx: no retry
  });

  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    fake.fault({ operationId: 'Apps_create', status: 503, body: { error: 'unavailable' } });
    fake.fault({ operationId: 'Apps_create', status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '0' } });
    const res = await createApp();
    expect(res.outs.adopted).toBe(false);
    expect(fake.calls('Apps_create').map((c) => c.status)).toEqual([503, 429, 201]);
  });

  it('a create whose response times out is retried and adopts what the first attempt made', async () => {
    fake.fault({ operationId: 'Apps_create', delayMs: 2500, applyFirst: true });
    const res = await createApp();
    expect(res.outs.adopted).toBe(true);
    expect(fake.state.apps.size).toBe(1);
  });

  it('gives up after the bounded number of attempts', async () => {
    fake.fault({ operationId: 'Apps_show', status: 500, body: { error: 'boom' }, times: 5 });
    await expect(flyAppProvider.read!('support-bot-prod', { api: api(), token: TOKEN })).rejects.toThrow(
      'Fly Apps_show (GET /v1/apps/support-bot-prod) failed after 3 attempts: HTTP 500: boom',
    );
  });

  it('rejects a wrong token with a clear 401 and no retry', async () => {
    await expect(flyAppProvider.create({ api: api(), token: 'wrong', appName: 'a-b', org: 'acme' })).rejects.toThrow(/HTTP 401: unauthorized/);
    expect(fake.log).toHaveLength(1);
  });

  it('diffs: org or name → replace; token → in-place; nothing → no change', async () => {
    const { outs } = await createApp();
    const news = { api: api(), token: TOKEN, appName: 'support-bot-prod', org: 'acme' };
    expect(await flyAppProvider.diff!('x', outs, news)).toMatchObject({ changes: false, replaces: [] });
    expect(await flyAppProvider.diff!('x', outs, { ...news, org: 'personal' })).toEqual({ changes: true, replaces: ['org'], deleteBeforeReplace: true });
    expect(await flyAppProvider.diff!('x', outs, { ...news, appName: 'other' })).toEqual({ changes: true, replaces: ['appName'], deleteBeforeReplace: false });
    expect(await flyAppProvider.diff!('x', outs, { ...news, token: 'rotated' })).toMatchObject({ changes: true, replaces: [] });
    const upd = await flyAppProvider.update!('x', outs, news);
    expect(upd.outs).toMatchObject({ appId: outs.appId, adopted: false });
  });

  it('deletes the app; deleting a missing app is fine; reading a missing app reports it gone', async () => {
    const { id, outs } = await createApp();
    await flyAppProvider.delete!(id, outs);
    expect(fake.state.apps.size).toBe(0);
    await flyAppProvider.delete!(id, outs);
    expect(await flyAppProvider.read!(id, outs)).toEqual({});
  });
});

describe('FlyIpAssignment', () => {
  it('allocates a shared v4 and a dedicated v6, adopts existing ones, releases them', async () => {
    await createApp();
    const common = { api: api(), token: TOKEN, appName: 'support-bot-prod' };
    const v4 = await flyIpProvider.create({ ...common, type: 'shared_v4' });
    const v6 = await flyIpProvider.create({ ...common, type: 'v6' });
    expect(v4.outs).toMatchObject({ shared: true, type: 'shared_v4' });
    expect(v6.id).toContain(':');
    expect(fake.calls('App_IPAssignments_create').map((c) => JSON.parse(c.body))).toEqual([{ type: 'shared_v4' }, { type: 'v6' }]);
    // a retried create finds the address already there
    const again = await flyIpProvider.create({ ...common, type: 'v6' });
    expect(again.id).toBe(v6.id);
    expect(fake.calls('App_IPAssignments_create')).toHaveLength(2);
    const dedicated = await flyIpProvider.create({ ...common, type: 'v4' });
    expect(dedicated.outs.shared).toBe(false);

    expect(await flyIpProvider.diff!(v4.id, v4.outs, { ...common, type: 'v4' })).toMatchObject({ changes: true, replaces: ['type'] });
    expect((await flyIpProvider.update!(v4.id, v4.outs, { ...common, token: TOKEN })).outs.ip).toBe(v4.id);
    for (const r of [v4, v6, dedicated]) await flyIpProvider.delete!(r.id, r.outs);
    expect(fake.state.apps.get('support-bot-prod')?.ips).toEqual([]);
    await flyIpProvider.delete!(v4.id, v4.outs); // already gone
  });

  it('fails clearly when the API returns no address', async () => {
    await createApp();
    fake.fault({ operationId: 'App_IPAssignments_create', status: 200, body: {} });
    await expect(flyIpProvider.create({ api: api(), token: TOKEN, appName: 'support-bot-prod', type: 'v6' })).rejects.toThrow(/returned no address/);
  });
});

describe('FlyAppSecrets', () => {
  it('sets secrets via POST /secrets {values}, keeps no value in outputs, diffs by digest, unsets removed keys', async () => {
    await createApp();
    const inputs = { api: api(), token: TOKEN, appName: 'support-bot-prod', values: { OPENAI_API_KEY: PLANTED, OTHER: 'x' } };
    const res = await flySecretsProvider.create(inputs);
    const app = fake.state.apps.get('support-bot-prod')!;
    expect(app.secretValues.get('OPENAI_API_KEY')).toBe(PLANTED);
    expect(res.outs).toMatchObject({ keys: ['OPENAI_API_KEY', 'OTHER'], version: 1 });
    expect(JSON.stringify(res.outs)).not.toContain(PLANTED);
    expect(res.outs).not.toHaveProperty('values');

    expect(await flySecretsProvider.diff!(res.id, res.outs, inputs)).toMatchObject({ changes: false });
    const changed = { ...inputs, values: { OPENAI_API_KEY: `${PLANTED}-rotated` } };
    expect(await flySecretsProvider.diff!(res.id, res.outs, changed)).toMatchObject({ changes: true, replaces: [] });
    expect(await flySecretsProvider.diff!(res.id, res.outs, { ...inputs, appName: 'other' })).toMatchObject({ replaces: ['appName'] });

    const upd = await flySecretsProvider.update!(res.id, res.outs, changed);
    expect(upd.outs.keys).toEqual(['OPENAI_API_KEY']);
    expect(upd.outs.version).toBe(3); // set (2), unset OTHER (3)
    expect([...app.secrets.keys()]).toEqual(['OPENAI_API_KEY']);
    expect(await flySecretsProvider.update!(res.id, upd.outs, changed)).toMatchObject({ outs: { version: 3 } }); // unchanged: no call

    await flySecretsProvider.delete!(res.id, upd.outs);
    expect(app.secrets.size).toBe(0);

    const secretCalls = fake.log.filter((e) => e.body.includes(PLANTED));
    expect(secretCalls.map((e) => `${e.method} ${e.url}`)).toEqual(['POST /v1/apps/support-bot-prod/secrets', 'POST /v1/apps/support-bot-prod/secrets']);
    for (const e of fake.log) {
      expect(e.url + JSON.stringify(e.headers) + e.response).not.toContain(PLANTED);
      expect(e.url + JSON.stringify(e.headers) + e.body + e.response).not.toContain(TOKEN);
    }
  });
});

describe('FlyMachines', () => {
  beforeEach(async () => {
    await createApp();
  });

  it('creates count machines across regions, waits for started + passing checks', async () => {
    const res = await flyMachinesProvider.create(machinesInputs({ count: 3, regions: ['fra', 'ams'], secretsVersion: 0 }));
    expect(res.outs.machines.map((m: { name: string; region: string }) => `${m.name}@${m.region}`)).toEqual(['catalyst-0@fra', 'catalyst-1@ams', 'catalyst-2@fra']);
    const body = JSON.parse(fake.calls('Machines_create')[0].body);
    expect(body).toMatchObject({ name: 'catalyst-0', region: 'fra', min_secrets_version: 0 });
    expect(body.config).toMatchObject({
      image: 'registry.fly.io/support-bot-prod@sha256:aaa',
      env: { CATALYST_ENV: 'prod', PORT: '8080' },
      guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 512 },
      metadata: { catalyst_managed: 'true', catalyst_slot: '0' },
    });
    expect(body.config.services).toEqual([
      {
        protocol: 'tcp',
        internal_port: 8080,
        autostop: 'stop',
        autostart: true,
        min_machines_running: 0,
        ports: [
          { port: 80, handlers: ['http'], force_https: true },
          { port: 443, handlers: ['tls', 'http'] },
        ],
        checks: [{ type: 'http', protocol: 'http', method: 'GET', path: '/health', port: 8080, interval: '15s', timeout: '5s', grace_period: '10s' }],
      },
    ]);
    // each machine is waited for (with its version) before the next one is created
    const ops = fake.log.filter((e) => e.operationId?.startsWith('Machines_')).map((e) => e.operationId);
    expect(ops).toEqual(['Machines_list', ...Array(3).fill(['Machines_create', 'Machines_wait', 'Machines_show']).flat()]);
    expect(fake.calls('Machines_wait')[0].url).toMatch(/state=started&timeout=1&version=[0-9A-F]{26}$/);
  });

  it('rolls a new image one machine at a time, each healthy before the next', async () => {
    const first = await flyMachinesProvider.create(machinesInputs({ count: 2 }));
    fake.state.events.length = 0;
    const mark = fake.log.length;
    const news = machinesInputs({ count: 2, image: 'registry.fly.io/support-bot-prod@sha256:bbb' });
    expect(await flyMachinesProvider.diff!(first.id, first.outs, news)).toMatchObject({ changes: true, replaces: [] });
    const upd = await flyMachinesProvider.update!(first.id, first.outs, news);
    expect(fake.state.events).toEqual([
      'update catalyst-0 registry.fly.io/support-bot-prod@sha256:bbb',
      'started catalyst-0',
      'update catalyst-1 registry.fly.io/support-bot-prod@sha256:bbb',
      'started catalyst-1',
    ]);
    const seq = fake.log.slice(mark).filter((e) => ['Machines_update', 'Machines_show'].includes(e.operationId ?? '')).map((e) => `${e.operationId} ${e.url.split('/')[5]}`);
    const ids = upd.outs.machines.map((m: { id: string }) => m.id);
    expect(seq).toEqual([`Machines_update ${ids[0]}`, `Machines_show ${ids[0]}`, `Machines_update ${ids[1]}`, `Machines_show ${ids[1]}`]);
    expect(ids).toEqual(first.outs.machines.map((m: { id: string }) => m.id));
  });

  it('stops the rollout at the first machine that does not become healthy', async () => {
    const first = await flyMachinesProvider.create(machinesInputs({ count: 2 }));
    fake.state.unhealthyImages.add('bad:1');
    await expect(flyMachinesProvider.update!(first.id, first.outs, machinesInputs({ count: 2, image: 'bad:1' }))).rejects.toThrow(
      /Fly machine \w+ \(catalyst-0\) did not become healthy within 1 s: check servicecheck-00-http-8080 is critical: GET \/health: 500/,
    );
    const images = [...fake.state.apps.get('support-bot-prod')!.machines.values()].map((m) => `${m.name}=${m.config.image}`).sort();
    expect(images).toEqual(['catalyst-0=bad:1', 'catalyst-1=registry.fly.io/support-bot-prod@sha256:aaa']);
  });

  it('fails clearly when a machine never starts (/wait keeps answering 408)', async () => {
    fake.state.stuckImages.add('stuck:1');
    await expect(flyMachinesProvider.create(machinesInputs({ image: 'stuck:1', timing: { ...timing, startTimeoutSeconds: 1 } }))).rejects.toThrow(
      /did not reach state "started" within 1 s/,
    );
  });

  it('fails fast when a machine ends up failed', async () => {
    fake.fault({ operationId: 'Machines_show', status: 200, body: { id: 'x', state: 'failed' } });
    await expect(flyMachinesProvider.create(machinesInputs())).rejects.toThrow(/is failed/);
  });

  it('scales down from the highest slot, stopping then destroying; scale only adds/removes', async () => {
    const first = await flyMachinesProvider.create(machinesInputs({ count: 3 }));
    fake.state.events.length = 0;
    const down = await flyMachinesProvider.update!(first.id, first.outs, machinesInputs({ count: 1 }));
    expect(down.outs.machines).toHaveLength(1);
    expect(fake.state.events).toEqual(['stop catalyst-2', 'destroy catalyst-2', 'stop catalyst-1', 'destroy catalyst-1']);
    fake.state.events.length = 0;
    await flyMachinesProvider.update!(first.id, down.outs, machinesInputs({ count: 2 }));
    expect(fake.state.events).toEqual(['create catalyst-1 registry.fly.io/support-bot-prod@sha256:aaa', 'started catalyst-1']);
  });

  it('moves a machine whose region changed', async () => {
    const first = await flyMachinesProvider.create(machinesInputs());
    fake.state.events.length = 0;
    const moved = await flyMachinesProvider.update!(first.id, first.outs, machinesInputs({ regions: ['ams'] }));
    expect(fake.state.events).toEqual(['stop catalyst-0', 'destroy catalyst-0', 'create catalyst-0 registry.fly.io/support-bot-prod@sha256:aaa', 'started catalyst-0']);
    expect(moved.outs.machines[0].region).toBe('ams');
  });

  it('a new secrets version rolls the machines with min_secrets_version; a token change rolls nothing', async () => {
    const first = await flyMachinesProvider.create(machinesInputs());
    fake.state.apps.get('support-bot-prod')!.secretsVersion = 4;
    await flyMachinesProvider.update!(first.id, first.outs, machinesInputs({ secretsVersion: 4 }));
    expect(JSON.parse(fake.calls('Machines_update')[0].body).min_secrets_version).toBe(4);
    const before = fake.log.length;
    const same = await flyMachinesProvider.update!(first.id, first.outs, { ...machinesInputs(), token: TOKEN });
    expect(fake.log.length).toBe(before);
    expect(same.outs.machines).toEqual(first.outs.machines);
    expect(await flyMachinesProvider.diff!(first.id, first.outs, machinesInputs())).toMatchObject({ changes: false });
    expect(await flyMachinesProvider.diff!(first.id, first.outs, machinesInputs({ appName: 'b-c' }))).toMatchObject({ replaces: ['appName'] });
  });

  it('retries a lost create response without making a second machine', async () => {
    fake.fault({ operationId: 'Machines_create', status: 502, body: { error: 'bad gateway' }, applyFirst: true });
    const res = await flyMachinesProvider.create(machinesInputs());
    expect(fake.state.apps.get('support-bot-prod')!.machines.size).toBe(1);
    expect(res.outs.machines).toHaveLength(1);
    expect(fake.calls('Machines_create').map((c) => c.status)).toEqual([502, 409]);
  });

  it('a create that fails for another reason is reported, not adopted', async () => {
    fake.fault({ operationId: 'Machines_create', status: 422, body: { error: 'insufficient capacity in fra', status: 'insufficient_capacity' } });
    await expect(flyMachinesProvider.create(machinesInputs())).rejects.toThrow('Fly Machines_create (POST /v1/apps/support-bot-prod/machines) failed: HTTP 422: insufficient capacity in fra');
  });

  it('re-running create converges machines that already exist', async () => {
    await flyMachinesProvider.create(machinesInputs());
    const again = await flyMachinesProvider.create(machinesInputs({ image: 'img:2' }));
    expect(again.outs.machines).toHaveLength(1);
    expect(fake.calls('Machines_update')).toHaveLength(1);
  });

  it('reads the live machines (refresh)', async () => {
    const first = await flyMachinesProvider.create(machinesInputs({ count: 2 }));
    const read = await flyMachinesProvider.read!(first.id, first.outs);
    expect(read.props.count).toBe(2);
    expect(read.props.machines.map((m: { name: string }) => m.name)).toEqual(['catalyst-0', 'catalyst-1']);
    await flyAppProvider.delete!('support-bot-prod', { api: api(), token: TOKEN });
    expect(await flyMachinesProvider.read!(first.id, first.outs)).toEqual({});
  });

  it('delete stops and destroys every managed machine, leaked ones included; the fake ends empty', async () => {
    const res = await flyMachinesProvider.create(machinesInputs({ count: 2 }));
    // a machine leaked by an earlier failed run (in no state), and one that is not ours
    await fetch(`${fake.url}/v1/apps/support-bot-prod/machines`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'catalyst-7', region: 'fra', config: { image: 'x:1', metadata: { catalyst_managed: 'true', catalyst_slot: '7' } } }),
    });
    await fetch(`${fake.url}/v1/apps/support-bot-prod/machines`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'console', region: 'fra', config: { image: 'x:1' } }),
    });
    fake.state.events.length = 0;
    await flyMachinesProvider.delete!(res.id, res.outs);
    const left = [...fake.state.apps.get('support-bot-prod')!.machines.values()].map((m) => m.name);
    expect(left).toEqual(['console']);
    expect(fake.state.events.filter((e) => e.startsWith('destroy')).sort()).toEqual(['destroy catalyst-0', 'destroy catalyst-1', 'destroy catalyst-7']);
    await flyMachinesProvider.delete!(res.id, res.outs); // nothing left: still fine
  });
});

describe('full Fly lifecycle', () => {
  it('create app → ips → secrets → machines, then delete in reverse: the fake ends empty', async () => {
    const app = await createApp();
    const common = { api: api(), token: TOKEN, appName: 'support-bot-prod' };
    const v6 = await flyIpProvider.create({ ...common, type: 'v6' });
    const v4 = await flyIpProvider.create({ ...common, type: 'shared_v4' });
    const secrets = await flySecretsProvider.create({ ...common, values: { API_KEY: PLANTED } });
    const machines = await flyMachinesProvider.create(machinesInputs({ count: 2, secretsVersion: secrets.outs.version }));
    await flyMachinesProvider.delete!(machines.id, machines.outs);
    await flySecretsProvider.delete!(secrets.id, secrets.outs);
    await flyIpProvider.delete!(v4.id, v4.outs);
    await flyIpProvider.delete!(v6.id, v6.outs);
    const a = fake.state.apps.get('support-bot-prod')!;
    expect([a.machines.size, a.ips.length, a.secrets.size]).toEqual([0, 0, 0]);
    await flyAppProvider.delete!(app.id, app.outs);
    expect(fake.state.apps.size).toBe(0);
    const leaks = fake.log.filter((e) => e.body.includes(PLANTED)).map((e) => e.operationId);
    expect(leaks).toEqual(['Secrets_update']);
  });
});
