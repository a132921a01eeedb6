/**
 * The Pulumi program under mocks (convention 8): for each target, the exact resources and their key
 * inputs, secretness of every secret-bearing value, the StackReference wiring, the preflight errors,
 * the stack outputs contract, and a scan of every registered input for planted secret values.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import type { RawStackConfig } from '../../src/infra/config.ts';
import { OUTPUT_KEYS, stackOutputsSchema } from '../../src/contracts/outputs.ts';
import type { ProgramDeps } from '../../src/infra/program.ts';
import { ACCESS_TOKEN, DIGEST, installMocks, isSecret, peerStacks, plainStrings, registered, resolveOutputs, settle, tempRoot, unwrap, type Registered, BILLING_SECRETS, exampleSecrets } from './helpers/infra-mocks.ts';

const OPENAI = 'sk-PLANTED-openai-7f3a9c';
const TICKETS = 'tk-PLANTED-tickets-51be20';
const LEDGER = 'pw-PLANTED-ledger-e4d1';
const PLANTED = [OPENAI, TICKETS, LEDGER, ...Object.values(BILLING_SECRETS)];
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const GIT = { commit: COMMIT, branch: 'main', dirty: false, isRepo: true };

installMocks('support-bot.prod');
let program: typeof import('../../src/infra/program.ts');
let root: string;
beforeAll(async () => {
  program = await import('../../src/infra/program.ts');
  root = tempRoot();
});

beforeEach(() => {
  registered.length = 0;
  peerStacks.clear();
});

function raw(stack: string, values: Record<string, unknown>, secrets: Record<string, string> = {}): RawStackConfig {
  const v: Record<string, unknown> = { ...values };
  const all = { ...exampleSecrets(stack), ...secrets };
  for (const [k, s] of Object.entries(all)) v[k] = pulumi.secret(s);
  return { stack, values: v, secretKeys: Object.keys(all) };
}

async function run(stack: string, config: RawStackConfig, over: Partial<ProgramDeps> = {}) {
  installMocks(stack);
  const outputs = await program.runCatalyst({
    root,
    generate: generateApp,
    write: writeApp,
    raw: config,
    pulumiProject: 'catalyst',
    readGit: () => GIT,
    readSource: () => 'https://github.com/acme/catalyst',
    ...over,
  });
  const resolved = await resolveOutputs(outputs);
  await settle();
  return { outputs, resolved };
}

const byType = (type: string): Registered[] => registered.filter((r) => r.type === type);
const one = (type: string): Registered => {
  const found = byType(type);
  expect(found, type).toHaveLength(1);
  return found[0];
};
const inputsOf = (r: Registered) => Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, unwrap(v)])) as Record<string, any>;

/** No planted secret value in any plain (non-secret-marked) input, the outputs, or the generated app. */
function expectNoPlantedSecrets(resolved: Record<string, unknown>): void {
  for (const r of registered) {
    for (const { path, text } of plainStrings(r.inputs)) {
      for (const p of PLANTED) expect(text.includes(p), `${r.type} ${r.name} ${path} holds a planted secret in plain text`).toBe(false);
    }
  }
  // The one secret output, peerKey, holds billing's peer key by design (a Pulumi secret output: tests/unit/infra-peer-keys.test.ts).
  const { peerKey, ...rest } = resolved;
  expect(peerKey === null || peerKey === BILLING_SECRETS.peerKey).toBe(true);
  const out = JSON.stringify(rest);
  for (const p of PLANTED) expect(out).not.toContain(p);
  const build = join(root, '.build');
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  for (const f of walk(build)) for (const p of PLANTED) expect(readFileSync(f, 'utf8').includes(p), f).toBe(false);
}

function expectContract(resolved: Record<string, unknown>): void {
  expect(Object.keys(resolved).sort()).toEqual([...OUTPUT_KEYS].sort());
  const parsed = stackOutputsSchema.safeParse(resolved);
  expect(parsed.error?.issues ?? []).toEqual([]);
}

const BILLING_PROD_URL = 'https://billing-prod-x7k2q9-ew.a.run.app';

