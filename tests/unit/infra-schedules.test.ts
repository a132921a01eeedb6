/**
 * Schedules under Pulumi mocks, per target: what each creates for billing's scheduled workflow
 * (monthly-fee: "0 6 1 * *", Europe/Berlin), with exact inputs and the scheduler token marked secret.
 */
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import type { RawStackConfig } from '../../src/infra/config.ts';
import type { ProgramDeps } from '../../src/infra/program.ts';
import { unixCron } from '../../src/infra/targets/cloudrun/schedules.ts';
import { machineConfig, type MachinesSpec } from '../../src/infra/targets/fly/machines.ts';
import { installMocks, peerStacks, plainStrings, registered, resolveOutputs, settle, tempRoot, unwrap, type Registered, BILLING_SECRETS, exampleSecrets } from './helpers/infra-mocks.ts';

const GIT = { commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', dirty: false, isRepo: true };
let program: typeof import('../../src/infra/program.ts');
let root: string;
installMocks('billing.prod');
beforeAll(async () => {
  program = await import('../../src/infra/program.ts');
  root = tempRoot();
});
beforeEach(() => {
  registered.length = 0;
});

function raw(stack: string, values: Record<string, unknown>, secrets: Record<string, string> = {}): RawStackConfig {
  const v: Record<string, unknown> = { ...values };
  const all = { ...exampleSecrets(stack), ...secrets };
  for (const [k, s] of Object.entries(all)) v[k] = pulumi.secret(s);
  return { stack, values: v, secretKeys: Object.keys(all) };
}

async function run(stack: string, config: RawStackConfig, over: Partial<ProgramDeps> = {}) {
  installMocks(stack);
  const outputs = await program.runCatalyst({ root, generate: generateApp, write: writeApp, raw: config, pulumiProject: 'catalyst', readGit: () => GIT, readSource: () => null, ...over });
  const resolved = await resolveOutputs(outputs);
  await settle();
  return resolved;
}

const byType = (type: string): Registered[] => registered.filter((r) => r.type === type);
const one = (type: string): Registered => {
  const found = byType(type);
  expect(found, type).toHaveLength(1);
  return found[0];
};
const inputsOf = (r: Registered) => Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, unwrap(v)])) as Record<string, any>;
function schedulerToken(): string {
  const stash = byType('pulumi:index:Stash').find((r) => r.name.endsWith('-scheduler-token'))!;
  expect(stash.secretProps).toContain('input');
  const t = unwrap<string>(stash.inputs.input);
  expect(t).toMatch(/^[0-9a-f]{64}$/);
  return t;
}
function expectNotInPlainText(value: string): void {
  for (const r of registered) for (const { path, text } of plainStrings(r.inputs)) expect(text.includes(value), `${r.type} ${r.name} ${path}`).toBe(false);
}

