/**
 * Pure parts of src/infra: names, image tags/labels/refs, uptime target parsing, the build
 * directory, the outputs helpers, and every ComponentResource's argument validation (it throws,
 * quoting the argument, before creating any child).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { loadProjectModel } from '../../src/definitions/load.ts';
import { buildDir, isIntact, materializeApp } from '../../src/infra/build.ts';
import { moduleLoader } from '../../src/infra/http/loader.ts';
import { imageLabels, imageTags, localRepository, pinnedRef } from '../../src/infra/image.ts';
import { dnsName, labelValue, peerEnvName, shortHash } from '../../src/infra/names.ts';
import { baseUrl } from '../../src/contracts/outputs.ts';
import { httpPeers, publicRoutes, workflowList } from '../../src/infra/outputs.ts';
import { requireCleanGitOf } from '../../src/infra/program.ts';
import { cloudRunNames, consoleUrls, requestTimeoutSeconds } from '../../src/infra/targets/cloudrun/index.ts';
import { containerEnvs } from '../../src/infra/targets/docker/index.ts';
import { dynamicToken, TOKENS } from '../../src/infra/tokens.ts';
import { uptimeFilter, uptimeTarget } from '../../src/infra/uptime.ts';
import { installMocks, registered, ROOT, settle } from './helpers/infra-mocks.ts';

installMocks('units.test');
const work = mkdtempSync(join(tmpdir(), 'catalyst-units-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('names', () => {
  it('fit each platform alphabet and length, stably', () => {
    expect(dnsName('Support_Bot-PROD', 49)).toBe('support-bot-prod');
    expect(dnsName('9lives', 20)).toBe('c-9lives');
    const long = dnsName('a-very-long-project-name-that-goes-on-and-on-forever.production', 30);
    expect(long).toHaveLength(30);
    expect(long).toBe(dnsName('a-very-long-project-name-that-goes-on-and-on-forever.production', 30));
    expect(long).toMatch(/^a-very-long-project-name-[0-9a-f]{6}$|^[a-z][a-z0-9-]*-[0-9a-f]{6}$/);
    expect(labelValue('Prod.EU')).toBe('prod-eu');
    expect(peerEnvName('support-bot')).toBe('CATALYST_PEER_SUPPORT_BOT_URL');
    expect(shortHash('x')).toHaveLength(6);
    expect(cloudRunNames('support-bot', 'prod')).toMatchObject({ service: 'support-bot-prod', repository: 'support-bot-prod', serviceAccount: 'cat-support-bot-prod' });
    expect(cloudRunNames('support-bot', 'prod').secretId('OPENAI_API_KEY')).toBe('support-bot-prod-OPENAI_API_KEY');
    expect(consoleUrls('p', 'r', 's').logsUrl).toBe('https://console.cloud.google.com/run/detail/r/s/logs?project=p');
    expect(TOKENS.project).toBe('catalyst:index:Project');
    expect(dynamicToken('LocalApp')).toBe('pulumi-nodejs:dynamic/catalyst:LocalApp');
  });
});

describe('image helpers', () => {
  const hash = 'c'.repeat(64);
  it('tag by content hash first, then commit (dirty marked)', () => {
    expect(imageTags('r/app', hash, { commit: null, dirty: false })).toEqual([`r/app:${hash}`]);
    expect(imageTags('r/app', hash, { commit: 'abcdef0123456789', dirty: true })).toEqual([`r/app:${hash}`, 'r/app:git-abcdef012345-dirty']);
    expect(imageLabels('billing', hash, { commit: null, dirty: false }, null)).toEqual({
      'org.opencontainers.image.title': 'billing',
      'org.opencontainers.image.version': hash,
      'dev.catalyst.project': 'billing',
      'dev.catalyst.content-hash': hash,
    });
    expect(pinnedRef('r/app', hash, null)).toBe(`r/app:${hash}`);
    expect(pinnedRef('r/app', hash, 'sha256:short')).toBe(`r/app:${hash}`);
    expect(pinnedRef('r/app', hash, `sha256:${'1'.repeat(64)}`)).toBe(`r/app@sha256:${'1'.repeat(64)}`);
    expect(localRepository('billing')).toBe('catalyst-billing');
  });
});

describe('dynamic provider module loader', () => {
  it('loads by absolute path, else the project-relative file from the working directory or a parent (Pulumi runs providers in src/)', async () => {
    const rel = 'src/infra/http/digest.ts';
    const abs = join(ROOT, rel);
    type Digest = typeof import('../../src/infra/http/digest.ts');
    expect(typeof (await moduleLoader<Digest>(abs, rel)()).secretDigest).toBe('function');
    // The checkout that wrote the state is gone (e.g. a removed rollback worktree).
    const gone = join(tmpdir(), 'catalyst-removed-worktree', rel);
    const cwd = process.cwd();
    try {
      for (const dir of [ROOT, join(ROOT, 'src'), join(ROOT, 'src', 'infra', 'targets')]) {
        process.chdir(dir);
        expect(typeof (await moduleLoader<Digest>(gone, rel)()).secretDigest, dir).toBe('function');
      }
      process.chdir(tmpdir());
      await expect(moduleLoader<Digest>(gone, rel)()).rejects.toThrow(/Cannot find module/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('uptime helpers', () => {
  it('split a base URL into host (no scheme), port and TLS', () => {
    expect(uptimeTarget('https://a.run.app')).toEqual({ host: 'a.run.app', port: 443, useSsl: true });
    expect(uptimeTarget('http://example.com:8080')).toEqual({ host: 'example.com', port: 8080, useSsl: false });
    expect(uptimeTarget('http://example.com')).toEqual({ host: 'example.com', port: 80, useSsl: false });
    expect(uptimeFilter('id1')).toContain('metric.label.check_id="id1"');
  });
});

describe('outputs helpers', () => {
  it('routes, workflows, peers, base URL', () => {
    const { project } = loadProjectModel('billing', { cwd: ROOT });
    expect(publicRoutes(project)).toEqual([
      { workflow: 'charge', method: 'POST', path: '/charge' },
      { workflow: 'lookup', method: 'POST', path: '/lookup' },
    ]);
    expect(workflowList(project).map((w) => w.name)).toEqual(['charge', 'invoice', 'lookup', 'monthly-fee', 'tax']);
    expect(httpPeers(project)).toEqual([]);
    expect(httpPeers(loadProjectModel('support-bot', { cwd: ROOT }).project)).toEqual(['billing']);
    expect(baseUrl('https://x.dev///')).toBe('https://x.dev');
    expect(requestTimeoutSeconds({ project })).toBe(15);
    expect(requireCleanGitOf({ stack: 'a.prod', values: {}, secretKeys: [] })).toBe(true);
    expect(requireCleanGitOf({ stack: 'a.prod', values: { requireCleanGit: 'false' }, secretKeys: [] })).toBe(false);
    expect(requireCleanGitOf({ stack: 'a.dev', values: { requireCleanGit: true }, secretKeys: [] })).toBe(true);
  });
});

describe('build directory', () => {
  it('writes once per content hash, reuses it, and repairs a tampered one', async () => {
    const { project, workspace } = loadProjectModel('billing', { cwd: ROOT });
    const app = generateApp(project, workspace);
    let writes = 0;
    const write = (a: typeof app, dir: string) => {
      writes++;
      writeApp(a, dir);
    };
    const built = await materializeApp(app, work, write);
    expect(built).toEqual({ dir: buildDir(work, 'billing', app.contentHash), contentHash: app.contentHash, dockerfile: join(buildDir(work, 'billing', app.contentHash), 'Dockerfile') });
    expect(isIntact(built.dir, app.files)).toBe(true);
    await materializeApp(app, work, write);
    expect(writes).toBe(1);
    writeFileSync(join(built.dir, 'requirements.txt'), 'tampered');
    await materializeApp(app, work, write);
    expect(writes).toBe(2);
    expect(readFileSync(join(built.dir, 'requirements.txt'), 'utf8')).toBe(app.files.get('requirements.txt'));
    expect(isIntact(join(work, 'nope'), app.files)).toBe(false);
    await expect(materializeApp({ ...app, contentHash: 'x' }, work, write)).rejects.toThrow(/not a hex SHA-256/);
    const noDocker = await materializeApp({ project: 'tiny', files: new Map([['a.txt', 'a']]), contentHash: 'd'.repeat(64) }, work, writeApp);
    expect(noDocker.dockerfile).toBeNull();
    expect(existsSync(join(noDocker.dir, 'a.txt'))).toBe(true);
  });
});

describe('docker env', () => {
  it('puts PORT first, then plain, then secrets (each a secret Output)', async () => {
    const envs = containerEnvs(8080, { B: 'b', A: 'a' }, { S: pulumi.secret('s') });
    expect(envs[0]).toBe('PORT=8080');
    const last = envs[3] as pulumi.Output<string>;
    expect(await (last as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  });
});

describe('component argument validation', () => {
  let mods: {
    cloudrun: typeof import('../../src/infra/targets/cloudrun/index.ts');
    local: typeof import('../../src/infra/targets/local/index.ts');
    docker: typeof import('../../src/infra/targets/docker/index.ts');
    uptime: typeof import('../../src/infra/uptime.ts');
    project: typeof import('../../src/infra/project.ts');
  };
  beforeAll(async () => {
    mods = {
      cloudrun: await import('../../src/infra/targets/cloudrun/index.ts'),
      local: await import('../../src/infra/targets/local/index.ts'),
      docker: await import('../../src/infra/targets/docker/index.ts'),
      uptime: await import('../../src/infra/uptime.ts'),
      project: await import('../../src/infra/project.ts'),
    };
  });

  it('throws, naming the argument, before any child exists', async () => {
    registered.length = 0;
    const opts = { minInstances: 0, maxInstances: 1, concurrency: 1, cpu: '1', memory: '512Mi', gcpProject: 'p', region: 'r' };
    expect(
      () =>
        new mods.cloudrun.CloudRunService('bad-cr', {
          gcpProject: '',
          region: '',
          serviceName: 'Bad_Name',
          serviceAccountId: 'x',
          secretId: (n) => n,
          image: 'i',
          port: 8080,
          plainEnv: { PORT: '1', S: 'x' },
          secretEnv: { S: pulumi.secret('s') },
          options: opts,
          deletionProtection: false,
          public: false,
          timeoutSeconds: 10,
          labels: {},
        }),
    ).toThrow('CloudRunService: "gcpProject" is required; "region" is required; "serviceName" "Bad_Name" is not a Cloud Run service name; "serviceAccountId" "x" is not a service account id; "plainEnv" must not set PORT (Cloud Run sets it from the container port); "secretEnv" and "plainEnv" both set S');
    expect(() => new mods.local.LocalService('bad-local', { stack: 's', project: 'p', appDir: '', contentHash: 'h', root: '', port: 0, startTimeoutSeconds: 1, plainEnv: { PORT: '1' }, secretEnv: {} })).toThrow(
      'LocalService: "appDir" is required; "root" is required; "port" 0 is not a port number; "plainEnv" must not set PORT',
    );
    expect(() => new mods.docker.DockerService('bad-docker', { stack: 's', project: 'p', env: 'e', image: 'i', containerPort: 8080, hostPort: 70000, plainEnv: {}, secretEnv: {} })).toThrow('"hostPort" 70000 is not a port number');
    expect(() => new mods.docker.DockerService('bad-docker2', { stack: 's', project: 'p', env: 'e', image: 'i', containerPort: 8080, hostPort: 1, plainEnv: { PORT: '1' }, secretEnv: {} })).toThrow('"plainEnv" must not set PORT');
    expect(() => new mods.uptime.UptimeCheck('bad-up', { monitoringProject: '', url: 'https://x', stack: 's', alertEmail: null })).toThrow('UptimeCheck: "monitoringProject" is required');
    expect(() => new mods.uptime.UptimeCheck('bad-up2', { monitoringProject: 'm', url: 'https://x', stack: '', alertEmail: null })).toThrow('UptimeCheck: "stack" is required');
    const { project } = loadProjectModel('billing', { cwd: ROOT });
    const config = { stack: 'billing.dev', project, env: 'dev', target: mods.docker.target as never, options: {}, envOverrides: {}, org: 'o', requireCleanGit: false, monitoring: null, secrets: {}, imageOverride: null, schedulerToken: null, rollback: null, imageBuild: { builder: 'docker-build' as const, args: {}, network: 'default' as const }, peerKey: null, keyedPeers: [] };
    expect(
      () => new mods.project.CatalystProject('bad-project', { config, pulumiProject: '', root: '', app: { dir: '', contentHash: 'x', dockerfile: null }, git: { commit: null, branch: null, dirty: false }, gitSource: null }),
    ).toThrow('CatalystProject: "pulumiProject" is required; "root" is required; "app.dir" is required; "app.contentHash" must be a hex SHA-256; "app.dockerfile" is required by target docker (it builds an image)');
    expect(() => mods.local.target.deploy({ name: 'n', parent: undefined as never, stack: 's', env: 'e', project, config: { startTimeout: 1 }, appDir: 'd', contentHash: 'h', version: { commit: null, branch: null, dirty: false }, plainEnv: {}, secretEnv: {}, port: 1 })).toThrow('"root"');
    expect(() => mods.docker.target.deploy({ name: 'n', parent: undefined as never, stack: 's', env: 'e', project, config: {}, appDir: 'd', contentHash: 'h', version: { commit: null, branch: null, dirty: false }, plainEnv: {}, secretEnv: {}, port: 1 })).toThrow('the image is missing');
    expect(() => mods.cloudrun.target.deploy({ name: 'n', parent: undefined as never, stack: 's', env: 'e', project, config: opts, appDir: 'd', contentHash: 'h', version: { commit: null, branch: null, dirty: false }, plainEnv: {}, secretEnv: {}, port: 1 })).toThrow('the image is missing');
    await settle();
    expect(registered.filter((r) => r.custom)).toEqual([]);
  });

  it('project env: definitions, stack overrides, peers, build version; never PORT', async () => {
    const { project } = loadProjectModel('billing', { cwd: ROOT });
    const env = mods.project.appPlainEnv(project, { CURRENCY: 'USD' }, { CATALYST_PEER_X_URL: 'http://x' }, pulumi.output({ commit: null, dirty: true }));
    expect(Object.keys(env)).toEqual(['CATALYST_GIT_COMMIT', 'CATALYST_GIT_DIRTY', 'CATALYST_PEER_X_URL', 'CURRENCY', 'TAX_RATE']);
    expect(env.CURRENCY).toBe('USD');
    expect(env.TAX_RATE).toBe('0.2');
    expect(await new Promise((r) => (env.CATALYST_GIT_DIRTY as pulumi.Output<string>).apply(r))).toBe('true');
    expect(await new Promise((r) => (env.CATALYST_GIT_COMMIT as pulumi.Output<string>).apply(r))).toBe('');
    expect(Object.keys(mods.project.appPlainEnv(project, {}, {}, null))).toEqual(['CURRENCY', 'TAX_RATE']);
  });
});
