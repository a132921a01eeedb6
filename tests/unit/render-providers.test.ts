/**
 * The Render dynamic providers, called directly (no engine) against the Render contract fake,
 * which validates every request and response against ../shared/schemas/render-public-api.openapi.yml.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderDeployProvider, renderEnvVarsProvider, renderServiceProvider } from '../../src/infra/targets/render/providers.ts';
import type { ContractFake } from '../helpers/contract-fake.ts';
import { newRenderState, startRenderFake, type RenderFakeState } from '../helpers/contract-fake-render.ts';

const KEY = 'rnd_test-key-3e1f';
const PLANTED = 'PLANTED-render-s3cr3t';
const REPO = 'ghcr.io/acme/support-bot';
let fake: ContractFake<RenderFakeState>;

const api = () => ({ baseUrl: fake.url, timeoutMs: 1000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
const timing = { timeoutSeconds: 2, pollIntervalMs: 5 };

beforeEach(async () => {
  fake = await startRenderFake(KEY, newRenderState());
});
afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
});

function serviceInputs(over: Record<string, unknown> = {}) {
  return {
    api: api(),
    apiKey: KEY,
    name: 'support-bot-prod',
    ownerId: 'tea-abc123',
    region: 'frankfurt',
    plan: 'starter',
    numInstances: 1,
    imagePath: `${REPO}@sha256:aaa`,
    registryCredentialId: null,
    healthCheckPath: '/health',
    dockerCommand: null,
    env: { CATALYST_ENV: 'prod', PORT: '8080' },
    ...over,
  };
}

const svc = () => [...fake.state.services.values()][0];

describe('RenderService', () => {
  it('creates an image-backed web service with /health and returns its onrender.com URL', async () => {
    const res = await renderServiceProvider.create(serviceInputs({ registryCredentialId: 'rgc-1', dockerCommand: 'uvicorn app:app' }));
    expect(res.id).toMatch(/^srv-/);
    expect(JSON.parse(fake.calls('create-service')[0].body)).toEqual({
      type: 'web_service',
      name: 'support-bot-prod',
      ownerId: 'tea-abc123',
      autoDeploy: 'no',
      image: { ownerId: 'tea-abc123', imagePath: `${REPO}@sha256:aaa`, registryCredentialId: 'rgc-1' },
      envVars: [
        { key: 'CATALYST_ENV', value: 'prod' },
        { key: 'PORT', value: '8080' },
      ],
      serviceDetails: {
        runtime: 'image',
        plan: 'starter',
        region: 'frankfurt',
        numInstances: 1,
        healthCheckPath: '/health',
        envSpecificDetails: { dockerCommand: 'uvicorn app:app' },
      },
    });
    expect(res.outs.url).toMatch(/^https:\/\/support-bot-prod-\w+\.onrender\.com$/);
    expect(res.outs).toMatchObject({ dashboardUrl: `https://dashboard.render.com/web/${res.id}`, adopted: false });
    expect(fake.log[0].headers['content-type']).toBe('application/json');
  });

  it('adopts the image-backed service of the same name and owner on 409, bringing it to spec', async () => {
    await renderServiceProvider.create(serviceInputs());
    const again = await renderServiceProvider.create(serviceInputs({ plan: 'standard', numInstances: 2, dockerCommand: 'run' }));
    expect(again.outs.adopted).toBe(true);
    expect(again.id).toBe(svc().id);
    expect(JSON.parse(fake.calls('update-service')[0].body)).toEqual({ serviceDetails: { plan: 'standard', envSpecificDetails: { dockerCommand: 'run' } } });
    expect(JSON.parse(fake.calls('scale-service')[0].body)).toEqual({ numInstances: 2 });
    expect(fake.calls('list-services')[0].url).toBe('/services?name=support-bot-prod&ownerId=tea-abc123&type=web_service&limit=100');
    expect([svc().plan, svc().numInstances]).toEqual(['standard', 2]);
  });

  it('refuses to adopt when the conflict is not a single image service, naming the config key', async () => {
    fake.fault({ operationId: 'create-service', status: 409, body: { id: 'conflict', message: 'name already in use' } });
    await expect(renderServiceProvider.create(serviceInputs())).rejects.toThrow(
      /Render service name "support-bot-prod" is already used by owner tea-abc123.*catalyst:renderServiceName.*Render create-service \(POST \/services\) failed: HTTP 409: name already in use/,
    );
  });

  it('refuses to adopt a service in another region', async () => {
    await renderServiceProvider.create(serviceInputs({ region: 'oregon' }));
    await expect(renderServiceProvider.create(serviceInputs())).rejects.toThrow(/exists in region oregon, not frankfurt/);
  });

  it('surfaces 4xx validation messages naming the API call, without retrying', async () => {
    fake.fault({ operationId: 'create-service', status: 400, body: { id: 'invalid', message: 'plan starter is not available in this region' } });
    await expect(renderServiceProvider.create(serviceInputs())).rejects.toThrow(
      'Render create-service (POST /services) failed: HTTP 400: plan starter is not available in this region',
    );
    fake.fault({ operationId: 'create-service', status: 402, body: { message: 'payment information required' } });
    await expect(renderServiceProvider.create(serviceInputs())).rejects.toThrow('HTTP 402: payment information required');
    expect(fake.calls('create-service')).toHaveLength(2);
  });

  it('retries 503/500/429 and recovers a lost create response by adopting', async () => {
    fake.fault({ operationId: 'create-service', status: 503, body: { message: 'unavailable' } });
    fake.fault({ operationId: 'create-service', delayMs: 2500, applyFirst: true });
    const res = await renderServiceProvider.create(serviceInputs());
    expect(res.outs.adopted).toBe(true);
    expect(fake.state.services.size).toBe(1);
    expect(fake.calls('create-service').map((c) => c.status)).toEqual([503, 201, 409]);
  });

  it('diffs: region/owner replace; plan updates; a new tag of the same repository is not a service change', async () => {
    const { id, outs } = await renderServiceProvider.create(serviceInputs());
    expect(await renderServiceProvider.diff!(id, outs, serviceInputs())).toMatchObject({ changes: false });
    expect(await renderServiceProvider.diff!(id, outs, serviceInputs({ imagePath: `${REPO}:v2` }))).toMatchObject({ changes: false });
    expect(await renderServiceProvider.diff!(id, outs, serviceInputs({ imagePath: 'ghcr.io/acme/other:v2' }))).toMatchObject({ changes: true, replaces: [] });
    expect(await renderServiceProvider.diff!(id, outs, serviceInputs({ region: 'oregon' }))).toEqual({ changes: true, replaces: ['region'], deleteBeforeReplace: true });
    expect(await renderServiceProvider.diff!(id, outs, serviceInputs({ plan: 'pro' }))).toMatchObject({ changes: true, replaces: [] });
  });

  it('updates in place: PATCH (validated against webServiceDetailsPATCH) and scale', async () => {
    const { id, outs } = await renderServiceProvider.create(serviceInputs());
    const upd = await renderServiceProvider.update!(
      id,
      outs,
      serviceInputs({ name: 'renamed', plan: 'pro', healthCheckPath: '/ready', numInstances: 3, imagePath: 'ghcr.io/acme/other:v2', registryCredentialId: 'rgc-9' }),
    );
    expect(JSON.parse(fake.calls('update-service')[0].body)).toEqual({
      name: 'renamed',
      image: { ownerId: 'tea-abc123', imagePath: 'ghcr.io/acme/other:v2', registryCredentialId: 'rgc-9' },
      serviceDetails: { plan: 'pro', healthCheckPath: '/ready' },
    });
    expect(svc()).toMatchObject({ name: 'renamed', plan: 'pro', numInstances: 3, imagePath: 'ghcr.io/acme/other:v2' });
    expect(upd.outs.imagePath).toBe('ghcr.io/acme/other:v2');
    // only the API key changed: no PATCH, no scale, the service is re-read
    const before = fake.calls('update-service').length;
    const same = await renderServiceProvider.update!(id, upd.outs, { ...serviceInputs({ name: 'renamed', plan: 'pro', healthCheckPath: '/ready', numInstances: 3, imagePath: 'ghcr.io/acme/other:v3', registryCredentialId: 'rgc-9' }) });
    expect(fake.calls('update-service')).toHaveLength(before);
    expect(same.outs.imagePath).toBe('ghcr.io/acme/other:v2');
  });

  it('reads, reports a deleted service gone, deletes idempotently', async () => {
    const { id, outs } = await renderServiceProvider.create(serviceInputs());
    const read = await renderServiceProvider.read!(id, outs);
    expect(read.props).toMatchObject({ name: 'support-bot-prod', plan: 'starter', region: 'frankfurt', numInstances: 1, url: outs.url });
    await renderServiceProvider.delete!(id, outs);
    expect(fake.state.services.size).toBe(0);
    await renderServiceProvider.delete!(id, outs);
    expect(await renderServiceProvider.read!(id, outs)).toEqual({});
    await expect(renderServiceProvider.update!(id, outs, serviceInputs())).rejects.toThrow(/no longer exists; run `pulumi refresh`/);
  });
});

describe('RenderEnvVars', () => {
  it('PUTs plain + secret env, keeps no value in outputs, diffs by digest, clears on delete', async () => {
    const { id: serviceId } = await renderServiceProvider.create(serviceInputs());
    const inputs = { api: api(), apiKey: KEY, serviceId, plain: { PORT: '8080', CATALYST_ENV: 'prod' }, secret: { OPENAI_API_KEY: PLANTED } };
    const res = await renderEnvVarsProvider.create(inputs);
    expect(JSON.parse(fake.calls('update-env-vars-for-service')[0].body)).toEqual([
      { key: 'CATALYST_ENV', value: 'prod' },
      { key: 'OPENAI_API_KEY', value: PLANTED },
      { key: 'PORT', value: '8080' },
    ]);
    expect(res.outs).toMatchObject({ plainKeys: ['CATALYST_ENV', 'PORT'], secretKeys: ['OPENAI_API_KEY'] });
    expect(JSON.stringify(res.outs)).not.toContain(PLANTED);

    expect(await renderEnvVarsProvider.diff!(res.id, res.outs, inputs)).toMatchObject({ changes: false });
    const rotated = { ...inputs, secret: { OPENAI_API_KEY: `${PLANTED}-2` } };
    expect(await renderEnvVarsProvider.diff!(res.id, res.outs, rotated)).toMatchObject({ changes: true, replaces: [] });
    // moving a value between plain and secret is a change too
    expect(await renderEnvVarsProvider.diff!(res.id, res.outs, { ...inputs, plain: { ...inputs.plain, OPENAI_API_KEY: PLANTED }, secret: {} })).toMatchObject({ changes: true });
    expect(await renderEnvVarsProvider.diff!(res.id, res.outs, { ...inputs, serviceId: 'srv-other' })).toMatchObject({ replaces: ['serviceId'] });

    const upd = await renderEnvVarsProvider.update!(res.id, res.outs, rotated);
    expect(svc().envVars.get('OPENAI_API_KEY')).toBe(`${PLANTED}-2`);
    expect(upd.outs.digest).not.toBe(res.outs.digest);
    await renderEnvVarsProvider.update!(res.id, upd.outs, rotated); // unchanged: no PUT
    expect(fake.calls('update-env-vars-for-service')).toHaveLength(2);

    await renderEnvVarsProvider.delete!(res.id, upd.outs);
    expect(svc().envVars.size).toBe(0);
    const withSecret = fake.log.filter((e) => (e.url + e.body + JSON.stringify(e.headers)).includes(PLANTED)).map((e) => `${e.method} ${e.url}`);
    expect(withSecret).toEqual([`PUT /services/${serviceId}/env-vars`, `PUT /services/${serviceId}/env-vars`]);
    for (const e of fake.log) expect(e.url + e.body + JSON.stringify(e.headers) + e.response).not.toContain(KEY);
  });

  it('fails clearly when the service is gone; deleting then is fine', async () => {
    const inputs = { api: api(), apiKey: KEY, serviceId: 'srv-missing', plain: {}, secret: {} };
    await expect(renderEnvVarsProvider.create(inputs)).rejects.toThrow('Render service srv-missing does not exist');
    await renderEnvVarsProvider.delete!('x', { ...inputs, plainKeys: [], secretKeys: [], salt: 's', digest: 'd' });
  });
});

describe('RenderDeploy', () => {
  let serviceId: string;
  beforeEach(async () => {
    serviceId = (await renderServiceProvider.create(serviceInputs())).id;
  });
  const deployInputs = (over: Record<string, unknown> = {}) => ({ api: api(), apiKey: KEY, serviceId, imageUrl: `${REPO}@sha256:bbb`, envDigest: 'd1', timing, ...over });

  it('triggers a deploy of the image and waits until it is live', async () => {
    const res = await renderDeployProvider.create(deployInputs());
    expect(JSON.parse(fake.calls('create-deploy')[0].body)).toEqual({ imageUrl: `${REPO}@sha256:bbb` });
    expect(res.outs).toMatchObject({ status: 'live', deployId: expect.stringMatching(/^dep-/) });
    expect(fake.calls('retrieve-deploy').length).toBeGreaterThanOrEqual(2);
  });

  it('fails with the deploy status and a dashboard link when the deploy fails', async () => {
    fake.state.failingImages.add(`${REPO}:broken`);
    await expect(renderDeployProvider.create(deployInputs({ imageUrl: `${REPO}:broken` }))).rejects.toThrow(
      new RegExp(`Render deploy dep-\\w+ of ${REPO}:broken ended "update_failed"; see https://dashboard.render.com/web/${serviceId}/deploys/dep-`),
    );
  });

  it('fails when the deploy is not live in time', async () => {
    fake.state.pollsToLive = 10_000;
    await expect(renderDeployProvider.create(deployInputs({ timing: { timeoutSeconds: 0.05, pollIntervalMs: 5 } }))).rejects.toThrow(
      /is still "update_in_progress" after 0.05 s \(catalyst:renderDeployTimeoutSeconds\)/,
    );
  });

  it('accepts a queued (202) deploy without waiting', async () => {
    fake.fault({ operationId: 'create-deploy', status: 202 });
    const res = await renderDeployProvider.create(deployInputs());
    expect(res.outs).toMatchObject({ deployId: null, status: 'queued' });
  });

  it('surfaces a rejected image (another repository)', async () => {
    await expect(renderDeployProvider.create(deployInputs({ imageUrl: 'docker.io/evil/app:1' }))).rejects.toThrow(
      `Render create-deploy (POST /services/${serviceId}/deploys) failed: HTTP 400: imageUrl docker.io/evil/app:1 does not match the service image ${REPO}`,
    );
  });

  it('redeploys on a new image or env digest, not otherwise; delete is a no-op', async () => {
    const res = await renderDeployProvider.create(deployInputs());
    expect(await renderDeployProvider.diff!(res.id, res.outs, deployInputs())).toMatchObject({ changes: false });
    expect(await renderDeployProvider.diff!(res.id, res.outs, deployInputs({ imageUrl: `${REPO}@sha256:ccc` }))).toMatchObject({ changes: true, replaces: [] });
    expect(await renderDeployProvider.diff!(res.id, res.outs, deployInputs({ serviceId: 'srv-x' }))).toMatchObject({ replaces: ['serviceId'] });
    const same = await renderDeployProvider.update!(res.id, res.outs, { ...deployInputs(), apiKey: KEY });
    expect(fake.calls('create-deploy')).toHaveLength(1);
    expect(same.outs.deployId).toBe(res.outs.deployId);
    const env = await renderDeployProvider.update!(res.id, res.outs, deployInputs({ envDigest: 'd2' }));
    expect(env.outs.deployId).not.toBe(res.outs.deployId);
    expect(fake.calls('create-deploy')).toHaveLength(2);
    const before = fake.log.length;
    await renderDeployProvider.delete!(res.id, res.outs);
    expect(fake.log.length).toBe(before);
  });

  it('retries a 500 on the status poll', async () => {
    fake.fault({ operationId: 'retrieve-deploy', status: 500, body: { message: 'oops' } });
    const res = await renderDeployProvider.create(deployInputs());
    expect(res.outs.status).toBe('live');
    expect(fake.calls('retrieve-deploy')[0].status).toBe(500);
  });
});

describe('full Render lifecycle', () => {
  it('service → env vars → deploy, then delete in reverse: the fake ends empty; secrets only in the env-vars body', async () => {
    const service = await renderServiceProvider.create(serviceInputs());
    const env = await renderEnvVarsProvider.create({ api: api(), apiKey: KEY, serviceId: service.id, plain: { PORT: '8080' }, secret: { TOKEN: PLANTED } });
    const deploy = await renderDeployProvider.create({ api: api(), apiKey: KEY, serviceId: service.id, imageUrl: `${REPO}:v1`, envDigest: env.outs.digest, timing });
    expect(deploy.outs.status).toBe('live');
    await renderDeployProvider.delete!(deploy.id, deploy.outs);
    await renderEnvVarsProvider.delete!(env.id, env.outs);
    await renderServiceProvider.delete!(service.id, service.outs);
    expect(fake.state.services.size).toBe(0);
    expect(fake.log.filter((e) => e.body.includes(PLANTED)).map((e) => e.operationId)).toEqual(['update-env-vars-for-service']);
    expect(fake.log.filter((e) => e.url.includes(PLANTED))).toEqual([]);
  });
});
