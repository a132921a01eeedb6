import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ListOutput } from '../../src/cli/commands/list.ts';
import { cleanupTemp, hashTree, read, REPO, run, tempRepo } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

/**
 * Project management end to end on a copy of the examples: every step goes through the CLI entry
 * point, and after every step the definitions validate (git is the store: the files are the state).
 */
describe('project management on files', () => {
  it('new → new workflow → call across projects → visibility → move → list → delete', async () => {
    const root = tempRepo();
    const step = async (...argv: string[]) => {
      const r = await run(root, ...argv);
      expect(r.stderr, argv.join(' ')).toBe('');
      expect(r.code, argv.join(' ')).toBe(0);
      const v = await run(root, 'validate');
      expect(v.stderr, `validate after ${argv.join(' ')}`).toBe('');
      return r;
    };

    await step('new', 'project', 'shop', '--description', 'Checkout');
    await step('new', 'workflow', 'shop', 'checkout', '--public', '--path', '/checkout');
    await step('new', 'workflow', 'shop', 'price');

    // The user edits the workflow by hand: checkout calls shop's price in-process and billing over HTTP.
    const file = join(root, 'projects/shop/workflows/checkout.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'nodes:\n',
        'nodes:\n  - id: quote # in-process\n    type: workflowCall\n    workflow: price\n    input: { message: "{{ input.message }}" }\n  - id: plan\n    type: workflowCall\n    workflow: billing/lookup\n    input: { customerId: "{{ input.message }}" }\n',
      ),
    );
    expect((await run(root, 'validate')).code).toBe(0);

    let list = JSON.parse((await step('list', '--json')).stdout) as ListOutput;
    const shop = list.projects.find((p) => p.name === 'shop')!;
    expect(shop.workflows.map((w) => [w.name, w.visibility, w.route && `${w.route.method} ${w.route.path}`])).toEqual([
      ['checkout', 'public', 'POST /checkout'],
      ['price', 'internal', null],
    ]);
    expect(shop.workflows[0].calls.map((c) => `${c.target}:${c.mode}`)).toEqual(['price:in-process', 'billing/lookup:http']);

    // billing/lookup has callers in two projects now: it cannot become internal.
    const refused = await run(root, 'workflow', 'visibility', 'billing/lookup', 'internal');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('shop/checkout (node plan');
    expect(refused.stderr).toContain('support-bot/ask (node plan');

    // Move lookup into shop: shop's call becomes in-process, support-bot's goes to shop.
    const before = hashTree(root);
    const envMissing = await run(root, 'workflow', 'move', 'billing/lookup', 'shop');
    expect(envMissing.code).toBe(1);
    expect(envMissing.stderr).toContain('CURRENCY');
    expect(envMissing.stderr).toContain('BILLING_API_KEY'); // lookup's API key
    expect(hashTree(root)).toBe(before);
    writeFileSync(join(root, 'projects/shop/project.yaml'), read(root, 'projects/shop/project.yaml').replace('secrets: {}', 'secrets:\n  BILLING_API_KEY: API key of lookup').replace('env: {}', 'env:\n  CURRENCY: EUR'));
    await step('workflow', 'move', 'billing/lookup', 'shop');
    expect(read(root, 'projects/shop/workflows/checkout.yaml')).toContain('  - id: quote # in-process\n');
    expect(read(root, 'projects/shop/workflows/checkout.yaml')).toContain('    workflow: lookup\n');
    expect(read(root, 'projects/support-bot/workflows/ask.yaml')).toContain('    workflow: shop/lookup\n');

    // price becomes public (which writes the auth decision a public workflow needs) and back; the
    // file ends as it started but for that decision, which stays for the next time it is made public.
    const price = read(root, 'projects/shop/workflows/price.yaml');
    expect(price).toContain('visibility: internal\ninput:');
    await step('workflow', 'visibility', 'shop/price', 'public');
    expect(read(root, 'projects/shop/workflows/price.yaml')).toMatch(/visibility: public\n[^]*\nauth: none\n/);
    await step('workflow', 'visibility', 'shop/price', 'internal');
    expect(read(root, 'projects/shop/workflows/price.yaml')).toBe(price.replace('visibility: internal\n', 'visibility: internal\nauth: none\n'));

    // billing no longer has callers from other projects; only its stack keeps it from being deleted.
    list = JSON.parse((await step('list', '--json')).stdout) as ListOutput;
    expect(list.projects.find((p) => p.name === 'billing')!.workflows.map((w) => w.name)).toEqual(['charge', 'invoice', 'monthly-fee', 'tax']);
    mkdirSync(join(root, 'stacks'));
    writeFileSync(join(root, 'stacks/Pulumi.billing.dev.yaml'), 'config: {}\n');
    const stacked = await run(root, 'project', 'delete', 'billing');
    expect(stacked.code).toBe(1);
    expect(stacked.stderr).toContain('pulumi destroy -s billing.dev');
    rmSync(join(root, 'stacks/Pulumi.billing.dev.yaml')); // after `pulumi destroy`
    await step('project', 'delete', 'billing');

    // shop is called by support-bot: deleting it needs --force, and leaves support-bot dangling.
    expect((await run(root, 'project', 'delete', 'shop')).code).toBe(1);
    const forced = await run(root, 'project', 'delete', 'shop', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('support-bot/ask (node plan');
    const v = await run(root, 'validate');
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('no project "shop"');
  });

  it('the installed launcher runs the same commands (bin/catalyst.js)', () => {
    const root = tempRepo();
    const node = join(REPO, 'node_modules/.bin/node');
    const r = spawnSync(node, [join(REPO, 'bin/catalyst.js'), 'list', '--json'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as ListOutput).projects.map((p) => p.name)).toEqual(['billing', 'support-bot']);
    const bad = spawnSync(node, [join(REPO, 'bin/catalyst.js'), 'new', 'project', 'Bad'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^catalyst new: invalid project name "Bad": project names are/);
    expect(bad.stderr).not.toMatch(/\s+at /);
  });
});