describe('cloudrun target (support-bot.prod: secrets, public workflows, a peer, monitoring)', () => {
  let resolved: Record<string, unknown>;
  beforeEach(async () => {
    peerStacks.set('organization/catalyst/billing.prod', { peerKey: BILLING_SECRETS.peerKey, url: `${BILLING_PROD_URL}/`, target: 'cloudrun' });
    ({ resolved } = await run(
      'support-bot.prod',
      raw(
        'support-bot.prod',
        { project: 'support-bot', target: 'cloudrun', gcpProject: 'acme-prod-1', region: 'europe-west1', maxInstances: '5', concurrency: '40', monitoringProject: 'acme-mon-1', alertEmail: 'ops@example.com', env: { LLM_MODEL: 'gpt-4o' } },
        { OPENAI_API_KEY: OPENAI, TICKETS_TOKEN: TICKETS },
      ),
    ));
  });

  it('registers exactly the expected resources', () => {
    const names = registered.map((r) => `${r.type} ${r.name}`).sort();
    expect(names).toEqual(
      [
        'catalyst:gcp:CloudRunService support-bot-cloudrun',
        'catalyst:gcp:UptimeCheck support-bot-uptime',
        'catalyst:index:Project support-bot',
        'docker-build:index:Image support-bot-image',
        'gcp:artifactregistry/repository:Repository support-bot-registry',
        'gcp:cloudrunv2/service:Service support-bot-cloudrun-service',
        'gcp:cloudrunv2/serviceIamMember:ServiceIamMember support-bot-cloudrun-public',
        'gcp:monitoring/alertPolicy:AlertPolicy support-bot-uptime-alert',
        'gcp:monitoring/notificationChannel:NotificationChannel support-bot-uptime-email',
        'gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig support-bot-uptime-check',
        'gcp:secretmanager/secret:Secret support-bot-cloudrun-secret-CATALYST_PEER_BILLING_KEY',
        'gcp:secretmanager/secret:Secret support-bot-cloudrun-secret-OPENAI_API_KEY',
        'gcp:secretmanager/secret:Secret support-bot-cloudrun-secret-TICKETS_TOKEN',
        'gcp:secretmanager/secretIamMember:SecretIamMember support-bot-cloudrun-secret-CATALYST_PEER_BILLING_KEY-access',
        'gcp:secretmanager/secretIamMember:SecretIamMember support-bot-cloudrun-secret-OPENAI_API_KEY-access',
        'gcp:secretmanager/secretIamMember:SecretIamMember support-bot-cloudrun-secret-TICKETS_TOKEN-access',
        'gcp:secretmanager/secretVersion:SecretVersion support-bot-cloudrun-secret-CATALYST_PEER_BILLING_KEY-version',
        'gcp:secretmanager/secretVersion:SecretVersion support-bot-cloudrun-secret-OPENAI_API_KEY-version',
        'gcp:secretmanager/secretVersion:SecretVersion support-bot-cloudrun-secret-TICKETS_TOKEN-version',
        'gcp:serviceaccount/account:Account support-bot-cloudrun-sa',
        `pulumi:index:Stash support-bot-build-${String(resolved.contentHash).slice(0, 12)}`,
        'pulumi:pulumi:StackReference support-bot-peer-billing',
      ].sort(),
    );
  });

  it('builds and pushes the image for linux/amd64, tagged by content hash and commit, with OCI labels', () => {
    const img = inputsOf(one('docker-build:index:Image'));
    const repo = 'europe-west1-docker.pkg.dev/acme-prod-1/support-bot-prod/support-bot';
    expect(img.platforms).toEqual(['linux/amd64']);
    expect(img.push).toBe(true);
    expect(img.load).toBe(false);
    expect(img.buildOnPreview).toBe(false);
    expect(img.tags).toEqual([`${repo}:${resolved.contentHash}`, `${repo}:git-${COMMIT.slice(0, 12)}`]);
    expect(img.context).toEqual({ location: join(root, '.build', 'support-bot', String(resolved.contentHash)) });
    expect(img.dockerfile).toEqual({ location: join(root, '.build', 'support-bot', String(resolved.contentHash), 'Dockerfile') });
    expect(img.labels).toMatchObject({
      'org.opencontainers.image.revision': COMMIT,
      'org.opencontainers.image.source': 'https://github.com/acme/catalyst',
      'org.opencontainers.image.version': resolved.contentHash,
    });
    expect(img.registries).toEqual([{ address: 'europe-west1-docker.pkg.dev', username: 'oauth2accesstoken', password: ACCESS_TOKEN }]);
    expect(one('docker-build:index:Image').secretProps).toContain('registries');
    const repoRes = inputsOf(one('gcp:artifactregistry/repository:Repository'));
    expect(repoRes).toMatchObject({ project: 'acme-prod-1', location: 'europe-west1', repositoryId: 'support-bot-prod', format: 'DOCKER' });
  });

  it('deploys the Cloud Run service by digest with probes, scaling, env and secret refs', () => {
    const svc = inputsOf(one('gcp:cloudrunv2/service:Service'));
    expect(svc).toMatchObject({ project: 'acme-prod-1', location: 'europe-west1', name: 'support-bot-prod', ingress: 'INGRESS_TRAFFIC_ALL', deletionProtection: true });
    const t = svc.template;
    expect(t.serviceAccount).toBe('cat-support-bot-prod@acme-prod-1.iam.gserviceaccount.com');
    expect(t.scaling).toEqual({ minInstanceCount: 0, maxInstanceCount: 5 });
    expect(t.maxInstanceRequestConcurrency).toBe(40);
    const c = t.containers[0];
    expect(c.image).toBe(`europe-west1-docker.pkg.dev/acme-prod-1/support-bot-prod/support-bot@${DIGEST}`);
    expect(c.ports).toEqual({ containerPort: 8080, name: 'http1' });
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/health', port: 8080 } });
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/health', port: 8080 } });
    const env = Object.fromEntries(c.envs.map((e: any) => [e.name, e.value ?? e.valueSource]));
    expect(env).toMatchObject({
      CATALYST_PEER_BILLING_URL: BILLING_PROD_URL,
      CATALYST_GIT_COMMIT: COMMIT,
      CATALYST_GIT_DIRTY: 'false',
      LLM_MODEL: 'gpt-4o',
      LLM_BASE_URL: 'https://api.openai.com/v1',
      CATALYST_PEER_BILLING_KEY: { secretKeyRef: { secret: 'support-bot-prod-CATALYST_PEER_BILLING_KEY', version: '1' } },
      OPENAI_API_KEY: { secretKeyRef: { secret: 'support-bot-prod-OPENAI_API_KEY', version: '1' } },
      TICKETS_TOKEN: { secretKeyRef: { secret: 'support-bot-prod-TICKETS_TOKEN', version: '1' } },
    });
    expect(env).not.toHaveProperty('PORT');
  });

  it('stores each secret in Secret Manager as a secret, readable by the service account only', () => {
    const versions = byType('gcp:secretmanager/secretVersion:SecretVersion');
    // The declared secrets, and billing's peer key read from billing.prod's secret output.
    expect(versions).toHaveLength(3);
    for (const v of versions) {
      expect(v.secretProps).toContain('secretData');
      expect(isSecret(v.inputs.secretData)).toBe(true);
    }
    expect(versions.map((v) => unwrap(v.inputs.secretData)).sort()).toEqual([OPENAI, TICKETS, BILLING_SECRETS.peerKey].sort());
    for (const a of byType('gcp:secretmanager/secretIamMember:SecretIamMember')) {
      expect(inputsOf(a)).toMatchObject({ role: 'roles/secretmanager.secretAccessor', member: 'serviceAccount:cat-support-bot-prod@acme-prod-1.iam.gserviceaccount.com', project: 'acme-prod-1' });
    }
    expect(byType('gcp:secretmanager/secret:Secret').map((r) => inputsOf(r))).toEqual([
      expect.objectContaining({ project: 'acme-prod-1', secretId: 'support-bot-prod-CATALYST_PEER_BILLING_KEY', replication: { auto: {} } }),
      expect.objectContaining({ project: 'acme-prod-1', secretId: 'support-bot-prod-OPENAI_API_KEY', replication: { auto: {} } }),
      expect.objectContaining({ project: 'acme-prod-1', secretId: 'support-bot-prod-TICKETS_TOKEN', replication: { auto: {} } }),
    ]);
  });

  it('makes the service public (allUsers run.invoker) because the project has public workflows', () => {
    expect(inputsOf(one('gcp:cloudrunv2/serviceIamMember:ServiceIamMember'))).toMatchObject({ role: 'roles/run.invoker', member: 'allUsers', name: 'support-bot-prod', location: 'europe-west1' });
  });

  it('creates the uptime check on /health every 60s, the alert policy and the e-mail channel', () => {
    const check = inputsOf(one('gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig'));
    expect(check).toMatchObject({
      project: 'acme-mon-1',
      period: '60s',
      monitoredResource: { type: 'uptime_url', labels: { host: 'support-bot-prod-x7k2q9-ew.a.run.app', project_id: 'acme-mon-1' } },
      httpCheck: { path: '/health', port: 443, useSsl: true, validateSsl: true },
    });
    const channel = inputsOf(one('gcp:monitoring/notificationChannel:NotificationChannel'));
    expect(channel).toMatchObject({ type: 'email', labels: { email_address: 'ops@example.com' } });
    const policy = inputsOf(one('gcp:monitoring/alertPolicy:AlertPolicy'));
    const cond = policy.conditions[0].conditionThreshold;
    expect(cond.filter).toBe('metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label.check_id="catalyst-support-bot-uptime-check-0a1b2c"');
    expect(policy.notificationChannels).toEqual(['projects/mon/notificationChannels/support-bot-uptime-email']);
  });

  it('exports the outputs contract', () => {
    expectContract(resolved);
    expect(resolved).toMatchObject({
      project: 'support-bot',
      env: 'prod',
      target: 'cloudrun',
      region: 'europe-west1',
      url: 'https://support-bot-prod-x7k2q9-ew.a.run.app',
      healthUrl: 'https://support-bot-prod-x7k2q9-ew.a.run.app/health',
      imageRef: `europe-west1-docker.pkg.dev/acme-prod-1/support-bot-prod/support-bot@${DIGEST}`,
      imageDigest: DIGEST,
      version: { commit: COMMIT, branch: 'main', dirty: false },
      uptimeCheckId: 'catalyst-support-bot-uptime-check-0a1b2c',
      consoleUrl: 'https://console.cloud.google.com/run/detail/europe-west1/support-bot-prod/metrics?project=acme-prod-1',
      logsUrl: 'https://console.cloud.google.com/run/detail/europe-west1/support-bot-prod/logs?project=acme-prod-1',
      rolledBackFrom: null,
    });
    expect(resolved.publicRoutes).toEqual([
      { workflow: 'ask', method: 'POST', path: '/ask' },
      { workflow: 'ticket', method: 'POST', path: '/tickets' },
    ]);
    expect(resolved.workflows).toEqual([
      { name: 'ask', visibility: 'public' },
      { name: 'classify', visibility: 'internal' },
      { name: 'ticket', visibility: 'public' },
    ]);
  });

  it('never holds a planted secret value in plain text (inputs, outputs, generated files)', () => {
    expectNoPlantedSecrets(resolved);
  });
});

