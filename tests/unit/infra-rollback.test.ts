/**
 * The rollback contract between `catalyst rollback` (src/gitops/rollback.ts) and the Pulumi program
 * (docs/gitops.md): `catalyst:imageOverride` and `catalyst:rollback` as rollback.ts writes them are
 * what the config reader accepts; with an override no image is built and the target deploys it; the
 * outputs report the restored version and `rolledBackFrom`; `CATALYST_STATE_ROOT` moves `.build/`,
 * `.catalyst/` and `.cache/`; `catalyst:requireCleanGit` applies to the checkout the program runs in.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { loadProjectModel } from '../../src/definitions/load.ts';
import { pickOutputs, type Deployment } from '../../src/pulumi/history.ts';
import { STATE_ROOT_ENV, type RollbackConfig } from '../../src/contracts/rollback.ts';
import { overrideConfigText, planRollback, rollbackConfig } from '../../src/gitops/rollback.ts';
import { imageDigestOf, isImageRef, readStackConfig, type ConfigContext, type RawStackConfig } from '../../src/infra/config.ts';
import { parseConfigText } from '../../src/infra/options.ts';
import { OUTPUT_KEYS, stackOutputsSchema } from '../../src/contracts/outputs.ts';
import type { ProgramDeps } from '../../src/infra/program.ts';
import { TARGETS } from '../../src/infra/targets/index.ts';
import type { Target } from '../../src/infra/targets/types.ts';
import { DIGEST, installMocks, peerStacks, registered, resolveOutputs, ROOT, settle, tempRoot, unwrap, type Registered, BILLING_SECRETS, exampleSecrets } from './helpers/infra-mocks.ts';
import { readGitVersion } from '../../src/gitops/version.ts';

const HEAD = '0123456789abcdef0123456789abcdef01234567';
const OLD = 'fedcba9876543210fedcba9876543210fedcba98';
const MID = '5d2a9b15d2a9b15d2a9b15d2a9b15d2a9b15d2a9';
const GIT = { commit: HEAD, branch: 'main', dirty: false, isRepo: true };
const REPO = 'europe-west1-docker.pkg.dev/acme-prod-1/support-bot-prod/support-bot';
const OLD_DIGEST = `sha256:${'4c'.repeat(32)}`;
const NOW_DIGEST = `sha256:${'22'.repeat(32)}`;
const OLD_HASH = `${'1'.repeat(8)}c0ffee`.padEnd(64, '0');
const OVERRIDE = `${REPO}@${OLD_DIGEST}`;
const SECRETS = { OPENAI_API_KEY: 'sk-test', TICKETS_TOKEN: 'tk-test' };

/** What `catalyst rollback --to 1` writes for a stack whose deployment #2 followed #1. */
const ROLLBACK: RollbackConfig = {
  version: { commit: OLD, branch: 'main', dirty: false },
  contentHash: OLD_HASH,
  rolledBackFrom: { stackVersion: 2, commit: MID, imageRef: `${REPO}@${NOW_DIGEST}`, restoredStackVersion: 1 },
};

const ctx: ConfigContext = {
  targets: TARGETS as Record<string, Target<any>>,
  loadProject: (name) => {
    try {
      return { project: loadProjectModel(name, { cwd: ROOT }).project };
    } catch {
      return { problems: [`no project "${name}"`] };
    }
  },
};

function deployment(n: number, commit: string, digest: string, contentHash: string): Deployment {
  return {
    stackVersion: n,
    kind: 'update',
    result: 'succeeded',
    startTime: `2026-03-0${n}T10:00:00.000Z`,
    endTime: null,
    resourceChanges: {},
    git: { commit, branch: 'main', dirty: false },
    imageOverride: null,
    outputs: pickOutputs({ target: 'cloudrun', imageRef: `${REPO}:${contentHash}`, imageDigest: digest, contentHash, version: { commit, branch: 'main', dirty: false }, rolledBackFrom: null }),
  };
}

