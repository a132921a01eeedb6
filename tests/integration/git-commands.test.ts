/**
 * `catalyst history`, `diff` and `rollback` in process (main), on temporary git repositories, with a
 * fake Pulumi runner answering from fixture JSON and recording every call.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { gitopsRunner } from '../../src/gitops/stack.ts';
import { PulumiError } from '../../src/pulumi/pulumi.ts';
import { type Call, commit, context, digestOf, type FakeOptions, fakePulumi, git, historyEntry, IMAGE_REPO, makeRepo, outputsFor, stateDoc } from './git-helpers.ts';

const original = gitopsRunner.create;
const repos: string[] = [];
let calls: Call[] = [];

function usePulumi(o: FakeOptions): void {
  const f = fakePulumi(o);
  calls = f.calls;
  gitopsRunner.create = () => f.runner;
}

function setup(): { repo: string; a: string; b: string; c: string } {
  const { repo, first: a } = makeRepo();
  repos.push(repo);
  const ask = readFileSync(join(repo, 'projects/support-bot/workflows/ask.yaml'), 'utf8');
  const b = commit(repo, 'ask: better wording', { 'projects/support-bot/workflows/ask.yaml': ask.replace("Answer a customer's question", 'Answer any question') });
  const c = commit(repo, 'shared: runtime helper', { 'src/runtime-helper.ts': 'export const x = 1;\n', 'docs/notes.md': 'notes\n' });
  return { repo, a, b, c };
}

function prodFixture(a: string, b: string, c: string): FakeOptions {
  return {
    history: {
      'support-bot.prod': [historyEntry(1, a), historyEntry(2, b, { dirty: true }), historyEntry(3, c, { result: 'failed' }), historyEntry(4, null, { kind: 'refresh', changes: { same: 6 } })],
    },
    outputs: { 'support-bot.prod': outputsFor(2, b) },
    exports: { 'support-bot.prod': { 1: stateDoc(outputsFor(1, a), 'export'), 2: stateDoc(outputsFor(2, b), 'export') } },
  };
}

beforeEach(() => {
  calls = [];
});
afterEach(() => {
  gitopsRunner.create = original;
  for (const r of repos.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('catalyst history', () => {
  it('lists deployments with commit, dirty flag, changes and image', async () => {
    const { repo, a, b, c } = setup();
    usePulumi(prodFixture(a, b, c));
    const { ctx, io } = context(repo);
    expect(await main(['history', 'support-bot.prod'], ctx)).toBe(0);
    const lines = io.out.trim().split('\n');
    expect(lines[0]).toBe('support-bot.prod: 4 update(s), newest first');
    expect(lines[1]).toMatch(/^#\s+started \(UTC\)\s+kind\s+result\s+changes\s+commit\s+image$/);
    expect(lines[2]).toMatch(/^4\s+2026-03-04 10:00:00Z\s+refresh\s+succeeded\s+no changes\s+-\s+-$/);
    expect(lines[3]).toMatch(new RegExp(`^3 .* update\\s+failed\\s+~1\\s+${c.slice(0, 7)}\\s+-$`));
    expect(lines[4]).toMatch(new RegExp(`^2 .* succeeded\\s+~1\\s+${b.slice(0, 7)}\\s+${IMAGE_REPO}@sha256:222222222222…$`));
    expect(lines[5]).toMatch(new RegExp(`^1 .* succeeded\\s+\\+5\\s+${a.slice(0, 7)}\\s+${IMAGE_REPO}@sha256:111111111111…$`));
    expect(calls.map((x) => x.args.slice(0, 2).join(' '))).toEqual(['stack history', 'stack export', 'stack export']);
    // No engine built in this repository and no CATALYST_OFFLINE: Pulumi's own settings are left alone.
    expect(calls[0].env.PULUMI_SKIP_UPDATE_CHECK).toBeUndefined();
    expect(calls[0].env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBeUndefined();
    expect(calls[0].cwd).toBe(repo);
  });

  it('prints JSON for machines and marks rollbacks', async () => {
    const { repo, a, b, c } = setup();
    const fx = prodFixture(a, b, c);
    fx.history!['support-bot.prod'].push(historyEntry(5, c, { override: `${IMAGE_REPO}@${digestOf(1)}` }));
    fx.exports!['support-bot.prod'][5] = stateDoc(outputsFor(1, a, { rolledBackFrom: { stackVersion: 2, commit: b, imageRef: 'x', restoredStackVersion: 1 } }), 'export');
    usePulumi(fx);
    const { ctx, io } = context(repo);
    expect(await main(['history', 'support-bot.prod', '--json', '--limit', '3'], ctx)).toBe(0);
    const j = JSON.parse(io.out) as { stack: string; snapshots: string; deployments: { stackVersion: number; git: { commit: string }; imageOverride: string | null; outputs: { version: { commit: string }; rolledBackFrom: unknown } | null }[] };
    expect(j.stack).toBe('support-bot.prod');
    expect(j.snapshots).toBe('export');
    expect(j.deployments.map((d) => d.stackVersion)).toEqual([5, 4, 3]);
    expect(j.deployments[0].imageOverride).toBe(`${IMAGE_REPO}@${digestOf(1)}`);
    expect(j.deployments[0].outputs?.version.commit).toBe(a);
    expect(j.deployments[0].git.commit).toBe(c);
    expect(calls[0].args).toContain('3');
    const text = context(repo);
    usePulumi(fx);
    expect(await main(['history', 'support-bot.prod'], text.ctx)).toBe(0);
    expect(text.io.out).toMatch(new RegExp(`^5 .*${a.slice(0, 7)}\\s+\\S+111111111111…\\s+rollback of #1$`, 'm'));
  });

  it('explains bad input and pulumi failures', async () => {
    const { repo } = setup();
    usePulumi({});
    let t = context(repo);
    expect(await main(['history'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/name a stack, e\.g\. support-bot\.prod \(stacks here: billing\.prod, billing\.staging, support-bot\.local/);
    t = context(repo);
    expect(await main(['history', 'support-bot'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/"support-bot" is not a stack name: stacks are named <project>\.<env>/);
    t = context(repo);
    expect(await main(['history', 'support-bot.prod', '--limit', '0'], t.ctx)).toBe(2);
    t = context(repo);
    expect(await main(['history', 'a.b', 'c.d'], t.ctx)).toBe(2);
    t = context(repo);
    expect(await main(['history', 'support-bot.prod'], t.ctx)).toBe(1);
    expect(t.io.err).toBe("catalyst history: pulumi stack history failed: no stack named 'support-bot.prod' found\n");
    usePulumi({ history: { 'billing.prod': [] } });
    t = context(repo);
    expect(await main(['history', 'billing.prod'], t.ctx)).toBe(0);
    expect(t.io.out).toBe('billing.prod: no deployments yet\n');
    gitopsRunner.create = () => {
      throw new PulumiError('the Pulumi CLI was not found: run `scripts/setup-engine.sh`');
    };
    t = context(repo);
    expect(await main(['history', 'billing.prod'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/Pulumi CLI was not found/);
  });

  it('says when no outputs were recorded', async () => {
    const { repo, a } = setup();
    usePulumi({ history: { 's.prod': [historyEntry(1, a)] }, noExport: true });
    const t = context(repo);
    expect(await main(['history', 's.prod'], t.ctx)).toBe(0);
    expect(t.io.err).toMatch(/warning: outputs of earlier versions are unavailable/);
    expect(t.io.out).toMatch(/no outputs recorded for these updates: images unknown/);
  });
});

describe('catalyst diff', () => {
  it('maps the changes since the deployed commit to projects and workflows, flags uncommitted ones', async () => {
    const { repo, a, b, c } = setup();
    usePulumi({ outputs: { 'support-bot.prod': outputsFor(1, a) } });
    writeFileSync(join(repo, 'projects/billing/workflows/tax.yaml'), readFileSync(join(repo, 'projects/billing/workflows/tax.yaml'), 'utf8').replace(/^description: .*$/m, 'description: tax v2'));
    writeFileSync(join(repo, 'stacks/Pulumi.support-bot.prod.yaml'), 'config:\n  catalyst:target: fly\n');
    const { ctx, io } = context(repo);
    expect(await main(['diff', 'support-bot.prod'], ctx)).toBe(0);
    expect(io.out).toBe(
      [
        `support-bot.prod: deployed ${a.slice(0, 7)} (stack outputs (version)) → HEAD ${c.slice(0, 7)}, 2 commit(s) + 2 uncommitted file(s)`,
        '  all projects (shared code):',
        '      A src/runtime-helper.ts',
        '  project billing: workflows tax',
        '      M projects/billing/workflows/tax.yaml  (uncommitted)',
        '  project support-bot (this stack): workflows ask',
        '      M projects/support-bot/workflows/ask.yaml',
        '  stack config support-bot.prod:',
        '      M stacks/Pulumi.support-bot.prod.yaml  (uncommitted)',
        '  not deployed (docs, tests, …): 1 file(s)',
        'support-bot.prod is affected (shared code, project support-bot, stack config): deploy it with `catalyst up --env prod`',
        '',
      ].join('\n'),
    );
    const j = context(repo);
    usePulumi({ outputs: { 'support-bot.prod': outputsFor(1, a) } });
    expect(await main(['diff', 'support-bot.prod', '--json'], j.ctx)).toBe(0);
    const out = JSON.parse(j.io.out) as { deployed: { commit: string }; head: string; commits: { commit: string }[]; affected: { affected: boolean }; affectedProjects: string[]; deployedIsAncestor: boolean; uncommittedFiles: number };
    expect(out.deployed.commit).toBe(a);
    expect(out.head).toBe(c);
    expect(out.commits.map((x) => x.commit)).toEqual([c, b]);
    expect(out.affected.affected).toBe(true);
    expect(out.affectedProjects).toEqual(['billing', 'support-bot']);
    expect(out.deployedIsAncestor).toBe(true);
    expect(out.uncommittedFiles).toBe(2);
  });

  it('compares --from a commit, exits 1 with --exit-code when affected, 0 when not', async () => {
    const { repo, b, c } = setup();
    usePulumi({});
    let t = context(repo);
    expect(await main(['diff', 'billing.prod', '--from', c, '--exit-code'], t.ctx)).toBe(0);
    expect(t.io.out).toMatch(/billing\.prod: deployed \w{7} \(--from\) → HEAD \w{7}, 0 commit\(s\)\n  no changes\nbilling\.prod is not affected/);
    t = context(repo);
    expect(await main(['diff', 'billing.prod', '--from', b, '--exit-code'], t.ctx)).toBe(1);
    t = context(repo);
    expect(await main(['diff', 'support-bot.prod', '--from', 'HEAD~2', '--exit-code'], t.ctx)).toBe(1);
    expect(calls).toEqual([]);
  });

  it('falls back to the newest deployment in the history, and notes dirty and diverged deploys', async () => {
    const { repo, a, b } = setup();
    git(repo, 'checkout', '-q', '-b', 'side', a);
    const s = commit(repo, 'side work', { 'projects/billing/workflows/charge.yaml': readFileSync(join(repo, 'projects/billing/workflows/charge.yaml'), 'utf8').replace(/^description: .*$/m, 'description: side') });
    git(repo, 'checkout', '-q', 'main');
    usePulumi({ history: { 'billing.prod': [historyEntry(1, b), historyEntry(2, s, { dirty: true })] }, outputs: { 'billing.prod': { url: 'x' } } });
    const t = context(repo);
    expect(await main(['diff', 'billing.prod'], t.ctx)).toBe(0);
    expect(t.io.out).toContain(`deployed ${s.slice(0, 7)} (stack history (#2))`);
    expect(t.io.out).toContain('note: it was deployed from a dirty tree');
    expect(t.io.out).toContain(`note: ${s.slice(0, 7)} is not an ancestor of HEAD`);
    expect(t.io.out).toContain('project billing (this stack): workflows charge');
  });

  it('explains a missing or unknown deployed commit', async () => {
    const { repo } = setup();
    usePulumi({ history: { 'billing.prod': [historyEntry(1, null)] } });
    let t = context(repo);
    expect(await main(['diff', 'billing.prod'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/no deployed commit recorded for billing\.prod .*compare with --from <commit>/);
    usePulumi({ outputs: { 'billing.prod': outputsFor(1, 'f'.repeat(40)) } });
    t = context(repo);
    expect(await main(['diff', 'billing.prod'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/unknown commit "f{40}" in this repository: fetch it/);
    t = context(repo);
    expect(await main(['diff', 'billing.prod', 'x'], t.ctx)).toBe(2);
  });
});

describe('catalyst rollback (image targets)', () => {
  it('redeploys the earlier image through a temporary config copy, leaving stacks/ and the tree clean', async () => {
    const { repo, a, b, c } = setup();
    usePulumi(prodFixture(a, b, c));
    const before = readFileSync(join(repo, 'stacks/Pulumi.support-bot.prod.yaml'), 'utf8');
    const { ctx, io } = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', a.slice(0, 9)], ctx)).toBe(0);
    const up = calls.find((x) => x.args[0] === 'up')!;
    expect(up.args.slice(0, 5)).toEqual(['up', '--yes', '--non-interactive', '--stack', 'support-bot.prod']);
    expect(up.args).toContain('--config-file');
    expect(up.args[up.args.indexOf('--message') + 1]).toBe(`catalyst rollback to deployment #1 (image ${IMAGE_REPO}@${digestOf(1)})`);
    expect(up.cwd).toBe(repo);
    expect(up.configFile).toContain("# the stack's config");
    expect(up.configFile).toContain(`catalyst:imageOverride: ${IMAGE_REPO}@${digestOf(1)}`);
    expect(up.configFile).toContain('catalyst:region: europe-west1');
    const { parse } = await import('yaml');
    const cfg = parse(up.configFile!) as { config: Record<string, unknown> };
    expect(cfg.config['catalyst:rollback']).toEqual({
      version: { commit: a, branch: 'main', dirty: false },
      contentHash: outputsFor(1, a).contentHash,
      rolledBackFrom: { stackVersion: 2, commit: b, imageRef: `${IMAGE_REPO}@${digestOf(2)}`, restoredStackVersion: 1 },
    });
    const tmpCopy = up.args[up.args.indexOf('--config-file') + 1];
    expect(tmpCopy.startsWith(tmpdir())).toBe(true);
    expect(existsSync(tmpCopy)).toBe(false);
    expect(readFileSync(join(repo, 'stacks/Pulumi.support-bot.prod.yaml'), 'utf8')).toBe(before);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(io.out).toContain('rollback support-bot.prod to deployment #1 (matched by commit)');
    expect(io.out).toContain(`image:   ${IMAGE_REPO}@${digestOf(1)}`);
    expect(io.out).toContain('Updating (fake)');
    expect(io.out).toMatch(/rolled back to #1 \(\w{7}\)\. The next `catalyst up` deploys HEAD again\.\n$/);
  });

  it('matches --to by stack version, tag and content hash; --dry-run and --json run nothing', async () => {
    const { repo, a, b, c } = setup();
    git(repo, 'tag', 'v1.0', a);
    for (const to of ['1', '#1', 'v1.0', outputsFor(1, a).contentHash!.toString().slice(0, 10)]) {
      usePulumi(prodFixture(a, b, c));
      const t = context(repo);
      expect(await main(['rollback', 'support-bot.prod', '--to', to, '--dry-run'], t.ctx)).toBe(0);
      expect(t.io.out).toContain('to deployment #1');
      expect(calls.some((x) => x.args[0] === 'up')).toBe(false);
    }
    usePulumi(prodFixture(a, b, c));
    const t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', '1', '--json', '--dry-run'], t.ctx)).toBe(0);
    const plan = JSON.parse(t.io.out) as { mode: string; image: string; matchedBy: string; dryRun: boolean };
    expect(plan).toMatchObject({ mode: 'image', image: `${IMAGE_REPO}@${digestOf(1)}`, matchedBy: 'stack version', dryRun: true });
  });

  it('does nothing when the stack already runs that image', async () => {
    const { repo, a, b, c } = setup();
    usePulumi(prodFixture(a, b, c));
    const t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', b], t.ctx)).toBe(0);
    expect(t.io.out).toContain('already runs it: nothing to do');
    expect(calls.some((x) => x.args[0] === 'up')).toBe(false);
  });

  it('refuses what it cannot roll back to, listing recent deployments', async () => {
    const { repo, a, b, c } = setup();
    usePulumi(prodFixture(a, b, c));
    let t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', c], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(new RegExp(`no successful deployment of support-bot\\.prod matches commit ${c.slice(0, 7)}.*; recent ones:\\n  #2 .*\\n  #1 .*\\nSee them all with \`catalyst history support-bot\\.prod\``, 's'));
    t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', '3'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/stack version 3 of support-bot\.prod is a failed update, not a successful update/);
    t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', '9'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/matches stack version 9/);
    t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', 'no-such-thing'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/matches "no-such-thing" \(not a stack version, a known commit or a content hash\)/);
    t = context(repo);
    expect(await main(['rollback', 'support-bot.prod'], t.ctx)).toBe(2);
    expect(t.io.err).toMatch(/--to <commit\|stack version\|content hash>/);
    t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--image', 'not an image'], t.ctx)).toBe(2);
    t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--image', `r.io/a@${digestOf(1)}`, '--rebuild'], t.ctx)).toBe(2);
    expect(calls.some((x) => x.args[0] === 'up')).toBe(false);
    usePulumi({ history: { 'support-bot.prod': [historyEntry(1, a), historyEntry(2, b)] }, noExport: true, outputs: { 'support-bot.prod': outputsFor(2, b) } });
    t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', a], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/deployment #1 of support-bot\.prod recorded no image \(imageRef output\) \(target cloudrun\); pass the image with --image <repo@sha256:…>, or rebuild that commit with --rebuild/);
  });

  it('rolls back to an explicit --image, and reports a failed pulumi up', async () => {
    const { repo, a, b, c } = setup();
    usePulumi({ ...prodFixture(a, b, c), upCode: 255 });
    const t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--image', `r.io/app@${digestOf(7)}`], t.ctx)).toBe(1);
    const up = calls.find((x) => x.args[0] === 'up')!;
    expect(up.configFile).toContain(`catalyst:imageOverride: r.io/app@${digestOf(7)}`);
    expect(t.io.err).toMatch(/pulumi up failed \(exit 255\)/);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('keeps stdout for the JSON plan when it runs, and warns about a dirty tree', async () => {
    const { repo, a, b, c } = setup();
    usePulumi(prodFixture(a, b, c));
    writeFileSync(join(repo, 'scratch.txt'), 'uncommitted');
    const t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', '1', '--json'], t.ctx)).toBe(0);
    expect(JSON.parse(t.io.out)).toMatchObject({ stack: 'support-bot.prod', mode: 'image', dryRun: false, current: false });
    expect(t.io.err).toContain('warning: the work tree has uncommitted changes');
    expect(t.io.err).toContain('Updating (fake)');
    expect(t.io.err).toContain('rolled back to #1');
  });

  it('needs the stack config file', async () => {
    const { repo, a, b, c } = setup();
    usePulumi(prodFixture(a, b, c));
    rmSync(join(repo, 'stacks/Pulumi.support-bot.prod.yaml'));
    const t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', '1'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/no stacks\/Pulumi\.support-bot\.prod\.yaml: the rollback reuses the stack's config/);
  });

  it('reads checkpoints of the file backend', async () => {
    const { repo, a, b } = setup();
    const dir = join(repo, '.pulumi-state', '.pulumi', 'history', 'catalyst', 'billing.prod');
    mkdirSync(dir, { recursive: true });
    for (const [v, sha] of [[1, a], [2, b]] as const) {
      writeFileSync(join(dir, `billing.prod-${v}.history.json`), JSON.stringify({ version: v }));
      writeFileSync(join(dir, `billing.prod-${v}.checkpoint.json`), JSON.stringify(stateDoc(outputsFor(v, sha), 'checkpoint')));
    }
    usePulumi({ history: { 'billing.prod': [historyEntry(1, a), historyEntry(2, b)] }, outputs: { 'billing.prod': outputsFor(2, b) } });
    const t = context(repo, { PULUMI_BACKEND_URL: '' });
    expect(await main(['rollback', 'billing.prod', '--to', a], t.ctx)).toBe(0);
    const up = calls.find((x) => x.args[0] === 'up')!;
    expect(up.env.PULUMI_BACKEND_URL).toBe(`file://${join(repo, '.pulumi-state')}`);
    expect(up.configFile).toContain(`${IMAGE_REPO}@${digestOf(1)}`);
    expect(calls.some((x) => x.args[1] === 'export')).toBe(false);
  });
});

describe('catalyst rollback (local target: a worktree of the earlier commit)', () => {
  function localFixture(a: string, b: string): FakeOptions {
    const local = (n: number, sha: string) => ({ ...outputsFor(n, sha), target: 'local', imageRef: null, imageDigest: null });
    return {
      history: { 'support-bot.local': [historyEntry(1, a), historyEntry(2, b)] },
      outputs: { 'support-bot.local': local(2, b) },
      exports: { 'support-bot.local': { 1: stateDoc(local(1, a), 'export'), 2: stateDoc(local(2, b), 'export') } },
    };
  }

  it('runs pulumi up from a clean worktree of that commit, then removes it', async () => {
    const { repo, a, b } = setup();
    mkdirSync(join(repo, 'node_modules', '@pulumi'), { recursive: true });
    usePulumi(localFixture(a, b));
    const { ctx, io } = context(repo);
    expect(await main(['rollback', 'support-bot.local', '--to', a], ctx)).toBe(0);
    const up = calls.find((x) => x.args[0] === 'up')!;
    const wt = up.args[up.args.indexOf('--cwd') + 1];
    expect(up.cwd).toBe(wt);
    expect(up.args).not.toContain('--config-file');
    expect(up.worktree).toMatchObject({ head: a, status: '', stackFile: true });
    expect(up.worktree!.files).toContain('projects/support-bot/workflows/ask.yaml');
    expect(up.worktree!.files).not.toContain('src/runtime-helper.ts');
    expect(up.env.PULUMI_CONFIG_PASSPHRASE).toBe('catalyst-local-dev');
    expect(up.env.CATALYST_STATE_ROOT).toBe(repo);
    expect(up.env.PULUMI_BACKEND_URL).toBe('https://api.pulumi.com');
    expect(existsSync(wt)).toBe(false);
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1);
    // the temporary folder that held the worktree (the first part of its path under tmpdir) is gone too
    const holder = relative(tmpdir(), wt).split(sep)[0];
    expect(holder).toMatch(/^catalyst-rollback-/);
    expect(readdirSync(tmpdir())).not.toContain(holder);
    expect(io.out).toContain('how:     pulumi up from a temporary git worktree');
    expect(io.err).toContain(`checked out ${a.slice(0, 7)} into ${wt}`);
  });

  it('keeps the worktree on request; uses the current stack config when that commit had none', async () => {
    const { repo, a, b } = setup();
    const { repo: r2 } = { repo };
    const noStack = commit(r2, 'drop local stack', { 'stacks/Pulumi.support-bot.local.yaml': null });
    commit(r2, 'bring it back', { 'stacks/Pulumi.support-bot.local.yaml': 'config:\n  catalyst:target: local\n' });
    const fx = localFixture(a, b);
    fx.history!['support-bot.local'].push(historyEntry(3, noStack));
    usePulumi(fx);
    const t = context(repo);
    expect(await main(['rollback', 'support-bot.local', '--to', '3', '--keep-worktree'], t.ctx)).toBe(0);
    const up = calls.find((x) => x.args[0] === 'up')!;
    expect(up.worktree!.stackFile).toBe(false);
    expect(up.configFile).toBe('config:\n  catalyst:target: local\n');
    const wt = up.args[up.args.indexOf('--cwd') + 1];
    expect(existsSync(wt)).toBe(true);
    expect(t.io.out).toContain(`worktree kept at ${wt}`);
    git(repo, 'worktree', 'remove', '--force', wt);
    rmSync(join(wt, '..'), { recursive: true, force: true });
  });

  it('rebuilds an image target from a worktree with --rebuild, and removes the worktree when up fails', async () => {
    const { repo, a, b, c } = setup();
    usePulumi({ ...prodFixture(a, b, c), upCode: 1 });
    const t = context(repo);
    expect(await main(['rollback', 'support-bot.prod', '--to', a, '--rebuild'], t.ctx)).toBe(1);
    const up = calls.find((x) => x.args[0] === 'up')!;
    expect(up.worktree!.head).toBe(a);
    expect(existsSync(up.args[up.args.indexOf('--cwd') + 1])).toBe(false);
  });

  it('does nothing when that commit already runs', async () => {
    const { repo, a, b } = setup();
    usePulumi(localFixture(a, b));
    const t = context(repo);
    expect(await main(['rollback', 'support-bot.local', '--to', b], t.ctx)).toBe(0);
    expect(t.io.out).toContain('already runs it: nothing to do');
  });
});
