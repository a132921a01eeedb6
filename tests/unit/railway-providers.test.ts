/**
 * The Railway dynamic providers, called directly (no engine) against the Railway contract fake,
 * which runs every request through graphql-js against ../shared/schemas/railway-graphql-schema.json.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/infra/targets/railway/operations.ts';
import { railwayDeployProvider, railwayProjectProvider, railwayServiceProvider, railwayVariablesProvider } from '../../src/infra/targets/railway/providers.ts';
import { newRailwayState, railwayStateSize, startRailwayFake, type RailwayFake } from '../helpers/contract-fake-railway.ts';

const TOKEN = 'rw-provider-token-51c2';
const PLANTED = 'PLANTED-railway-s3cr3t';
const REGISTRY_PASSWORD = 'PLANTED-registry-pass';
const REPO = 'ghcr.io/acme/support-bot';
let fake: RailwayFake;

const api = () => ({ baseUrl: fake.url, timeoutMs: 500, maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 20, deadlineMs: 5000 });
const timing = { timeoutSeconds: 2, pollIntervalMs: 5 };
const settings = { healthcheckPath: '/health', healthcheckTimeout: 60, numReplicas: 2, region: 'europe-west4-drams3a', restartPolicyType: 'ON_FAILURE', restartPolicyMaxRetries: 3 };

beforeEach(async () => {
  fake = await startRailwayFake(TOKEN, newRailwayState());
});
afterEach(async () => {
  expect(fake.violations).toEqual([]);
  // Every request carried one of the target's operations, verbatim.
  for (const e of fake.log) expect(Object.values(OPERATIONS)).toContain(e.query);
  expect(fake.log.map((e) => e.response).join('\n')).not.toContain(REGISTRY_PASSWORD);
  await fake.close();
});

const projectInputs = (over: Record<string, unknown> = {}) => ({ api: api(), token: TOKEN, name: 'support-bot-prod', environment: 'prod', workspaceId: null, stack: 'support-bot.prod', ...over });

async function stack(over: { project?: Record<string, unknown>; image?: string } = {}) {
  const project = await railwayProjectProvider.create(projectInputs(over.project));
  const p = project.outs;
  const service = await railwayServiceProvider.create({
    api: api(),
    token: TOKEN,
    projectId: p.projectId,
    environmentId: p.environmentId,
    projectCreated: p.projectCreated,
    name: 'support-bot',
    imageRepository: REPO,
    port: 8080,
    settings,
  });
  const scope = { projectId: p.projectId, environmentId: p.environmentId, serviceId: service.id };
  const vars = await railwayVariablesProvider.create({ api: api(), token: TOKEN, ...scope, plain: { CATALYST_ENV: 'prod', PORT: '8080' }, secret: { OPENAI_API_KEY: PLANTED } });
  const deployInputs = { api: api(), token: TOKEN, ...scope, image: over.image ?? `${REPO}@sha256:aaa`, registry: { username: 'bot', password: REGISTRY_PASSWORD }, envDigest: vars.outs.digest, timing };
  const deploy = await railwayDeployProvider.create(deployInputs);
  return { project, service, vars, deploy, scope, deployInputs };
}

describe('the railway providers against the contract fake', () => {
  it('creates project + environment, an empty service with its settings and a domain, variables, then deploys the image', async () => {
    const { project, service, vars, deploy, scope } = await stack();
    expect(project.outs).toMatchObject({ projectCreated: true, environmentCreated: true });
    const [p] = fake.state.projects.values();
    expect(p).toMatchObject({ name: 'support-bot-prod', description: expect.stringContaining('stack support-bot.prod') });
    expect([...fake.state.environments.values()].map((e) => e.name)).toEqual(['prod']);
    expect(fake.calls('projectCreate')[0].variables).toEqual({
      input: { name: 'support-bot-prod', description: expect.any(String), defaultEnvironmentName: 'prod' },
    });
    expect(fake.calls('serviceCreate')[0].variables).toEqual({ input: { projectId: scope.projectId, environmentId: scope.environmentId, name: 'support-bot' } });
    expect(fake.calls('serviceInstanceUpdate')[0].variables).toEqual({ serviceId: service.id, environmentId: scope.environmentId, input: settings });
    expect(fake.calls('serviceDomainCreate')[0].variables).toEqual({ input: { serviceId: service.id, environmentId: scope.environmentId, targetPort: 8080 } });
    expect(service.outs).toMatchObject({ created: true, domainCreated: true, url: expect.stringMatching(/^https:\/\/support-bot-\d+\.up\.railway\.app$/) });
    expect(fake.calls('variableCollectionUpsert')[0].variables).toEqual({
      input: { ...scope, variables: { CATALYST_ENV: 'prod', OPENAI_API_KEY: PLANTED, PORT: '8080' }, replace: false, skipDeploys: true },
    });
    expect(vars.outs).toMatchObject({ plainKeys: ['CATALYST_ENV', 'PORT'], secretKeys: ['OPENAI_API_KEY'] });
    expect(JSON.stringify(vars.outs)).not.toContain(PLANTED);
    // The deploy sets the image source (and pull credentials) before triggering.
    expect(fake.calls('serviceInstanceUpdate')[1].variables).toEqual({
      serviceId: service.id,
      environmentId: scope.environmentId,
      input: { source: { image: `${REPO}@sha256:aaa` }, registryCredentials: { username: 'bot', password: REGISTRY_PASSWORD } },
    });
    expect(fake.calls('serviceInstanceDeployV2')).toHaveLength(1);
    expect(deploy.outs).toMatchObject({ status: 'SUCCESS', deploymentId: expect.any(String) });
    const d = fake.state.deployments.get(deploy.outs.deploymentId)!;
    expect(d).toMatchObject({ image: `${REPO}@sha256:aaa`, variables: { OPENAI_API_KEY: PLANTED, PORT: '8080', CATALYST_ENV: 'prod' } });
    const inst = fake.state.instances.get(`${service.id}/${scope.environmentId}`)!;
    expect(inst).toMatchObject({ healthcheckPath: '/health', numReplicas: 2, restartPolicyType: 'ON_FAILURE', restartPolicyMaxRetries: 3, region: 'europe-west4-drams3a' });
    for (const e of fake.log) expect(e.headers['content-type']).toBe('application/json');
  });

  it('a second create of the same stack finds everything instead of making seconds (state lost)', async () => {
    await stack();
    const before = railwayStateSize(fake.state);
    const again = await railwayProjectProvider.create(projectInputs());
    expect(again.outs.projectCreated).toBe(true); // recognised by its description
    expect(railwayStateSize(fake.state)).toBe(before);
    expect(fake.calls('projectCreate')).toHaveLength(1);
  });

  it('a timed-out serviceCreate whose answer was lost is found, not created twice', async () => {
    const { outs: p } = await railwayProjectProvider.create(projectInputs());
    fake.fault({ field: 'serviceCreate', applyFirst: true, delayMs: 800 });
    const svc = await railwayServiceProvider.create({ api: api(), token: TOKEN, projectId: p.projectId, environmentId: p.environmentId, projectCreated: true, name: 'web', imageRepository: REPO, port: 8080, settings });
    expect(fake.state.services.size).toBe(1);
    expect(svc.outs.created).toBe(true);
    expect(fake.calls('serviceCreate')).toHaveLength(1);
  });

  it('a lost serviceInstanceDeployV2 answer: the fresh deployment is taken, no second deploy', async () => {
    const { deployInputs } = await stack();
    fake.fault({ field: 'serviceInstanceDeployV2', applyFirst: true, status: 502 });
    const res = await railwayDeployProvider.update!('x', { ...deployInputs, deploymentId: 'old', status: 'SUCCESS' }, { ...deployInputs, image: `${REPO}@sha256:bbb` });
    expect(fake.calls('serviceInstanceDeployV2')).toHaveLength(2); // first deploy + the lost one
    expect(fake.state.deployments.size).toBe(2);
    expect(res.outs).toMatchObject({ status: 'SUCCESS' });
  });

  it('429 with Retry-After and 500 on the way are retried; an errors array fails with the message', async () => {
    fake.fault({ field: 'projects', status: 429, headers: { 'retry-after': '0' } });
    fake.fault({ field: 'projectCreate', status: 500 });
    const { outs } = await railwayProjectProvider.create(projectInputs());
    expect(outs.projectCreated).toBe(true);
    expect(fake.state.projects.size).toBe(1);
    fake.fault({ field: 'environmentCreate', errors: ['You have reached the environment limit of your plan'] });
    await expect(railwayProjectProvider.create(projectInputs({ environment: 'staging' }))).rejects.toThrow(
      'Railway RailwayEnvironmentCreate failed: You have reached the environment limit of your plan',
    );
  });

  it('a deploy that fails its healthcheck fails the update with the status and the last log lines', async () => {
    fake.state.failingImages.add(`${REPO}@sha256:bad`);
    await expect(stack({ image: `${REPO}@sha256:bad` })).rejects.toThrow(/Railway deployment \S+ of ghcr\.io\/acme\/support-bot@sha256:bad ended FAILED[\s\S]*Healthcheck failed!/);
  });

  it('an error echoing secret values does not carry them', async () => {
    const { outs: p } = await railwayProjectProvider.create(projectInputs());
    const svc = await railwayServiceProvider.create({ api: api(), token: TOKEN, projectId: p.projectId, environmentId: p.environmentId, projectCreated: true, name: 'web', imageRepository: REPO, port: 8080, settings });
    fake.fault({ field: 'variableCollectionUpsert', errors: [`Invalid value ${PLANTED} for OPENAI_API_KEY`] });
    const err = await railwayVariablesProvider
      .create({ api: api(), token: TOKEN, projectId: p.projectId, environmentId: p.environmentId, serviceId: svc.id, plain: {}, secret: { OPENAI_API_KEY: PLANTED } })
      .catch((e: Error) => e);
    expect(String(err)).toContain('Invalid value [secret] for OPENAI_API_KEY');
    expect(String(err)).not.toContain(PLANTED);
  });

  it('variables: a changed set upserts and deletes removed names; unchanged is no change', async () => {
    const { vars, scope } = await stack();
    const same = { api: api(), token: TOKEN, ...scope, plain: { CATALYST_ENV: 'prod', PORT: '8080' }, secret: { OPENAI_API_KEY: PLANTED } };
    expect(await railwayVariablesProvider.diff!('v', vars.outs, same)).toMatchObject({ changes: false });
    const changed = { ...same, plain: { PORT: '8080' }, secret: { OPENAI_API_KEY: 'rotated' } };
    expect(await railwayVariablesProvider.diff!('v', vars.outs, changed)).toMatchObject({ changes: true, replaces: [] });
    const upd = await railwayVariablesProvider.update!('v', vars.outs, changed);
    expect(upd.outs.digest).not.toBe(vars.outs.digest);
    expect(fake.calls('variableDelete').map((c) => (c.variables.input as { name: string }).name)).toEqual(['CATALYST_ENV']);
    expect(Object.fromEntries(fake.state.variables.get(`${scope.serviceId}/${scope.environmentId}`)!)).toEqual({ PORT: '8080', OPENAI_API_KEY: 'rotated' });
  });

  it('deploy diff: same image and variables → no change; a new image → update → a new deployment', async () => {
    const { deploy, deployInputs } = await stack();
    expect(await railwayDeployProvider.diff!('d', deploy.outs, deployInputs)).toMatchObject({ changes: false });
    const next = { ...deployInputs, image: `${REPO}@sha256:ccc` };
    expect(await railwayDeployProvider.diff!('d', deploy.outs, next)).toMatchObject({ changes: true, replaces: [] });
    const res = await railwayDeployProvider.update!('d', deploy.outs, next);
    expect(res.outs.deploymentId).not.toBe(deploy.outs.deploymentId);
    expect([...fake.state.deployments.values()].map((d) => d.image)).toEqual([`${REPO}@sha256:aaa`, `${REPO}@sha256:ccc`]);
  });

  it('delete in reverse order removes everything Catalyst created: the fake is empty', async () => {
    const { project, service, vars } = await stack();
    await railwayDeployProvider.delete!('d', {});
    await railwayVariablesProvider.delete!(vars.id, vars.outs);
    expect(fake.state.variables.get(`${service.id}/${project.outs.environmentId}`)?.size).toBe(0);
    await railwayServiceProvider.delete!(service.id, service.outs);
    await railwayProjectProvider.delete!(project.id, project.outs);
    expect(railwayStateSize(fake.state)).toBe(0);
  });

  it('in a project Catalyst did not create: adds and later removes only its environment, service and domain', async () => {
    // A user's project with its own environment and service.
    const own = await railwayProjectProvider.create(projectInputs({ name: 'shared', environment: 'production', stack: 'someone-else' }));
    await railwayServiceProvider.create({ api: api(), token: TOKEN, projectId: own.outs.projectId, environmentId: own.outs.environmentId, projectCreated: true, name: 'db', imageRepository: 'docker.io/library/postgres', port: 5432, settings });
    const before = railwayStateSize(fake.state);
    const { project, service, vars } = await stack({ project: { name: 'shared', environment: 'prod' } });
    expect(project.outs).toMatchObject({ projectCreated: false, environmentCreated: true });
    expect(service.outs).toMatchObject({ created: true, domainCreated: true });
    await railwayVariablesProvider.delete!(vars.id, vars.outs);
    await railwayServiceProvider.delete!(service.id, service.outs);
    await railwayProjectProvider.delete!(project.id, project.outs);
    expect(railwayStateSize(fake.state)).toBe(before);
    expect([...fake.state.services.values()].map((s) => s.name)).toEqual(['db']);
    expect([...fake.state.environments.values()].map((e) => e.name)).toEqual(['production']);
  });

  it('refuses a same-named service of someone else that runs another image', async () => {
    const own = await railwayProjectProvider.create(projectInputs({ name: 'shared', stack: 'someone-else' }));
    const s = await railwayServiceProvider.create({ api: api(), token: TOKEN, projectId: own.outs.projectId, environmentId: own.outs.environmentId, projectCreated: true, name: 'support-bot', imageRepository: 'docker.io/acme/other', port: 80, settings });
    fake.state.instances.get(`${s.id}/${own.outs.environmentId}`)!.image = 'docker.io/acme/other:1';
    const mine = await railwayProjectProvider.create(projectInputs({ name: 'shared' }));
    await expect(
      railwayServiceProvider.create({ api: api(), token: TOKEN, projectId: mine.outs.projectId, environmentId: mine.outs.environmentId, projectCreated: false, name: 'support-bot', imageRepository: REPO, port: 8080, settings }),
    ).rejects.toThrow(/already exists in project .* runs docker\.io\/acme\/other:1, not ghcr\.io\/acme\/support-bot.*catalyst:railwayServiceName/);
  });
});