describe('cloudrun target with an all-internal project (ledger.prod)', () => {
  it('creates no public invoker binding and no uptime check', async () => {
    const { resolved } = await run(
      'ledger.prod',
      raw('ledger.prod', { target: 'cloudrun', gcpProject: 'acme-prod-1', region: 'us-central1', monitoringProject: 'acme-mon-1', deletionProtection: 'false' }, { LEDGER_DB_PASSWORD: LEDGER }),
    );
    expect(byType('gcp:cloudrunv2/serviceIamMember:ServiceIamMember')).toEqual([]);
    expect(byType('gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig')).toEqual([]);
    expect(byType('pulumi:pulumi:StackReference')).toEqual([]);
    expect(inputsOf(one('gcp:cloudrunv2/service:Service')).deletionProtection).toBe(false);
    expectContract(resolved);
    expect(resolved.publicRoutes).toEqual([]);
    expect(resolved.uptimeCheckId).toBeNull();
    expectNoPlantedSecrets(resolved);
  });
});

describe('local target (support-bot.local)', () => {
  it('runs the app through the LocalApp dynamic resource with secret env, peer URL and a stable port', async () => {
    peerStacks.set('organization/catalyst/billing.local', { peerKey: BILLING_SECRETS.peerKey, url: 'http://127.0.0.1:23456' });
    const { resolved } = await run(
      'support-bot.local',
      raw('support-bot.local', { target: 'local', monitoringProject: 'acme-mon-1' }, { OPENAI_API_KEY: OPENAI, TICKETS_TOKEN: TICKETS }),
    );
    const local = await import('../../src/infra/targets/local/index.ts');
    const port = local.stablePort('support-bot.local');
    const app = one('pulumi-nodejs:dynamic/catalyst:LocalApp');
    const i = inputsOf(app);
    expect(i).toMatchObject({
      stack: 'support-bot.local',
      project: 'support-bot',
      host: '127.0.0.1',
      port,
      contentHash: resolved.contentHash,
      appDir: join(root, '.build', 'support-bot', String(resolved.contentHash)),
      runDir: join(root, '.catalyst', 'run', 'support-bot.local'),
      venvDir: join(root, '.cache', 'venvs'),
      startTimeoutMs: 60_000,
    });
    expect(i.env).toMatchObject({ CATALYST_PEER_BILLING_URL: 'http://127.0.0.1:23456', CATALYST_GIT_COMMIT: COMMIT });
    expect(app.secretProps).toContain('secretEnv');
    expect(unwrap(app.inputs.secretEnv)).toEqual({ CATALYST_PEER_BILLING_KEY: BILLING_SECRETS.peerKey, OPENAI_API_KEY: OPENAI, TICKETS_TOKEN: TICKETS });
    expect(String(app.inputs.__provider)).toContain('targets/local/process.ts');
    expect(byType('docker-build:index:Image')).toEqual([]);
    // Loopback URL: no uptime check even with a monitoring project.
    expect(byType('gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig')).toEqual([]);
    expectContract(resolved);
    expect(resolved).toMatchObject({ target: 'local', region: null, url: `http://127.0.0.1:${port}`, imageRef: null, imageDigest: null, uptimeCheckId: null, consoleUrl: null, logsUrl: null, rolledBackFrom: null });
    expectNoPlantedSecrets(resolved);
  });

  it('uses catalyst:port and gives the two demo stacks different default ports', async () => {
    const local = await import('../../src/infra/targets/local/index.ts');
    expect(local.stablePort('billing.local')).not.toBe(local.stablePort('support-bot.local'));
    const { resolved } = await run('billing.local', raw('billing.local', { target: 'local', port: '18080' }));
    expect(resolved.url).toBe('http://127.0.0.1:18080');
  });
});

