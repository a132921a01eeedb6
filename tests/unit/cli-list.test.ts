import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ListOutput } from '../../src/cli/commands/list.ts';
import { formatInZone, nextRuns, parseCron } from '../../src/shared/cron.ts';
import { cleanupTemp, run, tempDir, tempRepo, writeFiles } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

describe('catalyst list', () => {
  it('projects, workflows, visibility, routes, calls, secrets, stacks (human)', async () => {
    const root = tempRepo();
    writeFiles(root, { 'stacks/Pulumi.support-bot.prod.yaml': 'config: {}\n', 'stacks/Pulumi.support-bot.dev.yaml': 'config: {}\n' });
    const nextFee = nextRuns(parseCron('0 6 1 * *'), 'Europe/Berlin', Date.now(), 3).map((t) => formatInZone(t, 'Europe/Berlin'));
    const r = await run(root, 'list');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'billing  Customer plans, charges and invoices.',
        '  secrets: BILLING_API_KEY',
        '  stacks:  (none)',
        '  charge       public    POST /charge          calls invoice (in-process)',
        '  invoice      internal                        calls tax (in-process)',
        '  lookup       public    POST /lookup          secrets BILLING_API_KEY',
        '  monthly-fee  internal  schedule 0 6 1 * *    calls invoice (in-process)',
        `               next runs (Europe/Berlin): ${nextFee.join(', ')}`,
        '  tax          internal',
        'support-bot  Answers customer questions; knows their plan from billing.',
        '  secrets: OPENAI_API_KEY, TICKETS_TOKEN',
        '  stacks:  support-bot.dev, support-bot.prod',
        '  ask       public    POST /ask             calls billing/lookup (HTTP), classify (in-process); secrets OPENAI_API_KEY',
        '  classify  internal',
        '  ticket    public    POST /tickets         secrets TICKETS_TOKEN',
        '',
      ].join('\n'),
    );
  });

  it('--json', async () => {
    const root = tempRepo();
    writeFiles(root, { 'stacks/Pulumi.billing.prod.yaml': '', 'stacks/Pulumi.gone.prod.yaml': '' });
    const r = await run(root, 'list', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as ListOutput;
    expect(out.root).toBe('.');
    expect(out.problems).toBe(0);
    expect(out.projects.map((p) => p.name)).toEqual(['billing', 'support-bot']);
    const billing = out.projects[0];
    expect(billing).toMatchObject({ description: 'Customer plans, charges and invoices.', file: 'projects/billing/project.yaml', defaultVisibility: 'internal', secrets: ['BILLING_API_KEY'], env: ['CURRENCY', 'TAX_RATE'] });
    expect(billing.stacks).toEqual([{ name: 'billing.prod', env: 'prod', file: 'stacks/Pulumi.billing.prod.yaml' }]);
    expect(billing.workflows.find((w) => w.name === 'lookup')).toEqual({
      name: 'lookup',
      file: 'projects/billing/workflows/lookup.yaml',
      visibility: 'public',
      route: { method: 'POST', path: '/lookup' },
      calls: [],
      calledBy: [{ project: 'support-bot', workflow: 'ask', node: 'plan', mode: 'http' }],
      secrets: ['BILLING_API_KEY'],
    });
    expect(billing.workflows.find((w) => w.name === 'tax')).toMatchObject({ visibility: 'internal', route: null, calledBy: [{ project: 'billing', workflow: 'invoice', node: 'tax', mode: 'in-process' }] });
    const ask = out.projects[1].workflows.find((w) => w.name === 'ask')!;
    expect(ask.calls).toEqual([
      { node: 'plan', target: 'billing/lookup', project: 'billing', workflow: 'lookup', mode: 'http' },
      { node: 'topic', target: 'classify', project: 'support-bot', workflow: 'classify', mode: 'in-process' },
    ]);
    expect(ask.secrets).toEqual(['OPENAI_API_KEY']);
    expect(out.projects[1].secrets).toEqual(['OPENAI_API_KEY', 'TICKETS_TOKEN']);
    expect(out.orphanStacks).toEqual([{ name: 'gone.prod', env: 'prod', file: 'stacks/Pulumi.gone.prod.yaml' }]);
    const human = await run(root, 'list');
    expect(human.stdout).toContain('stack gone.prod (stacks/Pulumi.gone.prod.yaml) belongs to no project: run `pulumi destroy -s gone.prod`, then delete the file\n');
  });

  it('lists invalid definitions too, with the problem count', async () => {
    const root = tempRepo();
    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), 'catalyst: 1\nname: tax\nnodes: 5\n');
    const r = await run(root, 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  tax          internal\n');
    expect(r.stdout).toMatch(/\n\d+ problem\(s\) in the definitions; run `catalyst validate` for the list\n$/);
    expect(JSON.parse((await run(root, 'list', '--json')).stdout).problems).toBeGreaterThan(0);
  });

  it('works below the root; an empty directory has no projects; a project without workflows', async () => {
    const root = tempRepo();
    await run(root, 'new', 'project', 'empty-one');
    const r = await run(join(root, 'projects/billing'), 'list', '--json');
    const out = JSON.parse(r.stdout) as ListOutput;
    expect(out.root).toBe('../..');
    expect(out.projects.find((p) => p.name === 'empty-one')!.workflows).toEqual([]);
    expect((await run(root, 'list')).stdout).toContain('empty-one\n  secrets: (none)\n  stacks:  (none)\n  (no workflows)\n');
    const empty = tempDir();
    expect(await run(empty, 'list')).toMatchObject({ code: 0, stdout: 'no projects (create one with `catalyst new project <name>`)\n' });
    expect((await run(empty, 'list', 'x')).code).toBe(2);
  });
});
