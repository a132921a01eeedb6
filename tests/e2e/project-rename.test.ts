/**
 * `catalyst project rename` with the real engine (.tools/pulumi/bin) and a real git repository (a
 * temporary copy of the repository, harness.ts), its own file backend:
 *
 * - billing.prod holds a resource in its state (a deployment imported with `pulumi stack import`):
 *   the rename is refused, and the files, the git status and the backend are unchanged.
 * - Once billing.prod's state is empty (as after `pulumi destroy`), the rename moves the files,
 *   renames both stacks in the backend with `pulumi stack rename`, and Pulumi reads the renamed
 *   stack files as the renamed stacks' config; git sees the moves as renames.
 *
 * A missing engine fails the suite with the setup command; it is never skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashTree } from '../helpers/cli-workspace.ts';
import { pulumiEnv, realRunner } from '../../src/pulumi/pulumi.ts';
import { E2eRepo, ENGINE_DIR, requirePulumiEngine } from './harness.ts';

let repo: E2eRepo;

function git(...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@catalyst.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo.dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A deployment of billing.prod with `resources` (Pulumi's export format, version 3). */
function deployment(resources: object[]): string {
  const file = repo.path('.tools', 'deployment.json'); // git-excluded in the copy
  writeFileSync(file, JSON.stringify({ version: 3, deployment: { manifest: { time: '2026-01-01T00:00:00Z', magic: '', version: '' }, resources } }));
  return file;
}

/** `<stack>:<resource count>` of every stack in the copy's backend. */
async function stackNames(): Promise<string[]> {
  const r = await realRunner(join(ENGINE_DIR, 'pulumi'))(['stack', 'ls', '--json'], { cwd: repo.dir, env: pulumiEnv(repo.dir, undefined, repo.env) });
  if (r.code !== 0) throw new Error(`pulumi stack ls failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { name: string; resourceCount?: number }[]).map((s) => `${s.name}:${s.resourceCount}`).sort();
}

/** What a refusal must leave alone: definitions, stack files, the backend's files, git's view. */
const snapshot = () => [hashTree(repo.path('projects')), hashTree(repo.path('stacks')), hashTree(repo.path('.pulumi-state')), git('status', '--porcelain')].join('\n');

beforeAll(async () => {
  requirePulumiEngine();
  repo = E2eRepo.create();
  mkdirSync(repo.path('.pulumi-state'));
  await repo.pulumiOk(['stack', 'init', '--secrets-provider', 'passphrase'], 'billing.local'); // the development passphrase of *.local
  repo.env.PULUMI_CONFIG_PASSPHRASE = 'e2e-passphrase';
  await repo.pulumiOk(['stack', 'init', '--secrets-provider', 'passphrase'], 'billing.prod');
  await repo.pulumiOk(['stack', 'import', '--file', deployment([{ urn: 'urn:pulumi:billing.prod::catalyst::pulumi:pulumi:Stack::catalyst-billing.prod', custom: false, type: 'pulumi:pulumi:Stack' }])], 'billing.prod');
  // The salts `stack init` wrote are part of the committed stack files.
  git('add', '-A', 'stacks');
  git('commit', '-q', '-m', 'stacks created');
}, 120_000);

afterAll(async () => {
  await repo?.cleanup();
});

describe('catalyst project rename with the real engine', () => {
  it('refuses while billing.prod holds resources, changing nothing', async () => {
    expect(await stackNames()).toEqual(['billing.local:0', 'billing.prod:1']);
    const before = snapshot();
    const r = await repo.cli(['project', 'rename', 'billing', 'shop']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('- stack billing.prod is deployed (1 resource(s) in its state); destroy it first (pulumi destroy -s billing.prod;');
    expect(r.stdout).toBe('');
    expect(snapshot()).toBe(before);
    expect(await stackNames()).toEqual(['billing.local:0', 'billing.prod:1']);
  });

  it('renames the files and the empty stacks in the backend; Pulumi reads the renamed files as their config', async () => {
    await repo.pulumiOk(['stack', 'import', '--force', '--file', deployment([])], 'billing.prod');
    const salt = /encryptionsalt: .*/.exec(readFileSync(repo.path('stacks/Pulumi.billing.prod.yaml'), 'utf8'))![0];
    const r = await repo.cli(['project', 'rename', 'billing', 'shop']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('stacks renamed in the Pulumi backend (they hold no resources); ran:\n  pulumi stack rename shop.local --stack billing.local\n  pulumi stack rename shop.prod --stack billing.prod\n');
    expect(r.stdout).toContain('not in the Pulumi backend (never created there), so nothing to rename in Pulumi: billing.staging\n');
    expect(await stackNames()).toEqual(['shop.local:0', 'shop.prod:0']);
    expect(readFileSync(repo.path('stacks/Pulumi.shop.prod.yaml'), 'utf8')).toContain(salt);
    expect((await repo.pulumiOk(['config', 'get', 'catalyst:project'], 'shop.prod')).trim()).toBe('shop');
    expect((await repo.pulumiOk(['config', 'get', 'catalyst:target'], 'shop.prod')).trim()).toBe('fly');
    git('add', '-A', 'projects', 'stacks');
    const status = git('status', '--porcelain', '-M', 'projects', 'stacks').split('\n').filter(Boolean).sort();
    expect(status).toContain('R  projects/billing/workflows/lookup.yaml -> projects/shop/workflows/lookup.yaml');
    expect(status).toContain('R  stacks/Pulumi.billing.prod.yaml -> stacks/Pulumi.shop.prod.yaml');
    expect(status).toContain('M  projects/support-bot/workflows/ask.yaml');
    expect(status.filter((l) => l.includes('billing') && !l.startsWith('R'))).toEqual([]);
    const v = await repo.cli(['validate']);
    expect(v.code, v.stderr).toBe(0);
  });
});