describe('docker target (support-bot.dev)', () => {
  it('loads the image into the engine and runs a container with secret env on 127.0.0.1', async () => {
    peerStacks.set('acme/catalyst/billing.dev', { peerKey: BILLING_SECRETS.peerKey, url: 'http://127.0.0.1:24000' });
    const { resolved } = await run('support-bot.dev', raw('support-bot.dev', { target: 'docker', port: '18081', org: 'acme' }, { OPENAI_API_KEY: OPENAI, TICKETS_TOKEN: TICKETS }));
    const img = inputsOf(one('docker-build:index:Image'));
    expect(img).toMatchObject({ push: false, load: true, platforms: ['linux/amd64'] });
    expect(img.tags[0]).toBe(`catalyst-support-bot:${resolved.contentHash}`);
    expect(img.registries).toBeUndefined();
    expect(inputsOf(one('docker:index/remoteImage:RemoteImage'))).toMatchObject({ name: `catalyst-support-bot:${resolved.contentHash}`, keepLocally: true });
    const container = one('docker:index/container:Container');
    const c = inputsOf(container);
    expect(c.ports).toEqual([{ internal: 8080, external: 18081, ip: '127.0.0.1' }]);
    expect(c.image).toBe(`sha256:${'cd'.repeat(32)}`);
    expect(c.readOnly).toBe(true);
    expect(c.tmpfs).toEqual({ '/tmp': 'rw,nosuid,nodev,size=64m' });
    expect(container.secretProps).toContain('envs');
    expect(c.envs).toEqual(expect.arrayContaining(['PORT=8080', 'CATALYST_PEER_BILLING_URL=http://127.0.0.1:24000', `OPENAI_API_KEY=${OPENAI}`]));
    expectContract(resolved);
    expect(resolved).toMatchObject({ target: 'docker', url: 'http://127.0.0.1:18081', imageRef: `catalyst-support-bot:${resolved.contentHash}`, imageDigest: DIGEST });
    expectNoPlantedSecrets(resolved);
  });
});