/**
 * A stack file's `catalyst:*` keys as the Pulumi engine hands them to the program (every value a
 * string; objects as JSON) and as rawStackConfigFromPulumi reads them back.
 */
function asPulumiHandsThem(stack: string, fileText: string, secrets: Record<string, string> = {}): RawStackConfig {
  const doc = parseYaml(fileText) as { config: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    if (!k.startsWith('catalyst:')) continue;
    values[k.slice('catalyst:'.length)] = parseConfigText(typeof v === 'string' ? v : JSON.stringify(v));
  }
  for (const [k, v] of Object.entries(secrets)) values[k] = pulumi.secret(v);
  return { stack, values, secretKeys: Object.keys(secrets) };
}

const STACK_FILE = [
  '# support-bot in production',
  'config:',
  '  catalyst:target: cloudrun',
  '  catalyst:gcpProject: acme-prod-1',
  '  catalyst:region: europe-west1',
  '',
].join('\n');

describe('what catalyst rollback writes is what the program reads', () => {
  it('a rollback to an earlier deployment: the config copy parses, and carries the same values', async () => {
    const deployments = [deployment(2, MID, NOW_DIGEST, '2'.repeat(64)), deployment(1, OLD, OLD_DIGEST, OLD_HASH)];
    const plan = await planRollback({ repo: tmpdir(), stack: 'support-bot.prod', deployments, current: deployments[0].outputs, target: 'cloudrun', to: '1' });
    expect(plan.mode).toBe('image');
    const written = rollbackConfig(plan);
    expect(written).toEqual(ROLLBACK);
    const raw = asPulumiHandsThem('support-bot.prod', overrideConfigText(STACK_FILE, plan.image!, written), SECRETS);
    const r = readStackConfig(raw, ctx);
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (!r.ok) return;
    expect(r.config.imageOverride).toBe(OVERRIDE);
    expect(r.config.rollback).toEqual(written);
  });

  it('a rollback to an explicit --image (nothing known about it): the nulls parse too', async () => {
    const deployments = [deployment(2, MID, NOW_DIGEST, '2'.repeat(64))];
    const image = `r.io/acme/app@${OLD_DIGEST}`;
    const plan = await planRollback({ repo: tmpdir(), stack: 'support-bot.prod', deployments, current: deployments[0].outputs, target: 'cloudrun', image });
    const written = rollbackConfig(plan);
    expect(written).toEqual({ version: { commit: null, branch: null, dirty: false }, contentHash: null, rolledBackFrom: { stackVersion: 2, commit: MID, imageRef: `${REPO}@${NOW_DIGEST}`, restoredStackVersion: null } });
    const r = readStackConfig(asPulumiHandsThem('support-bot.prod', overrideConfigText(STACK_FILE, image, written), SECRETS), ctx);
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (r.ok) expect(r.config.rollback).toEqual(written);
  });
});

