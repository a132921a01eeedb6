import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { cleanupTemp, hashTree, listFiles, run, tempRepo, writeFiles } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

describe('catalyst project delete', () => {
  it('deletes a project nothing refers to; the workspace stays valid', async () => {
    const root = tempRepo();
    writeFiles(root, { 'projects/support-bot/workflows/notes.txt': 'not yaml' });
    const r = await run(root, 'project', 'delete', 'support-bot');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('deleted projects/support-bot/\nproject "support-bot" deleted (projects/support-bot); `git status` shows the change\n');
    expect(existsSync(join(root, 'projects/support-bot'))).toBe(false);
    expect(listFiles(join(root, 'projects')).every((f) => f.startsWith('billing/'))).toBe(true);
    expect(loadWorkspace(root, { base: root }).diagnostics).toEqual([]);
  });

  it('refuses while other projects call it, listing the callers', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    const r = await run(root, 'project', 'delete', 'billing');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        'catalyst project: cannot delete project "billing": it is still referenced',
        'callers in other projects:',
        '  support-bot/ask (node plan, projects/support-bot/workflows/ask.yaml:20) calls billing/lookup',
        'resolve these first, or pass --force to delete the project anyway (stack files are kept)',
        '',
      ].join('\n'),
    );
    expect(hashTree(root)).toBe(before);
  });

  it('refuses while stacks exist, saying to pulumi destroy them first', async () => {
    const root = tempRepo();
    writeFiles(root, { 'stacks/Pulumi.support-bot.prod.yaml': 'config: {}\n' });
    const before = hashTree(root);
    const r = await run(root, 'project', 'delete', 'support-bot');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stacks (their resources may still be deployed):\n  stack support-bot.prod (stacks/Pulumi.support-bot.prod.yaml): destroy it with `pulumi destroy -s support-bot.prod`, then delete stacks/Pulumi.support-bot.prod.yaml\n');
    expect(hashTree(root)).toBe(before);
  });

  it('--force deletes the project, keeps the stack files and names what now dangles', async () => {
    const root = tempRepo();
    writeFiles(root, { 'stacks/Pulumi.billing.prod.yaml': 'config: {}\n' });
    const r = await run(root, 'project', 'delete', 'billing', '--force');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'deleted projects/billing/',
        'stacks of "billing" are left in place (their cloud resources are not deleted):',
        '  stack billing.prod (stacks/Pulumi.billing.prod.yaml): destroy it with `pulumi destroy -s billing.prod`, then delete stacks/Pulumi.billing.prod.yaml',
        'these callers now call a project that does not exist; `catalyst validate` reports them until they are changed:',
        '  support-bot/ask (node plan, projects/support-bot/workflows/ask.yaml:20) calls billing/lookup',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(root, 'projects/billing'))).toBe(false);
    expect(existsSync(join(root, 'stacks/Pulumi.billing.prod.yaml'))).toBe(true);
    const v = await run(root, 'validate');
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('projects/support-bot/workflows/ask.yaml:20:15: nodes[0].workflow: no project "billing"');
    expect((await run(root, 'list')).stdout).toContain('stack billing.prod (stacks/Pulumi.billing.prod.yaml) belongs to no project');
  });

  it('deleting the last project is allowed', async () => {
    const root = tempRepo();
    expect((await run(root, 'project', 'delete', 'support-bot')).code).toBe(0);
    expect((await run(root, 'project', 'delete', 'billing')).code).toBe(0);
    expect(listFiles(root).filter((f) => f.startsWith('projects/'))).toEqual([]);
  });

  it('usage errors and unknown projects', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    expect(await run(root, 'project', 'delete', 'biling')).toMatchObject({ code: 1, stderr: expect.stringMatching(/no project "biling" .*\(did you mean "billing"\?\)/) });
    expect((await run(root, 'project', 'delete')).stderr).toMatch(/usage: catalyst project delete <name> \[--force\]/);
    expect((await run(root, 'project')).stderr).toMatch(/say what to do: delete/);
    expect((await run(root, 'project', 'remove', 'billing')).stderr).toMatch(/unknown action "remove": delete/);
    expect((await run(root, 'project', 'delete', 'billing', '--forse')).stderr).toMatch(/unknown option --forse \(did you mean --force\?\)/);
    expect(hashTree(root)).toBe(before);
  });
});
