/**
 * Railway through the real Pulumi engine: `pulumi up` of billing.e2e (target railway) with the
 * Railway API pointed at the loopback GraphQL contract fake (every request parsed and validated by
 * graphql-js against ../shared/schemas/railway-graphql-schema.json) and the image built by the Docker
 * engine (`catalyst:imageBuilder: docker-cli`) and pushed to the loopback registry:
 *
 *   create → a second up with 0 changes and no mutation sent → a definition change builds a new
 *   image and makes a new deployment → destroy leaves the fake empty.
 *
 * Needs the engine, Docker and the registry (scripts/setup-engine.sh, scripts/setup-docker.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { railwayStateSize, startRailwayFake, type RailwayFake } from '../helpers/contract-fake-railway.ts';
import { lastChanges, startImageStackEnv, writeImageStack, type ImageStackEnv, setBillingSecrets } from './image-stack.ts';

const STACK = 'billing.e2e';
const TOKEN = 'rw-e2e-planted-railway-token';
const UP_MS = 900_000;

let env: ImageStackEnv;
let fake: RailwayFake;
const digests: string[] = [];

async function up(): Promise<string> {
  const r = await env.repo.pulumi(['up', '--yes', '--skip-preview'], STACK, UP_MS);
  if (r.code !== 0) throw new Error(`pulumi up failed (${r.code}):\n${(r.stdout + r.stderr).slice(-6000)}`);
  return r.stdout;
}

async function outputs(): Promise<Record<string, any>> {
  return JSON.parse(await env.repo.pulumiOk(['stack', 'output', '--json'], STACK)) as Record<string, any>;
}

const mutations = (from: number): string[] => fake.log.slice(from).filter((e) => e.query.trimStart().startsWith('mutation')).map((e) => e.operationName ?? '?');

beforeAll(async () => {
  env = await startImageStackEnv();
  fake = await startRailwayFake(TOKEN);
  fake.state.pollsToFinish = 1;
  writeImageStack(env.repo, STACK, {
    project: 'billing',
    target: 'railway',
    railwayRegion: 'europe-west4-drams3a',
    railwayImageRepository: `${env.registry.host}/billing`,
    railwayApiBaseUrl: fake.url,
  });
  const init = await env.repo.pulumi(['stack', 'init'], STACK);
  if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr || init.stdout}`);
  await env.repo.pulumiOk(['config', 'set', '--secret', 'catalyst:railwayToken', TOKEN], STACK);
  await setBillingSecrets(env.repo, STACK);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await env?.stop();
}, 120_000);

describe('railway through the real engine', () => {
  it('creates project, environment, service, variables, domain and a deployment of the pushed image', async () => {
    await up();
    const out = await outputs();
    expect(out.target).toBe('railway');
    expect(out.region).toBe('europe-west4-drams3a');
    expect(out.imageRef).toMatch(new RegExp(`^${env.registry.host.replace(/[.]/g, '\\.')}/billing@sha256:[0-9a-f]{64}$`));
    digests.push(out.imageDigest);
    const s = fake.state;
    expect([...s.projects.values()].map((p) => p.name)).toEqual(['billing-e2e']);
    expect([...s.environments.values()].map((e) => e.name)).toEqual(['e2e']);
    const [svc] = [...s.services.values()];
    expect(svc.name).toBe('billing');
    const [domain] = [...s.domains.values()];
    expect(out.url).toBe(`https://${domain.domain}`);
    const deployments = [...s.deployments.values()];
    expect(deployments).toHaveLength(1);
    expect(deployments[0].image).toBe(out.imageRef);
    expect(deployments[0].variables.PORT).toBe(String(domain.targetPort));
    expect(await env.registry.tags('billing')).toContain(out.contentHash);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('a second up changes nothing and sends no mutation', async () => {
    const before = fake.log.length;
    await up();
    expect(await lastChanges(env.repo, STACK)).toEqual({});
    expect(mutations(before)).toEqual([]);
    expect(fake.state.deployments.size).toBe(1);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('a definition change builds a new image and makes a new deployment of it', async () => {
    env.repo.edit('projects/billing/project.yaml', 'CURRENCY: EUR', 'CURRENCY: USD');
    await up();
    const out = await outputs();
    expect(out.imageDigest).not.toBe(digests[0]);
    const deployments = [...fake.state.deployments.values()];
    expect(deployments).toHaveLength(2);
    expect(deployments[1]).toMatchObject({ image: out.imageRef, variables: expect.objectContaining({ CURRENCY: 'USD' }) });
    expect((await lastChanges(env.repo, STACK)).update).toBeGreaterThan(0);
    expect(fake.state.projects.size).toBe(1);
    expect(fake.state.services.size).toBe(1);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('destroy removes everything it created: the fake is empty', async () => {
    const r = await env.repo.pulumi(['destroy', '--yes', '--skip-preview'], STACK, UP_MS);
    if (r.code !== 0) throw new Error(`pulumi destroy failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
    expect(railwayStateSize(fake.state)).toBe(0);
    expect(await env.repo.transcript).not.toContain(TOKEN);
    expect(fake.violations).toEqual([]);
  }, UP_MS);
});