describe('fly target through the registry (support-bot.prod)', () => {
  it('pushes to registry.fly.io and deploys with the contract outputs, secrets kept secret', async () => {
    const FLY_TOKEN = 'fo1_PLANTED-fly-token';
    pulumi.runtime.setAllConfig({ 'catalyst:flyApiToken': FLY_TOKEN }, ['catalyst:flyApiToken']);
    peerStacks.set('organization/catalyst/billing.prod', { peerKey: BILLING_SECRETS.peerKey, url: 'https://billing-prod.fly.dev' });
    const { resolved } = await run(
      'support-bot.prod',
      raw('support-bot.prod', { target: 'fly', flyOrg: 'acme', flyRegions: 'fra' }, { OPENAI_API_KEY: OPENAI, TICKETS_TOKEN: TICKETS, flyApiToken: FLY_TOKEN }),
    );
    const img = inputsOf(one('docker-build:index:Image'));
    expect(img.tags[0]).toBe(`registry.fly.io/support-bot-prod:${resolved.contentHash}`);
    expect(img.push).toBe(true);
    expect(one('docker-build:index:Image').secretProps).toContain('registries');
    expect(registered.some((r) => r.type.startsWith('pulumi-nodejs:dynamic/catalyst:Fly'))).toBe(true);
    expectContract(resolved);
    expect(resolved).toMatchObject({ target: 'fly', region: 'fra', url: 'https://support-bot-prod.fly.dev', imageRef: `registry.fly.io/support-bot-prod@${DIGEST}` });
    expectNoPlantedSecrets(resolved);
    for (const r of registered) for (const { text } of plainStrings(r.inputs)) expect(text).not.toContain(FLY_TOKEN);
    pulumi.runtime.setAllConfig({}, []);
  });
});