describe('cloudrun: one Cloud Scheduler job per schedule, OIDC token of an invoker-only account', () => {
  it('creates the account, its invoker binding and the job with exact inputs; the app verifies the OIDC token, no shared secret', async () => {
    await run('billing.prod', raw('billing.prod', { project: 'billing', target: 'cloudrun', gcpProject: 'acme-prod-1', region: 'europe-west1' }));
    const sa = registered.find((r) => r.type === 'gcp:serviceaccount/account:Account' && r.name.endsWith('-scheduler-sa'))!;
    expect(inputsOf(sa)).toMatchObject({ project: 'acme-prod-1', accountId: 'sch-billing-prod' });
    const invoker = registered.find((r) => r.type === 'gcp:cloudrunv2/serviceIamMember:ServiceIamMember' && r.name.endsWith('-scheduler-invoker'))!;
    expect(inputsOf(invoker)).toEqual({ project: 'acme-prod-1', location: 'europe-west1', name: 'billing-prod', role: 'roles/run.invoker', member: 'serviceAccount:sch-billing-prod@acme-prod-1.iam.gserviceaccount.com' });
    const job = one('gcp:cloudscheduler/job:Job');
    expect(job.name).toBe('billing-cloudrun-schedule-monthly-fee');
    const url = 'https://billing-prod-x7k2q9-ew.a.run.app';
    const audience = 'catalyst-scheduler:acme-prod-1/europe-west1/billing-prod';
    expect(inputsOf(job)).toEqual({
      project: 'acme-prod-1',
      region: 'europe-west1',
      name: 'billing-prod-monthly-fee',
      description: 'Catalyst schedule monthly-fee (0 6 1 * *, Europe/Berlin)',
      schedule: '0 6 1 * *',
      timeZone: 'Europe/Berlin',
      attemptDeadline: '15s',
      retryConfig: { retryCount: 3, minBackoffDuration: '10s', maxBackoffDuration: '120s', maxDoublings: 3 },
      httpTarget: {
        httpMethod: 'POST',
        uri: `${url}/_catalyst/schedules/monthly-fee`,
        headers: { 'Content-Type': 'application/json' },
        oidcToken: { serviceAccountEmail: 'sch-billing-prod@acme-prod-1.iam.gserviceaccount.com', audience },
      },
    });
    // The service accepts the scheduler's audience (so IAM lets the token in when the service is private),
    // and the app is told which audience and account to accept.
    const service = one('gcp:cloudrunv2/service:Service');
    expect(inputsOf(service).customAudiences).toEqual([audience]);
    const envs = inputsOf(service).template.containers[0].envs as { name: string; value?: string }[];
    expect(envs.filter((e) => e.name.startsWith('CATALYST_SCHEDULER'))).toEqual([
      { name: 'CATALYST_SCHEDULER', value: 'external' },
      { name: 'CATALYST_SCHEDULER_AUTH', value: 'oidc' },
      { name: 'CATALYST_SCHEDULER_OIDC_AUDIENCE', value: audience },
      { name: 'CATALYST_SCHEDULER_OIDC_EMAIL', value: 'sch-billing-prod@acme-prod-1.iam.gserviceaccount.com' },
    ]);
    // No bearer token on Cloud Run: no Stash, no Secret Manager secret, nothing secret in the job.
    expect(byType('pulumi:index:Stash').filter((r) => r.name.endsWith('-scheduler-token'))).toEqual([]);
    expect(registered.filter((r) => r.name.includes('CATALYST_SCHEDULER_TOKEN'))).toEqual([]);
    expect(job.secretProps).toEqual([]);
  });

  it('writes macros as five fields for Cloud Scheduler', () => {
    expect(unixCron('@daily')).toBe('0 0 * * *');
    expect(unixCron(' */15  * * * MON ')).toBe('*/15 * * * MON');
  });

  it('creates nothing for a project without schedules', async () => {
    peerStacks.set('organization/catalyst/billing.prod', { peerKey: BILLING_SECRETS.peerKey, url: 'https://billing-prod-x7k2q9-ew.a.run.app', target: 'cloudrun' });
    await run('support-bot.prod', raw('support-bot.prod', { project: 'support-bot', target: 'cloudrun', gcpProject: 'acme-prod-1', region: 'europe-west1' }, { OPENAI_API_KEY: 'sk', TICKETS_TOKEN: 'tt' }), {});
    expect(byType('gcp:cloudscheduler/job:Job')).toEqual([]);
    expect(registered.filter((r) => r.name.includes('scheduler'))).toEqual([]);
  });
});

