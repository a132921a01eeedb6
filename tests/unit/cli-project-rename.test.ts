import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { PulumiError, runnerFactory, type PulumiRunner } from '../../src/pulumi/pulumi.ts';
import { cleanupTemp, hashTree, listFiles, read, REPO, run, tempRepo, writeFiles } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

const original = runnerFactory.create;
afterEach(() => {
  runnerFactory.create = original;
});

interface BackendStack {
  name: string;
  resourceCount?: number;
  updateInProgress?: boolean;
}

/**
 * A stand-in for the Pulumi CLI that keeps a backend's stack list: `stack ls --json` prints it and
 * `stack rename` renames in it (refusing an existing name, like Pulumi); `failRename` fails the
 * rename of that stack. Every call is recorded.
 */
function fakeBackend(stacks: BackendStack[], opts: { failRename?: string; failLs?: string } = {}) {
  const calls: string[][] = [];
  const runner: PulumiRunner = async (args) => {
    calls.push(args);
    if (args[0] === 'stack' && args[1] === 'ls') {
      if (opts.failLs) return { code: 255, stdout: '', stderr: opts.failLs };
      return { code: 0, stdout: JSON.stringify(stacks), stderr: '' };
    }
    if (args[0] === 'stack' && args[1] === 'rename') {
      const [to, from] = [args[2], args[args.indexOf('--stack') + 1]];
      if (from === opts.failRename) return { code: 255, stdout: '', stderr: `error: could not rename ${from}: backend unavailable\nmore detail` };
      if (stacks.some((s) => s.name.endsWith(to))) return { code: 255, stdout: '', stderr: `error: a stack named ${to} already exists` };
      const s = stacks.find((x) => x.name.split('/').pop() === from);
      if (!s) return { code: 255, stdout: '', stderr: `error: no stack named '${from}' found` };
      s.name = to;
      return { code: 0, stdout: `Renamed ${from} to ${to}\n`, stderr: '' };
    }
    return { code: 255, stdout: '', stderr: `unexpected pulumi ${args.join(' ')}` };
  };
  runnerFactory.create = () => runner;
  return { calls, stacks };
}

/** The example projects, the example stack files of billing, and a file backend directory. */
function repoWithStacks(): string {
  const root = tempRepo();
  for (const env of ['local', 'prod']) writeFiles(root, { [`stacks/Pulumi.billing.${env}.yaml`]: readFileSync(join(REPO, `stacks/Pulumi.billing.${env}.yaml`)) });
  writeFiles(root, { 'stacks/Pulumi.support-bot.prod.yaml': readFileSync(join(REPO, 'stacks/Pulumi.support-bot.prod.yaml')) });
  mkdirSync(join(root, '.pulumi-state'));
  return root;
}