describe('render target through the registry (billing.staging)', () => {
  it('pushes to the configured registry and deploys with the contract outputs', async () => {
    const KEY = 'rnd_PLANTED-render-key';
    const REG = 'ghp_PLANTED-registry-password';
    pulumi.runtime.setAllConfig({ 'catalyst:renderApiKey': KEY, 'catalyst:renderRegistryPassword': REG }, ['catalyst:renderApiKey', 'catalyst:renderRegistryPassword']);
    const { resolved } = await run(
      'billing.staging',
      raw(
        'billing.staging',
        { target: 'render', renderOwnerId: 'tea-abc123', renderImageRepository: 'ghcr.io/acme/billing', renderRegistryUsername: 'acme-bot', renderRegion: 'frankfurt' },
        { renderApiKey: KEY, renderRegistryPassword: REG },
      ),
    );
    const img = one('docker-build:index:Image');
    expect(inputsOf(img).tags[0]).toBe(`ghcr.io/acme/billing:${resolved.contentHash}`);
    expect(inputsOf(img).registries).toEqual([{ address: 'ghcr.io', username: 'acme-bot', password: REG }]);
    expect(img.secretProps).toContain('registries');
    expectContract(resolved);
    expect(resolved).toMatchObject({ target: 'render', region: 'frankfurt', url: 'https://billing-staging-x1y2.onrender.com', imageRef: `ghcr.io/acme/billing@${DIGEST}` });
    for (const r of registered) for (const { text } of plainStrings(r.inputs)) for (const p of [KEY, REG]) expect(text).not.toContain(p);
    expect(JSON.stringify(resolved)).not.toContain(KEY);
    pulumi.runtime.setAllConfig({}, []);
  });
});

describe('railway target through the registry (billing.staging)', () => {
  it('pushes to the configured registry and deploys with the contract outputs, token and secrets kept secret', async () => {
    const TOKEN = 'PLANTED-railway-token';
    pulumi.runtime.setAllConfig({ 'catalyst:railwayToken': TOKEN }, ['catalyst:railwayToken']);
    const { resolved } = await run(
      'billing.staging',
      raw('billing.staging', { target: 'railway', railwayImageRepository: 'ghcr.io/acme/billing', railwayRegion: 'europe-west4-drams3a' }, { railwayToken: TOKEN }),
    );
    expect(inputsOf(one('docker-build:index:Image')).tags[0]).toBe(`ghcr.io/acme/billing:${resolved.contentHash}`);
    const types = registered.filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/catalyst:Railway')).map((r) => r.type.split(':').pop());
    expect(types).toEqual(['RailwayProject', 'RailwayService', 'RailwayVariables', 'RailwayDeploy']);
    expectContract(resolved);
    expect(resolved).toMatchObject({ target: 'railway', region: 'europe-west4-drams3a', url: 'https://billing-production-a1b2.up.railway.app', imageRef: `ghcr.io/acme/billing@${DIGEST}` });
    expect(resolved.healthUrl).toBe('https://billing-production-a1b2.up.railway.app/health');
    for (const r of registered) for (const { text } of plainStrings(r.inputs)) expect(text).not.toContain(TOKEN);
    expectNoPlantedSecrets(resolved);
    expect(JSON.stringify(resolved)).not.toContain(TOKEN);
    pulumi.runtime.setAllConfig({}, []);
  });
});

