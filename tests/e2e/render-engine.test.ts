/**
 * Render through the real Pulumi engine: `pulumi up` of billing.e2e (target render) with the Render
 * API pointed at the loopback contract fake (every request validated against
 * ../shared/schemas/render-public-api.openapi.yml) and the image built by the Docker engine
 * (`catalyst:imageBuilder: docker-cli`) and pushed to the loopback registry:
 *
 *   create → a second up with 0 changes → a definition change rolls out a new image → destroy leaves
 *   the fake without services and the registry with every pushed image (kept for rollbacks).
 *
 * Needs the engine, Docker and the registry (scripts/setup-engine.sh, scripts/setup-docker.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenderFake, type RenderFakeState } from '../helpers/contract-fake-render.ts';
import type { ContractFake } from '../helpers/contract-fake.ts';
import { lastChanges, startImageStackEnv, writeImageStack, type ImageStackEnv, setBillingSecrets } from './image-stack.ts';

const STACK = 'billing.e2e';
const TOKEN = 'rnd_e2e-planted-render-key';
const UP_MS = 900_000;

let env: ImageStackEnv;
let fake: ContractFake<RenderFakeState>;
const digests: string[] = [];

async function up(): Promise<string> {
  const r = await env.repo.pulumi(['up', '--yes', '--skip-preview'], STACK, UP_MS);
  if (r.code !== 0) throw new Error(`pulumi up failed (${r.code}):\n${(r.stdout + r.stderr).slice(-6000)}`);
  return r.stdout;
}

async function outputs(): Promise<Record<string, any>> {
  return JSON.parse(await env.repo.pulumiOk(['stack', 'output', '--json'], STACK)) as Record<string, any>;
}

beforeAll(async () => {
  env = await startImageStackEnv();
  fake = await startRenderFake(TOKEN);
  fake.state.pollsToLive = 1;
  writeImageStack(env.repo, STACK, {
    project: 'billing',
    target: 'render',
    renderOwnerId: 'tea-e2e0000000000000',
    renderRegion: 'frankfurt',
    renderImageRepository: `${env.registry.host}/billing`,
    renderApiBaseUrl: fake.url,
  });
  const init = await env.repo.pulumi(['stack', 'init'], STACK);
  if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr || init.stdout}`);
  await env.repo.pulumiOk(['config', 'set', '--secret', 'catalyst:renderApiKey', TOKEN], STACK);
  await setBillingSecrets(env.repo, STACK);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await env?.stop();
}, 120_000);

describe('render through the real engine', () => {
  it('creates the service from the image built and pushed to the loopback registry', async () => {
    await up();
    const out = await outputs();
    expect(out.target).toBe('render');
    expect(out.imageRef).toMatch(new RegExp(`^${env.registry.host.replace(/[.]/g, '\\.')}/billing@sha256:[0-9a-f]{64}$`));
    digests.push(out.imageDigest);
    const services = [...fake.state.services.values()];
    expect(services).toHaveLength(1);
    expect(services[0].imagePath).toBe(out.imageRef);
    expect(await env.registry.tags('billing')).toContain(out.contentHash);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('a second up changes nothing', async () => {
    const before = fake.log.length;
    await up();
    expect(await lastChanges(env.repo, STACK)).toEqual({});
    expect(fake.log.slice(before).filter((e) => e.method !== 'GET')).toEqual([]);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('a definition change builds a new image and rolls it out', async () => {
    env.repo.edit('projects/billing/project.yaml', 'CURRENCY: EUR', 'CURRENCY: USD');
    await up();
    const out = await outputs();
    expect(out.imageDigest).not.toBe(digests[0]);
    digests.push(out.imageDigest);
    const [svc] = [...fake.state.services.values()];
    expect(svc.imagePath).toBe(out.imageRef);
    expect([...svc.deploys.values()].map((d) => d.imageUrl)).toContain(out.imageRef);
    expect((await lastChanges(env.repo, STACK)).update).toBeGreaterThan(0);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('destroy removes the service; the registry keeps every pushed image', async () => {
    const tags = await env.registry.tags('billing');
    const r = await env.repo.pulumi(['destroy', '--yes', '--skip-preview'], STACK, UP_MS);
    if (r.code !== 0) throw new Error(`pulumi destroy failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
    expect(fake.state.services.size).toBe(0);
    expect(await env.repo.transcript).not.toContain(TOKEN);
    expect(await env.registry.tags('billing')).toEqual(tags);
    expect(tags.length).toBeGreaterThanOrEqual(2);
    expect(fake.violations).toEqual([]);
  }, UP_MS);
});