describe('catalyst project rename', () => {
  it('renames the folder, name:, the callers in other projects and the stack files; the workspace stays valid', async () => {
    const root = repoWithStacks();
    writeFiles(root, { 'projects/billing/notes.bin': Buffer.from([0, 255, 1, 254]) });
    const before = read(root, 'projects/billing/workflows/charge.yaml');
    const { calls } = fakeBackend([{ name: 'support-bot.prod', resourceCount: 12 }]);
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'moved   stacks/Pulumi.billing.local.yaml → stacks/Pulumi.shop.local.yaml',
        'moved   stacks/Pulumi.billing.prod.yaml → stacks/Pulumi.shop.prod.yaml',
        'moved   projects/billing/ → projects/shop/',
        'updated projects/shop/project.yaml',
        'updated projects/support-bot/workflows/ask.yaml',
        'calls rewritten:',
        '  support-bot/ask (node plan): billing/lookup → shop/lookup',
        'not in the Pulumi backend (never created there), so nothing to rename in Pulumi: billing.local, billing.prod',
        'note: support-bot reads shop\'s URL from stack shop.<env> from its next deploy: deploy shop.prod first (catalyst up --env <env> deploys callees first)',
        'project "billing" renamed to "shop"; `git status` shows the change',
        '',
      ].join('\n'),
    );
    expect(calls).toEqual([['stack', 'ls', '--json']]);
    expect(existsSync(join(root, 'projects/billing'))).toBe(false);
    expect(read(root, 'projects/shop/project.yaml')).toBe(readFileSync(join(REPO, 'projects/billing/project.yaml'), 'utf8').replace('\nname: billing\n', '\nname: shop\n'));
    expect(read(root, 'projects/shop/workflows/charge.yaml')).toBe(before);
    expect(readFileSync(join(root, 'projects/shop/notes.bin'))).toEqual(Buffer.from([0, 255, 1, 254]));
    expect(read(root, 'projects/support-bot/workflows/ask.yaml')).toBe(readFileSync(join(REPO, 'projects/support-bot/workflows/ask.yaml'), 'utf8').replace('    workflow: billing/lookup\n', '    workflow: shop/lookup\n'));
    expect(read(root, 'stacks/Pulumi.shop.prod.yaml')).toBe(
      readFileSync(join(REPO, 'stacks/Pulumi.billing.prod.yaml'), 'utf8').replace('# Catalyst stack billing.prod (', '# Catalyst stack shop.prod (').replace('  catalyst:project: billing\n', '  catalyst:project: shop\n'),
    );
    expect(listFiles(join(root, 'stacks'))).toEqual(['Pulumi.shop.local.yaml', 'Pulumi.shop.prod.yaml', 'Pulumi.support-bot.prod.yaml']);
    expect(loadWorkspace(root, { base: root }).diagnostics).toEqual([]);
    expect((await run(root, 'validate')).code).toBe(0);
  });

  it('renames the stacks the backend holds without resources, and prints the commands it ran', async () => {
    const root = repoWithStacks();
    const backend = fakeBackend([{ name: 'billing.local', resourceCount: 0 }, { name: 'organization/catalyst/billing.dev', resourceCount: 0 }, { name: 'support-bot.prod', resourceCount: 3 }]);
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(backend.calls).toEqual([
      ['stack', 'ls', '--json'],
      ['stack', 'rename', 'shop.dev', '--stack', 'billing.dev', '--non-interactive'],
      ['stack', 'rename', 'shop.local', '--stack', 'billing.local', '--non-interactive'],
    ]);
    expect(r.stdout).toContain(
      'stacks renamed in the Pulumi backend (they hold no resources); ran:\n  pulumi stack rename shop.dev --stack billing.dev\n  pulumi stack rename shop.local --stack billing.local\nnot in the Pulumi backend (never created there), so nothing to rename in Pulumi: billing.prod\n',
    );
    expect(backend.stacks.map((s) => s.name)).toEqual(['shop.local', 'shop.dev', 'support-bot.prod']);
    expect(listFiles(join(root, 'stacks'))).toEqual(['Pulumi.shop.local.yaml', 'Pulumi.shop.prod.yaml', 'Pulumi.support-bot.prod.yaml']);
  });

  it('refuses while a stack of the project is deployed, changing nothing', async () => {
    const root = repoWithStacks();
    const backend = fakeBackend([{ name: 'billing.local', resourceCount: 0 }, { name: 'billing.prod', resourceCount: 7 }]);
    const before = hashTree(root);
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'catalyst project: cannot rename project "billing" to "shop":\n' +
        '- stack billing.prod is deployed (7 resource(s) in its state); destroy it first (pulumi destroy -s billing.prod; its resources are named after the project, so a renamed stack would replace them), then rename, then deploy shop.prod\n',
    );
    expect(r.stdout).toBe('');
    expect(hashTree(root)).toBe(before);
    expect(backend.calls).toEqual([['stack', 'ls', '--json']]);
  });

  it('refuses a stack whose state is unknown or being updated, and a new name the backend or stacks/ already has', async () => {
    const root = repoWithStacks();
    writeFiles(root, { 'stacks/Pulumi.shop.prod.yaml': 'config: {}\n' });
    fakeBackend([{ name: 'billing.local' }, { name: 'billing.prod', resourceCount: 0, updateInProgress: true }, { name: 'organization/catalyst/shop.staging', resourceCount: 0 }]);
    const before = hashTree(root);
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      'catalyst project: cannot rename project "billing" to "shop":',
      '- stack billing.local: the Pulumi backend does not say whether it holds resources; destroy it first (pulumi destroy -s billing.local; its resources are named after the project, so a renamed stack would replace them), then rename, then deploy shop.local',
      '- stack billing.prod: an update is in progress; let it finish (or stop it: pulumi cancel -s billing.prod) and try again',
      '- the Pulumi backend already has a stack shop.staging; remove it (pulumi stack rm shop.staging, after pulumi destroy if it holds resources) or choose another name',
      '- stacks/Pulumi.shop.prod.yaml already exists (a stack of no project); remove it or choose another name',
      '',
    ]);
    expect(hashTree(root)).toBe(before);
  });

  it('puts every file and stack back when a Pulumi rename fails midway', async () => {
    const root = repoWithStacks();
    const backend = fakeBackend([{ name: 'billing.local', resourceCount: 0 }, { name: 'billing.prod', resourceCount: 0 }], { failRename: 'billing.prod' });
    const before = hashTree(root);
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'catalyst project: `pulumi stack rename shop.prod --stack billing.prod` failed: error: could not rename billing.prod: backend unavailable\n' +
        'nothing was changed in the files; the stacks renamed in the backend were renamed back (billing.local)\n',
    );
    expect(r.stdout).toBe('');
    expect(hashTree(root)).toBe(before);
    expect(backend.calls.slice(1)).toEqual([
      ['stack', 'rename', 'shop.local', '--stack', 'billing.local', '--non-interactive'],
      ['stack', 'rename', 'shop.prod', '--stack', 'billing.prod', '--non-interactive'],
      ['stack', 'rename', 'billing.local', '--stack', 'shop.local', '--non-interactive'],
    ]);
    expect(backend.stacks.map((s) => s.name)).toEqual(['billing.local', 'billing.prod']);
  });

  it('prints the commands to run when a stack cannot be renamed back', async () => {
    const root = repoWithStacks();
    const backend = fakeBackend([{ name: 'billing.local', resourceCount: 0 }, { name: 'billing.prod', resourceCount: 0 }], { failRename: 'billing.prod' });
    const before = hashTree(root);
    // The rename back fails too (the backend refuses it).
    const realRename = runnerFactory.create(root, {});
    runnerFactory.create = () => async (args, o) => (args[1] === 'rename' && args[2] === 'billing.local' ? { code: 255, stdout: '', stderr: 'error: locked' } : realRename(args, o));
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was changed in the files; these stacks could not be renamed back, run:\n  pulumi stack rename billing.local --stack shop.local\n');
    expect(hashTree(root)).toBe(before);
    expect(backend.stacks.map((s) => s.name)).toEqual(['shop.local', 'billing.prod']);
  });

  it('refuses when the backend cannot be read and the project has stack files', async () => {
    const root = repoWithStacks();
    const before = hashTree(root);
    runnerFactory.create = () => {
      throw new PulumiError('the Pulumi CLI was not found on PATH; install it');
    };
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(
      'catalyst project: cannot rename project "billing" to "shop":\n- its stacks (billing.local, billing.prod) may be deployed, and the Pulumi backend could not be read to tell: the Pulumi CLI was not found on PATH; install it\n',
    );
    fakeBackend([], { failLs: 'error: could not reach the backend' });
    expect((await run(root, 'project', 'rename', 'billing', 'shop')).stderr).toContain('the Pulumi backend could not be read to tell: pulumi stack ls failed: error: could not reach the backend\n');
    expect(hashTree(root)).toBe(before);
  });

  it('without stack files an unreadable backend is a note, and without a backend directory Pulumi is not needed', async () => {
    const root = tempRepo();
    mkdirSync(join(root, '.pulumi-state'));
    fakeBackend([], { failLs: 'error: could not reach the backend' });
    const r = await run(root, 'project', 'rename', 'support-bot', 'helpdesk');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(
      'note: the Pulumi backend could not be read (pulumi stack ls failed: error: could not reach the backend); if it holds a stack support-bot.<env>, rename it: pulumi stack rename helpdesk.<env> --stack support-bot.<env>\n',
    );
    const bare = tempRepo();
    runnerFactory.create = () => {
      throw new Error('Pulumi must not be needed');
    };
    const b = await run(bare, 'project', 'rename', 'billing', 'payments');
    expect(b).toMatchObject({ code: 0, stderr: '' });
    expect(b.stdout).not.toContain('Pulumi');
    expect(existsSync(join(bare, '.pulumi-state'))).toBe(false);
    expect(read(bare, 'projects/support-bot/workflows/ask.yaml')).toContain('    workflow: payments/lookup\n');
  });

  it('refuses a taken or invalid new name, an unknown project and invalid definitions, changing nothing', async () => {
    const root = tempRepo();
    writeFiles(root, { 'projects/shop/README.md': 'not a project yet\n' });
    const before = hashTree(root);
    expect(await run(root, 'project', 'rename', 'billing', 'support-bot')).toMatchObject({
      code: 1,
      stderr: 'catalyst project: project "support-bot" already exists (projects/support-bot); choose another name\n',
    });
    expect(await run(root, 'project', 'rename', 'billing', 'shop')).toMatchObject({
      code: 1,
      stderr: 'catalyst project: projects/shop already exists (it is not a project: no project.yaml); move it away or choose another name\n',
    });
    const bad = await run(root, 'project', 'rename', 'billing', 'Shop');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('catalyst project: invalid project name "Shop": project names are 2–40 characters: lower-case letters, digits and -, starting with a letter and not ending with -, e.g. support-bot\n');
    expect(await run(root, 'project', 'rename', 'biling', 'payments')).toMatchObject({ code: 1, stderr: expect.stringMatching(/no project "biling" .*\(did you mean "billing"\?\)/) });
    expect((await run(root, 'project', 'rename', 'billing')).stderr).toBe('catalyst project: usage: catalyst project rename <old> <new>\n');
    expect((await run(root, 'project', 'rename', 'billing', 'a', 'b')).code).toBe(2);
    expect(await run(root, 'project', 'rename', 'billing', 'billing')).toMatchObject({ code: 0, stdout: 'project "billing" already has that name; nothing changed\n' });
    expect(hashTree(root)).toBe(before);

    writeFiles(root, { 'projects/billing/workflows/tax.yaml': 'catalyst: 1\nname: tax\nnodes: []\n' });
    const broken = hashTree(root);
    const r = await run(root, 'project', 'rename', 'billing', 'payments');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^catalyst project: cannot rename project "billing": the definitions have \d+ problem\(s\); fix them first \(catalyst validate\):\n/);
    expect(r.stderr).toContain('  projects/billing/workflows/tax.yaml:3:8: nodes: a workflow needs at least one node\n');
    expect(hashTree(root)).toBe(broken);
  });

  it('refuses when a stack file of the project cannot be edited, naming it', async () => {
    const root = tempRepo();
    writeFiles(root, { 'stacks/Pulumi.billing.dev.yml': 'config:\n  catalyst:project: billing\n  bad: [unclosed\n' });
    const before = hashTree(root);
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^catalyst project: cannot rename project "billing" to "shop":\n- stacks\/Pulumi\.billing\.dev\.yml: cannot edit a file with YAML errors: .*; fix the file first\n$/);
    expect(hashTree(root)).toBe(before);
    writeFiles(root, { 'stacks/Pulumi.billing.dev.yml': '# hand-written\nconfig:\n  catalyst:project: billing # the project\n' });
    expect((await run(root, 'project', 'rename', 'billing', 'shop')).code).toBe(0);
    expect(read(root, 'stacks/Pulumi.shop.dev.yml')).toBe('# hand-written\nconfig:\n  catalyst:project: shop # the project\n');
  });

  it('says to regenerate the CI workflows when they name the old stacks', async () => {
    const root = repoWithStacks();
    writeFiles(root, { '.github/workflows/catalyst-deploy.yml': 'jobs:\n  deploy_billing_prod:\n    with: { stack: billing.prod }\n', '.github/workflows/catalyst-pr.yml': 'on: pull_request\n' });
    fakeBackend([]);
    const r = await run(root, 'project', 'rename', 'billing', 'shop');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('note: .github/workflows/catalyst-deploy.yml name the old stacks; regenerate them: npx catalyst ci init --force\n');
    expect(read(root, '.github/workflows/catalyst-deploy.yml')).toContain('billing.prod');
  });

  it('is listed in the help of catalyst project', async () => {
    const r = await run(tempRepo(), 'help', 'project');
    expect(r.stdout).toContain('catalyst project rename <old> <new>');
    expect(r.stdout).toContain('rename  renames projects/<old>/ to projects/<new>/');
    expect((await run(tempRepo(), 'project', 'move', 'x')).stderr).toBe(
      'catalyst project: unknown action "move": delete, rename\nusage: catalyst project delete <name> [--force]\n       catalyst project rename <old> <new>\n',
    );
  });
});