describe('image builders (catalyst:imageBuilder)', () => {
  it('docker-cli on fly: the DockerCliImage dynamic resource builds and pushes, the machines run its digest', async () => {
    const FLY_TOKEN = 'fo1_PLANTED-fly-token-cli';
    pulumi.runtime.setAllConfig({ 'catalyst:flyApiToken': FLY_TOKEN }, ['catalyst:flyApiToken']);
    peerStacks.set('organization/catalyst/billing.prod', { peerKey: BILLING_SECRETS.peerKey, url: 'https://billing-prod.fly.dev' });
    const { resolved } = await run(
      'support-bot.prod',
      raw(
        'support-bot.prod',
        { target: 'fly', flyOrg: 'acme', flyRegions: 'fra', imageBuilder: 'docker-cli', imageBuildArgs: { BASE_IMAGE: 'mirror.example/python:3.11' }, imageBuildNetwork: 'host' },
        { OPENAI_API_KEY: OPENAI, TICKETS_TOKEN: TICKETS, flyApiToken: FLY_TOKEN },
      ),
    );
    expect(registered.some((r) => r.type === 'docker-build:index:Image')).toBe(false);
    const img = one('pulumi-nodejs:dynamic/catalyst:DockerCliImage');
    const i = inputsOf(img);
    expect(i.tags[0]).toBe(`registry.fly.io/support-bot-prod:${resolved.contentHash}`);
    expect(i).toMatchObject({ push: true, contextHash: resolved.contentHash, network: 'host', platform: 'linux/amd64', buildArgs: { BASE_IMAGE: 'mirror.example/python:3.11' } });
    expect(i.dockerfile).toMatch(/\/Dockerfile$/);
    expect(i.registry).toEqual({ address: 'registry.fly.io', username: 'x', password: FLY_TOKEN });
    expect(isSecret(img.inputs.registry) || img.secretProps.includes('registry') || isSecret((img.inputs.registry as Record<string, unknown>)?.password)).toBe(true);
    expect(resolved).toMatchObject({ target: 'fly', imageRef: `registry.fly.io/support-bot-prod@${DIGEST}`, imageDigest: DIGEST });
    for (const r of registered) for (const { text } of plainStrings(r.inputs)) expect(text).not.toContain(FLY_TOKEN);
    pulumi.runtime.setAllConfig({}, []);
  });

  it('docker-build stays the default, and takes the build arguments and network too', async () => {
    const KEY = 'rnd_PLANTED-render-key-2';
    pulumi.runtime.setAllConfig({ 'catalyst:renderApiKey': KEY }, ['catalyst:renderApiKey']);
    await run('billing.staging', raw('billing.staging', { target: 'render', renderOwnerId: 'tea-abc123', renderImageRepository: 'ghcr.io/acme/billing', imageBuildArgs: { BASE_IMAGE: 'm/p:1' }, imageBuildNetwork: 'host' }, { renderApiKey: KEY }));
    expect(registered.some((r) => r.type === 'pulumi-nodejs:dynamic/catalyst:DockerCliImage')).toBe(false);
    const i = inputsOf(one('docker-build:index:Image'));
    expect(i.buildArgs).toEqual({ BASE_IMAGE: 'm/p:1' });
    expect(i.network).toBe('host');
    pulumi.runtime.setAllConfig({}, []);
  });
});

describe('preflight', () => {
  it('fails before creating anything, listing every problem (config, secrets, dirty tree)', async () => {
    const err = await program
      .runCatalyst({
        root,
        generate: generateApp,
        write: writeApp,
        raw: raw('support-bot.prod', { target: 'cloudrun', region: 'europe-west1', minInstances: '9', maxInstances: '2' }, { OPENAI_API_KEY: OPENAI }),
        pulumiProject: 'catalyst',
        readGit: () => ({ ...GIT, dirty: true }),
        readSource: () => null,
      })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err?.name).toBe('StackConfigError');
    const msg = err!.message;
    expect(msg).toContain('catalyst:gcpProject: required');
    expect(msg).toContain('catalyst:minInstances: minInstances must not exceed maxInstances');
    expect(msg).toContain('fix: pulumi config set --secret catalyst:TICKETS_TOKEN --stack support-bot.prod');
    expect(msg).toContain('work tree has uncommitted changes');
    expect(msg).not.toContain(OPENAI);
    expect(pulumi.RunError.isInstance(err)).toBe(true);
    await settle();
    expect(registered).toEqual([]);
  });

  it('refuses a dirty tree only where required (default: *.prod)', async () => {
    const dirty = { readGit: () => ({ ...GIT, dirty: true }) };
    await expect(run('billing.dev', raw('billing.dev', { target: 'local' }), dirty)).resolves.toBeDefined();
    await expect(run('billing.dev', raw('billing.dev', { target: 'local', requireCleanGit: 'true' }), dirty)).rejects.toThrow(/requires a clean git tree/);
    await expect(run('billing.prod', raw('billing.prod', { target: 'local', requireCleanGit: 'false' }), dirty)).resolves.toBeDefined();
  });

  it("lists a target's own secrets (e.g. the Fly API token) with the rest", async () => {
    await expect(run('billing.prod', raw('billing.prod', { target: 'fly', flyCpus: '0' }))).rejects.toThrow(
      /catalyst:flyApiToken: secret required by target fly is not set\n\s+fix: pulumi config set --secret catalyst:flyApiToken --stack billing\.prod[\s\S]*catalyst:flyCpus/,
    );
  });

  it('names the missing Railway token with the exact command, with every other problem', async () => {
    const err = await run('billing.prod', raw('billing.prod', { target: 'railway', railwayReplicas: '0' })).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/catalyst:railwayToken: secret required by target railway is not set\n\s+fix: pulumi config set --secret catalyst:railwayToken --stack billing\.prod \(or set RAILWAY_API_TOKEN in the environment\)\n/);
    expect(err?.message).toContain('catalyst:railwayImageRepository: required: the repository Catalyst pushes the image to');
    expect(err?.message).toContain('catalyst:railwayReplicas: must be at least 1');
  });

  it('refuses a declared secret shorter than 8 characters, read from the stack config, before creating anything', async () => {
    installMocks('support-bot.dev');
    pulumi.runtime.setAllConfig({ 'catalyst:target': 'local', 'catalyst:OPENAI_API_KEY': 'Zq7!x', 'catalyst:TICKETS_TOKEN': TICKETS }, ['catalyst:OPENAI_API_KEY', 'catalyst:TICKETS_TOKEN']);
    try {
      const err = await program
        .runCatalyst({ root, generate: generateApp, write: writeApp, pulumiProject: 'catalyst', readGit: () => GIT, readSource: () => null })
        .then(
          () => null,
          (e: Error) => e,
        );
      expect(err?.name).toBe('StackConfigError');
      expect(err!.message).toBe(
        'stack support-bot.dev: 1 problem(s) in the stack config (stacks/Pulumi.support-bot.dev.yaml):\n' +
          '  - catalyst:OPENAI_API_KEY: is shorter than 8 characters: the app could not redact it from logs and responses safely, and would refuse to start\n' +
          '      fix: pulumi config set --secret catalyst:OPENAI_API_KEY --stack support-bot.dev (enter a value of at least 8 characters)',
      );
      expect(err!.message).not.toContain('Zq7!x');
      await settle();
      expect(registered).toEqual([]);
    } finally {
      pulumi.runtime.setAllConfig({}, []);
    }
  });

  it('lists definition problems of the project', async () => {
    await expect(run('ghost.dev', raw('ghost.dev', { target: 'local' }))).rejects.toThrow(/no project "ghost"/);
  });
});