describe('in-app scheduler targets', () => {
  it('local: inapp with a lease directory under .catalyst/schedules, the token a secret env', async () => {
    await run('billing.local', raw('billing.local', { project: 'billing', target: 'local', port: '18123' }));
    const tok = schedulerToken();
    const app = one('pulumi-nodejs:dynamic/catalyst:LocalApp');
    const i = inputsOf(app);
    expect(i.env).toMatchObject({ CATALYST_SCHEDULER: 'inapp', CATALYST_SCHEDULE_LEASE_DIR: `${root}/.catalyst/schedules/billing.local` });
    expect(app.secretProps).toContain('secretEnv');
    expect(i.secretEnv).toEqual({ CATALYST_SCHEDULER_TOKEN: tok, BILLING_API_KEY: BILLING_SECRETS.BILLING_API_KEY, CATALYST_PEER_KEY: BILLING_SECRETS.peerKey });
    expectNotInPlainText(tok);
  });

  it('local: the stack\'s own catalyst:schedulerToken (a secret) replaces the made one; rotation is a config change', async () => {
    const mine = 'sched-token-from-config-7f3a9c';
    await run('billing.local', raw('billing.local', { project: 'billing', target: 'local', port: '18123' }, { schedulerToken: mine }));
    expect(byType('pulumi:index:Stash').filter((r) => r.name.endsWith('-scheduler-token'))).toEqual([]);
    const app = one('pulumi-nodejs:dynamic/catalyst:LocalApp');
    expect(app.secretProps).toContain('secretEnv');
    expect(inputsOf(app).secretEnv).toEqual({ CATALYST_SCHEDULER_TOKEN: mine, BILLING_API_KEY: BILLING_SECRETS.BILLING_API_KEY, CATALYST_PEER_KEY: BILLING_SECRETS.peerKey });
    expectNotInPlainText(mine);
  });

  it('catalyst:schedulerToken must be a secret of at least 8 characters (preflight names the fix)', async () => {
    const plain = await run('billing.local', { stack: 'billing.local', values: { project: 'billing', target: 'local', schedulerToken: 'plain-text-token' }, secretKeys: [] }).then(() => null, (e: Error) => e);
    expect(plain?.message).toContain('catalyst:schedulerToken');
    expect(plain?.message).toContain('pulumi config set --secret catalyst:schedulerToken');
    expect(plain?.message).not.toContain('plain-text-token');
    const short = await run('billing.local', { ...raw('billing.local', { project: 'billing', target: 'local' }, { schedulerToken: 'short' }), shortSecretKeys: ['schedulerToken'] }).then(() => null, (e: Error) => e);
    expect(short?.message).toMatch(/catalyst:schedulerToken.*8/);
  });

  it('docker: inapp in the one container, its lease directory on a volume that outlives the container', async () => {
    await run('billing.dev', raw('billing.dev', { project: 'billing', target: 'docker', port: '18124' }));
    const c = one('docker:index/container:Container');
    const envs = inputsOf(c).envs as string[];
    expect(envs).toContain('CATALYST_SCHEDULER=inapp');
    expect(envs).toContain('CATALYST_SCHEDULE_LEASE_DIR=/var/lib/catalyst/schedules');
    const volume = one('docker:index/volume:Volume');
    expect(inputsOf(volume)).toEqual({ name: 'catalyst-billing-dev-schedules', labels: [{ label: 'dev.catalyst.stack', value: 'billing.dev' }] });
    expect(inputsOf(c).volumes).toEqual([{ volumeName: 'catalyst-billing-dev-schedules', containerPath: '/var/lib/catalyst/schedules' }]);
    // The root stays read-only; only /tmp and the volume are writable.
    expect(inputsOf(c)).toMatchObject({ readOnly: true, tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' } });
    expect(c.secretProps).toContain('envs');
    expectNotInPlainText(schedulerToken());
  });

  it('docker: no volume for a project without schedules', async () => {
    peerStacks.set('organization/catalyst/billing.dev', { peerKey: BILLING_SECRETS.peerKey, url: 'http://127.0.0.1:18124', target: 'docker' });
    await run('support-bot.dev', raw('support-bot.dev', { project: 'support-bot', target: 'docker', port: '18125' }, { OPENAI_API_KEY: 'sk-longer-than-8', TICKETS_TOKEN: 'tt-longer-than-8' }));
    expect(byType('docker:index/volume:Volume')).toEqual([]);
    expect(inputsOf(one('docker:index/container:Container')).volumes).toBeUndefined();
  });

  it('render refuses more than one instance (railway likewise, through railwayReplicas) for a project with schedules', async () => {
    const render = { project: 'billing', target: 'render', renderOwnerId: 'tea-abc123', renderImageRepository: 'ghcr.io/acme/billing', renderNumInstances: '2' };
    await expect(run('billing.prod', raw('billing.prod', render, { renderApiKey: 'rnd' }))).rejects.toThrow(/project billing has scheduled workflows \(monthly-fee\); on target render the in-app scheduler needs exactly one instance, but the stack asks for 2/);
  });
});

describe('railway: the in-app scheduler in the service\'s one replica', () => {
  const TOKEN = 'PLANTED-railway-sched-token';
  const cfg = { project: 'billing', target: 'railway', railwayImageRepository: 'ghcr.io/acme/billing' };

  it('one replica; CATALYST_SCHEDULER=inapp as a plain variable, the token only as a secret variable; no scheduler service', async () => {
    pulumi.runtime.setAllConfig({ 'catalyst:railwayToken': TOKEN }, ['catalyst:railwayToken']);
    try {
      await run('billing.prod', raw('billing.prod', cfg, { railwayToken: TOKEN }));
      const tok = schedulerToken();
      const types = registered.filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/catalyst:Railway')).map((r) => r.type.split(':').pop());
      // The schedules add no Railway resource (no cron service): the app's own clock runs them.
      expect(types).toEqual(['RailwayProject', 'RailwayService', 'RailwayVariables', 'RailwayDeploy']);
      const service = inputsOf(one('pulumi-nodejs:dynamic/catalyst:RailwayService'));
      expect(service.settings).toEqual({ healthcheckPath: '/health', healthcheckTimeout: 60, numReplicas: 1, region: null, restartPolicyType: 'ON_FAILURE', restartPolicyMaxRetries: 3 });
      const vars = one('pulumi-nodejs:dynamic/catalyst:RailwayVariables');
      const v = inputsOf(vars);
      expect(v.plain).toMatchObject({ CATALYST_SCHEDULER: 'inapp', PORT: '8080' });
      expect(Object.keys(v.plain)).not.toContain('CATALYST_SCHEDULER_TOKEN');
      expect(Object.keys(v.plain)).not.toContain('CATALYST_SCHEDULE_LEASE_DIR');
      expect(vars.secretProps).toContain('secret');
      expect(v.secret).toEqual({ CATALYST_SCHEDULER_TOKEN: tok, BILLING_API_KEY: BILLING_SECRETS.BILLING_API_KEY, CATALYST_PEER_KEY: BILLING_SECRETS.peerKey });
      expectNotInPlainText(tok);
      expectNotInPlainText(TOKEN);
    } finally {
      pulumi.runtime.setAllConfig({}, []);
    }
  });

  it('refuses railwayReplicas > 1 for a project with schedules, before any Railway resource', async () => {
    pulumi.runtime.setAllConfig({ 'catalyst:railwayToken': TOKEN }, ['catalyst:railwayToken']);
    try {
      await expect(run('billing.prod', raw('billing.prod', { ...cfg, railwayReplicas: '3' }, { railwayToken: TOKEN }))).rejects.toThrow(
        /project billing has scheduled workflows \(monthly-fee\); on target railway the in-app scheduler needs exactly one instance, but the stack asks for 3/,
      );
      expect(registered.filter((r) => r.type.includes(':Railway'))).toEqual([]);
    } finally {
      pulumi.runtime.setAllConfig({}, []);
    }
  });
});

describe('fly: the schedules run on machine slot 0 only', () => {
  const spec: MachinesSpec = { appName: 'a', image: 'i', regions: ['ams', 'fra'], count: 3, guest: { cpuKind: 'shared', cpus: 1, memoryMb: 256 }, env: { CATALYST_SCHEDULER: 'external' }, port: 8080, autostop: 'stop', minMachinesRunning: 0, healthCheckPath: '/health', secretsVersion: null, leaderEnv: { CATALYST_SCHEDULER: 'inapp' } };
  it('slot 0 gets CATALYST_SCHEDULER=inapp and is never auto-stopped; the others do not', () => {
    const c0 = machineConfig(spec, 0) as { env: Record<string, string>; services: { autostop: string }[] };
    const c1 = machineConfig(spec, 1) as typeof c0;
    expect(c0.env).toEqual({ CATALYST_SCHEDULER: 'inapp', PORT: '8080' });
    expect(c0.services[0].autostop).toBe('off');
    expect(c1.env).toEqual({ CATALYST_SCHEDULER: 'external', PORT: '8080' });
    expect(c1.services[0].autostop).toBe('stop');
    const { leaderEnv: _omit, ...plain } = spec;
    expect((machineConfig(plain, 0) as typeof c0).services[0].autostop).toBe('stop');
  });

  it('the program passes the leader env to FlyMachines', async () => {
    pulumi.runtime.setAllConfig({ 'catalyst:flyApiToken': 'fly-tok' }, ['catalyst:flyApiToken']);
    await run('billing.prod', raw('billing.prod', { project: 'billing', target: 'fly' }, { flyApiToken: 'fly-tok' }));
    const m = registered.find((r) => r.type.endsWith(':FlyMachines'))!;
    const i = inputsOf(m);
    expect(i.leaderEnv).toEqual({ CATALYST_SCHEDULER: 'inapp' });
    expect(i.env.CATALYST_SCHEDULER).toBe('external');
    expectNotInPlainText(schedulerToken());
  });
});