describe('catalyst:imageOverride and catalyst:rollback in the stack config', () => {
  const read = (values: Record<string, unknown>, stack = 'support-bot.prod', secretKeys: string[] = []) =>
    readStackConfig({ stack, values: { target: 'cloudrun', gcpProject: 'acme-prod-1', region: 'europe-west1', OPENAI_API_KEY: pulumi.secret('a'), TICKETS_TOKEN: pulumi.secret('b'), ...values }, secretKeys: ['OPENAI_API_KEY', 'TICKETS_TOKEN', ...secretKeys] }, ctx);
  const problems = (r: ReturnType<typeof read>) => (r.ok ? [] : r.problems);

  it('accepts repo:tag and repo@sha256:<64 hex>; both keys default to null', () => {
    for (const ref of [OVERRIDE, `catalyst-support-bot:${OLD_HASH}`, `localhost:5000/app:v1.2`, `registry.fly.io/support-bot-prod@${DIGEST}`, 'ghcr.io/acme/billing:git-0123456789ab']) {
      expect(isImageRef(ref), ref).toBe(true);
      const r = read({ imageOverride: ref });
      expect(problems(r)).toEqual([]);
      if (r.ok) expect(r.config.imageOverride).toBe(ref);
    }
    const r = read({});
    expect(r.ok && [r.config.imageOverride, r.config.rollback]).toEqual([null, null]);
    expect(imageDigestOf(OVERRIDE)).toBe(OLD_DIGEST);
    expect(imageDigestOf(`catalyst-support-bot:${OLD_HASH}`)).toBeNull();
  });

  it('rejects what is not an image reference, saying what is expected', () => {
    for (const bad of ['app', 'App:1', 'r.io/app@sha256:abc', 'r.io/app:', 'r.io/app:tag with space', `r.io/app@sha512:${'a'.repeat(128)}`, 'https://r.io/app:1', `r.io/${'a'.repeat(300)}:1`]) {
      expect(isImageRef(bad), bad).toBe(false);
      expect(problems(read({ imageOverride: bad })), bad).toEqual([
        { key: 'catalyst:imageOverride', message: expect.stringContaining('repo:tag or repo@sha256:<64 hex>'), fix: expect.stringContaining('pulumi config set catalyst:imageOverride') },
      ]);
    }
    expect(problems(read({ imageOverride: pulumi.secret(OVERRIDE) }, 'support-bot.prod', ['imageOverride']))).toEqual([
      expect.objectContaining({ key: 'catalyst:imageOverride', message: 'is set as a secret, but it is a plain setting' }),
    ]);
  });

  it('checks the shape of catalyst:rollback (numbers and booleans may arrive as strings)', () => {
    const loose = { ...ROLLBACK, version: { ...ROLLBACK.version, dirty: 'false' }, rolledBackFrom: { ...ROLLBACK.rolledBackFrom, stackVersion: '2' } };
    const ok = read({ imageOverride: OVERRIDE, rollback: loose });
    expect(ok.ok && ok.config.rollback).toEqual(ROLLBACK);
    const keys = (v: unknown) => problems(read({ imageOverride: OVERRIDE, rollback: v })).map((p) => p.key);
    expect(keys('yes')).toEqual(['catalyst:rollback']);
    expect(keys({ ...ROLLBACK, extra: 1 })).toEqual(['catalyst:rollback']);
    expect(keys({ ...ROLLBACK, contentHash: 'abc' })).toEqual(['catalyst:rollback.contentHash']);
    expect(keys({ ...ROLLBACK, version: { commit: 'not-a-sha', branch: 'main', dirty: false } })).toEqual(['catalyst:rollback.version.commit']);
    expect(keys({ ...ROLLBACK, rolledBackFrom: { ...ROLLBACK.rolledBackFrom, restoredStackVersion: -1 } })).toEqual(['catalyst:rollback.rolledBackFrom.restoredStackVersion']);
    const { rolledBackFrom: _, ...noFrom } = ROLLBACK;
    expect(keys(noFrom)).toEqual(['catalyst:rollback.rolledBackFrom']);
  });

  it('refuses an image override for the local target, pointing at the worktree rollback', () => {
    const r = readStackConfig(raw('billing.local', { target: 'local', imageOverride: `catalyst-billing:${OLD_HASH}` }), ctx);
    expect(problems(r)).toEqual([
      {
        key: 'catalyst:imageOverride',
        message:
          'target local runs no container image, so there is no image to override; a local rollback checks the earlier commit out into a worktree and deploys from there (catalyst rollback billing.local --to <commit>)',
        fix: 'pulumi config rm catalyst:imageOverride --stack billing.local',
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// The program under Pulumi mocks.

installMocks('support-bot.prod');
let program: typeof import('../../src/infra/program.ts');
let root: string;
const dirs: string[] = [];
beforeAll(async () => {
  program = await import('../../src/infra/program.ts');
  root = tempRoot();
  dirs.push(root);
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
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
    env: {},
    generate: generateApp,
    write: writeApp,
    raw: config,
    pulumiProject: 'catalyst',
    readGit: () => GIT,
    readSource: () => null,
    ...over,
  });
  const resolved = await resolveOutputs(outputs);
  await settle();
  return resolved;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected the program to fail');
    },
    (e: Error) => e,
  );
}

const byType = (type: string): Registered[] => registered.filter((r) => r.type === type);
const one = (type: string): Registered => {
  const found = byType(type);
  expect(found, type).toHaveLength(1);
  return found[0];
};
const inputsOf = (r: Registered) => Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, unwrap(v)])) as Record<string, any>;

function expectContract(resolved: Record<string, unknown>): void {
  expect(Object.keys(resolved).sort()).toEqual([...OUTPUT_KEYS].sort());
  expect(stackOutputsSchema.safeParse(resolved).error?.issues ?? []).toEqual([]);
}

const cloudrun = (extra: Record<string, unknown> = {}) => raw('support-bot.prod', { target: 'cloudrun', gcpProject: 'acme-prod-1', region: 'europe-west1', ...extra }, SECRETS);

describe('a rollback run (catalyst:imageOverride + catalyst:rollback)', () => {
  beforeEach(() => peerStacks.set('organization/catalyst/billing.prod', { peerKey: BILLING_SECRETS.peerKey, url: 'https://billing.example.com' }));

  it('cloudrun: builds nothing, deploys the override, keeps the registry, reports the restored deployment', async () => {
    const resolved = await run('support-bot.prod', cloudrun({ imageOverride: OVERRIDE, rollback: ROLLBACK }));
    expect(byType('docker-build:index:Image')).toEqual([]);
    // The Artifact Registry repository holds the very image being restored: still declared.
    expect(inputsOf(one('gcp:artifactregistry/repository:Repository'))).toMatchObject({ repositoryId: 'support-bot-prod' });
    const container = inputsOf(one('gcp:cloudrunv2/service:Service')).template.containers[0];
    expect(container.image).toBe(OVERRIDE);
    const env = Object.fromEntries(container.envs.map((e: any) => [e.name, e.value ?? e.valueSource]));
    // /version of the restored app tells its own commit, not HEAD's.
    expect(env).toMatchObject({ CATALYST_GIT_COMMIT: OLD, CATALYST_GIT_DIRTY: 'false' });
    expectContract(resolved);
    expect(resolved).toMatchObject({
      imageRef: OVERRIDE,
      imageDigest: OLD_DIGEST,
      contentHash: OLD_HASH,
      version: ROLLBACK.version,
      rolledBackFrom: ROLLBACK.rolledBackFrom,
    });
  });

  it('docker: a tag reference runs as is; imageDigest is null', async () => {
    const ref = `catalyst-support-bot:${OLD_HASH}`;
    peerStacks.set('organization/catalyst/billing.dev', { peerKey: BILLING_SECRETS.peerKey, url: 'http://127.0.0.1:24000' });
    const resolved = await run('support-bot.dev', raw('support-bot.dev', { target: 'docker', port: '18081', imageOverride: ref, rollback: ROLLBACK }, SECRETS));
    expect(byType('docker-build:index:Image')).toEqual([]);
    expect(inputsOf(one('docker:index/remoteImage:RemoteImage'))).toMatchObject({ name: ref, keepLocally: true });
    expectContract(resolved);
    expect(resolved).toMatchObject({ target: 'docker', imageRef: ref, imageDigest: null, contentHash: OLD_HASH, version: ROLLBACK.version, rolledBackFrom: ROLLBACK.rolledBackFrom });
  });

  it('fly: the machines run the override', async () => {
    pulumi.runtime.setAllConfig({ 'catalyst:flyApiToken': 'fo1_test' }, ['catalyst:flyApiToken']);
    try {
      const image = `registry.fly.io/support-bot-prod@${OLD_DIGEST}`;
      const resolved = await run('support-bot.prod', raw('support-bot.prod', { target: 'fly', flyOrg: 'acme', flyRegions: 'fra', imageOverride: image, rollback: ROLLBACK }, { ...SECRETS, flyApiToken: 'fo1_test' }));
      expect(byType('docker-build:index:Image')).toEqual([]);
      const machines = registered.find((r) => r.type.endsWith(':FlyMachines'));
      expect(machines && inputsOf(machines).image).toBe(image);
      expectContract(resolved);
      expect(resolved).toMatchObject({ imageRef: image, imageDigest: OLD_DIGEST, rolledBackFrom: ROLLBACK.rolledBackFrom });
    } finally {
      pulumi.runtime.setAllConfig({}, []);
    }
  });

  it('an override without catalyst:rollback: the checkout\'s version, an unknown content hash, no commit in the app env', async () => {
    const resolved = await run('support-bot.prod', cloudrun({ imageOverride: OVERRIDE }));
    expect(byType('docker-build:index:Image')).toEqual([]);
    const env = inputsOf(one('gcp:cloudrunv2/service:Service')).template.containers[0].envs.map((e: any) => e.name);
    expect(env).not.toContain('CATALYST_GIT_COMMIT');
    expectContract(resolved);
    expect(resolved).toMatchObject({ imageRef: OVERRIDE, imageDigest: OLD_DIGEST, contentHash: null, version: { commit: HEAD, branch: 'main', dirty: false }, rolledBackFrom: null });
  });

  it('a normal up builds the image and reports rolledBackFrom: null', async () => {
    const resolved = await run('support-bot.prod', cloudrun());
    expect(byType('docker-build:index:Image')).toHaveLength(1);
    expectContract(resolved);
    expect(resolved.rolledBackFrom).toBeNull();
    expect(resolved).toMatchObject({ imageRef: `${REPO}@${DIGEST}`, version: { commit: HEAD }, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(resolved.contentHash).not.toBe(OLD_HASH);
  });

  it('the local target refuses an override before declaring anything', async () => {
    const err = await failure(run('billing.local', raw('billing.local', { target: 'local', imageOverride: `catalyst-billing:${OLD_HASH}` })));
    expect(err.name).toBe('StackConfigError');
    expect(err.message).toContain('catalyst:imageOverride: target local runs no container image');
    expect(err.message).toContain('catalyst rollback billing.local --to <commit>');
    expect(registered).toEqual([]);
  });

  it('catalyst:requireCleanGit still applies: a *.prod rollback from a dirty checkout is refused', async () => {
    const err = await failure(run('support-bot.prod', cloudrun({ imageOverride: OVERRIDE, rollback: ROLLBACK }), { readGit: () => ({ ...GIT, dirty: true }) }));
    expect(err.message).toContain('support-bot.prod requires a clean git tree (catalyst:requireCleanGit), but the work tree has uncommitted changes');
    expect(registered).toEqual([]);
    await expect(run('support-bot.prod', cloudrun({ imageOverride: OVERRIDE, rollback: ROLLBACK, requireCleanGit: 'false' }), { readGit: () => ({ ...GIT, dirty: true }) })).resolves.toMatchObject({ imageRef: OVERRIDE });
  });
});

describe('CATALYST_STATE_ROOT', () => {
  it('keeps .build/, .catalyst/ and .cache/ in that directory (the local app outlives the worktree)', async () => {
    const state = mkdtempSync(join(tmpdir(), 'catalyst-state-'));
    dirs.push(state);
    const resolved = await run('billing.local', raw('billing.local', { target: 'local', port: '18090' }), { env: { [STATE_ROOT_ENV]: state } });
    const app = inputsOf(one('pulumi-nodejs:dynamic/catalyst:LocalApp'));
    const hash = String(resolved.contentHash);
    expect(app).toMatchObject({
      appDir: join(state, '.build', 'billing', hash),
      runDir: join(state, '.catalyst', 'run', 'billing.local'),
      venvDir: join(state, '.cache', 'venvs'),
    });
    expect(existsSync(join(state, '.build', 'billing', hash, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(root, '.build', 'billing', hash))).toBe(false);
    expectContract(resolved);
  });

  it('reads it from process.env by default; without it everything stays under the program root', async () => {
    const state = mkdtempSync(join(tmpdir(), 'catalyst-state-'));
    dirs.push(state);
    process.env[STATE_ROOT_ENV] = state;
    try {
      await run('billing.local', raw('billing.local', { target: 'local', port: '18090' }), { env: undefined });
      expect(inputsOf(one('pulumi-nodejs:dynamic/catalyst:LocalApp')).runDir).toBe(join(state, '.catalyst', 'run', 'billing.local'));
    } finally {
      delete process.env[STATE_ROOT_ENV];
    }
    registered.length = 0;
    await run('billing.local', raw('billing.local', { target: 'local', port: '18090' }), { env: undefined });
    expect(inputsOf(one('pulumi-nodejs:dynamic/catalyst:LocalApp')).runDir).toBe(join(root, '.catalyst', 'run', 'billing.local'));
  });

  it('must be an absolute path to an existing directory', async () => {
    expect(program.resolveStateRoot('/r', {})).toEqual({ stateRoot: '/r', problem: null });
    expect(program.resolveStateRoot('/r', { [STATE_ROOT_ENV]: '' })).toEqual({ stateRoot: '/r', problem: null });
    expect(program.resolveStateRoot('/r', { [STATE_ROOT_ENV]: 'relative/dir' }).problem).toBe('CATALYST_STATE_ROOT=relative/dir must be an absolute path (the checkout that keeps .build/ and .catalyst/)');
    const missing = join(tmpdir(), 'catalyst-no-such-dir-x9');
    const err = await failure(run('billing.local', raw('billing.local', { target: 'local' }), { env: { [STATE_ROOT_ENV]: missing } }));
    expect(err.message).toContain(`CATALYST_STATE_ROOT=${missing} is not an existing directory`);
    expect(err.message).toContain('fix: unset CATALYST_STATE_ROOT, or set it to the main checkout');
    expect(registered).toEqual([]);
  });
});

describe('a worktree rollback with real git', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();

  it('reads the version and requireCleanGit from the worktree the program runs in, not from the state root', async () => {
    const main = tempRoot();
    const wt = `${mkdtempSync(join(tmpdir(), 'catalyst-wt-'))}/worktree`;
    dirs.push(main, join(wt, '..'));
    git(main, 'init', '-q', '-b', 'main');
    git(main, 'config', 'commit.gpgsign', 'false');
    git(main, 'add', '-A');
    git(main, 'commit', '-qm', 'one');
    const first = git(main, 'rev-parse', 'HEAD');
    writeFileSync(join(main, 'later.txt'), 'x');
    git(main, 'add', '-A');
    git(main, 'commit', '-qm', 'two');
    git(main, 'worktree', 'add', '--detach', '--quiet', wt, first);
    // The main checkout is dirty (.build/ etc. are not ignored here, and an untracked file); the worktree is clean.
    writeFileSync(join(main, 'scratch.txt'), 'wip');
    const stack = raw('billing.prod', { target: 'local', port: '18091' });
    const env = { [STATE_ROOT_ENV]: main };
    const resolved = await run('billing.prod', stack, { root: wt, env, readGit: readGitVersion });
    expect(resolved.version).toEqual({ commit: first, branch: null, dirty: false });
    expect(inputsOf(one('pulumi-nodejs:dynamic/catalyst:LocalApp')).appDir).toBe(join(main, '.build', 'billing', String(resolved.contentHash)));
    expect(git(wt, 'status', '--porcelain')).toBe('');
    // A dirty worktree is refused (billing.prod requires a clean tree); the state root's state does not matter.
    writeFileSync(join(wt, 'scratch.txt'), 'wip');
    registered.length = 0;
    const err = await failure(run('billing.prod', stack, { root: wt, env, readGit: readGitVersion }));
    expect(err.message).toContain('billing.prod requires a clean git tree (catalyst:requireCleanGit), but the work tree has uncommitted changes');
    expect(registered).toEqual([]);
    git(main, 'worktree', 'remove', '--force', wt);
  });
});