describe('cross-project wiring', () => {
  class Parent extends pulumi.ComponentResource {
    constructor(name: string) {
      super('catalyst:test:Parent', name);
    }
  }
  const promiseOf = (o: pulumi.Output<unknown>) => (o as unknown as { promise(): Promise<unknown> }).promise();

  it('reads each HTTP peer URL from <org>/<pulumi project>/<peer>.<env> into CATALYST_PEER_<PEER>_URL', async () => {
    installMocks('support-bot.staging');
    const peers = await import('../../src/infra/peers.ts');
    const { loadProjectModel } = await import('../../src/definitions/load.ts');
    const { project } = loadProjectModel('support-bot', { cwd: root });
    peerStacks.set('acme/catalyst/billing.staging', { peerKey: BILLING_SECRETS.peerKey, url: 'https://billing.example.com/' });
    const env = peers.createPeerWiring('sb', new Parent('sb-parent'), { project, env: 'staging', org: 'acme', pulumiProject: 'catalyst' }).urls;
    expect(Object.keys(env)).toEqual(['CATALYST_PEER_BILLING_URL']);
    expect(await promiseOf(env.CATALYST_PEER_BILLING_URL)).toBe('https://billing.example.com');
    await settle();
    expect(inputsOf(one('pulumi:pulumi:StackReference'))).toEqual({ name: 'acme/catalyst/billing.staging' });
    expect(one('pulumi:pulumi:StackReference').name).toBe('sb-peer-billing');
  });

  it('names the peer stack to deploy first when it has no url output', async () => {
    const peers = await import('../../src/infra/peers.ts');
    const err = (() => {
      try {
        peers.peerUrlFromOutputs({ target: 'local' }, 'support-bot', 'billing', 'local', 'organization/catalyst/billing.local');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.message).toBe(
      'project support-bot calls project billing over HTTP, but stack organization/catalyst/billing.local has no "url" output. Deploy billing.local first: pulumi up --stack billing.local (or `catalyst up --env local`, which deploys callees first)',
    );
    expect(pulumi.RunError.isInstance(err)).toBe(true);
    expect(() => peers.peerUrlFromOutputs(undefined, 'a', 'b', 'dev', 'o/c/b.dev')).toThrow(/has no "url" output/);
    expect(() => peers.peerUrlFromOutputs({ url: 'not a url' }, 'a', 'b', 'dev', 'o/c/b.dev')).toThrow(/has no "url" output/);
    expect(peers.peerUrlFromOutputs({ url: 'http://127.0.0.1:9/' }, 'a', 'b', 'dev', 'o/c/b.dev')).toBe('http://127.0.0.1:9');
    // A preview of a fresh environment: the peer is not deployed yet, so its URL is unknown, not an error.
    expect(pulumi.isUnknown(peers.peerUrlFromOutputs(undefined, 'a', 'b', 'dev', 'o/c/b.dev', true))).toBe(true);
    expect(peers.peerUrlFromOutputs({ url: 'http://127.0.0.1:9/' }, 'a', 'b', 'dev', 'o/c/b.dev', true)).toBe('http://127.0.0.1:9');
  });
});
