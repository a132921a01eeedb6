/**
 * Fly through the real Pulumi engine: `pulumi up` of billing.e2e (target fly) with the Machines API
 * pointed at the loopback contract fake (every request validated against
 * ../shared/schemas/fly-machines-openapi.json), the image built by the Docker engine
 * (`catalyst:imageBuilder: docker-cli`) and pushed to the loopback registry (`catalyst:flyRegistry`,
 * with the token as the registry password as on registry.fly.io):
 *
 *   create → a second up with 0 changes → a definition change rolls the machines to the new image →
 *   destroy leaves the fake without apps and the registry with every pushed image.
 *
 * Needs the engine, Docker and the registry (scripts/setup-engine.sh, scripts/setup-docker.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlyFake, type FlyFakeState } from '../helpers/contract-fake-fly.ts';
import type { ContractFake } from '../helpers/contract-fake.ts';
import { lastChanges, startImageStackEnv, writeImageStack, type ImageStackEnv, setBillingSecrets } from './image-stack.ts';

const STACK = 'billing.e2e';
const APP = 'billing-e2e';
const TOKEN = 'fo1_e2e-planted-fly-token';
const UP_MS = 900_000;

let env: ImageStackEnv;
let fake: ContractFake<FlyFakeState>;
const digests: string[] = [];

async function up(): Promise<void> {
  const r = await env.repo.pulumi(['up', '--yes', '--skip-preview'], STACK, UP_MS);
  if (r.code !== 0) throw new Error(`pulumi up failed (${r.code}):\n${(r.stdout + r.stderr).slice(-6000)}`);
  env.repo.transcript += r.stdout + r.stderr;
}

async function outputs(): Promise<Record<string, any>> {
  return JSON.parse(await env.repo.pulumiOk(['stack', 'output', '--json'], STACK)) as Record<string, any>;
}

const machineImages = () => [...(fake.state.apps.get(APP)?.machines.values() ?? [])].map((m) => m.config.image);

beforeAll(async () => {
  env = await startImageStackEnv();
  fake = await startFlyFake(TOKEN);
  writeImageStack(env.repo, STACK, {
    project: 'billing',
    target: 'fly',
    flyOrg: 'personal',
    flyRegions: ['fra'],
    flyApiBaseUrl: fake.url,
    flyRegistry: env.registry.host,
    flyStartTimeoutSeconds: 60,
    flyHealthTimeoutSeconds: 60,
  });
  const init = await env.repo.pulumi(['stack', 'init'], STACK);
  if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr || init.stdout}`);
  await env.repo.pulumiOk(['config', 'set', '--secret', 'catalyst:flyApiToken', TOKEN], STACK);
  await setBillingSecrets(env.repo, STACK);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await env?.stop();
}, 120_000);

describe('fly through the real engine', () => {
  it('creates the app and its machine from the image built and pushed to the loopback registry', async () => {
    await up();
    const out = await outputs();
    expect(out.target).toBe('fly');
    expect(out.imageRef).toMatch(new RegExp(`^${env.registry.host.replace(/[.]/g, '\\.')}/${APP}@sha256:[0-9a-f]{64}$`));
    digests.push(out.imageDigest);
    expect(fake.state.apps.has(APP)).toBe(true);
    expect(machineImages()).toEqual([out.imageRef]);
    expect(await env.registry.tags(APP)).toContain(out.contentHash);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('a second up changes nothing', async () => {
    const before = fake.log.length;
    await up();
    expect(await lastChanges(env.repo, STACK)).toEqual({});
    expect(fake.log.slice(before).filter((e) => e.method !== 'GET')).toEqual([]);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('a definition change builds a new image and rolls the machines to it', async () => {
    env.repo.edit('projects/billing/project.yaml', 'CURRENCY: EUR', 'CURRENCY: USD');
    await up();
    const out = await outputs();
    expect(out.imageDigest).not.toBe(digests[0]);
    expect(machineImages()).toEqual([out.imageRef]);
    expect(fake.state.events.some((e) => e.startsWith('update ') && e.includes(out.imageRef))).toBe(true);
    expect((await lastChanges(env.repo, STACK)).update).toBeGreaterThan(0);
    expect(fake.violations).toEqual([]);
  }, UP_MS);

  it('destroy removes the app; the registry keeps every pushed image; the token never shows', async () => {
    const tags = await env.registry.tags(APP);
    const r = await env.repo.pulumi(['destroy', '--yes', '--skip-preview'], STACK, UP_MS);
    if (r.code !== 0) throw new Error(`pulumi destroy failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
    expect(fake.state.apps.size).toBe(0);
    expect(await env.registry.tags(APP)).toEqual(tags);
    expect(tags.length).toBeGreaterThanOrEqual(2);
    expect(env.repo.transcript + r.stdout + r.stderr).not.toContain(TOKEN);
    expect(fake.violations).toEqual([]);
  }, UP_MS);
});
