import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { command as list } from '../../src/cli/commands/list.ts';
import { main } from '../../src/cli/main.ts';
import { PulumiError } from '../../src/pulumi/pulumi.ts';
import { UserError } from '../../src/shared/errors.ts';
import { cleanupTemp, hashTree, run, tempDir } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);
afterEach(() => vi.restoreAllMocks());

describe('the CLI entry point with the project commands', () => {
  it('help lists the project-management commands', async () => {
    const r = await run('/', 'help');
    expect(r.code).toBe(0);
    for (const name of ['list', 'new', 'project', 'workflow', 'validate', 'schemas']) expect(r.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
    expect((await run('/')).stdout).toBe(r.stdout);
    expect(await run('/', 'help', 'nope')).toMatchObject({ code: 2, stderr: 'catalyst: no command "nope"\n' });
    expect((await run('/', 'workflow', '--help')).stdout).toMatch(/^catalyst workflow move/);
  });

  it('unknown commands get a suggestion', async () => {
    expect(await run('/', 'lsit')).toMatchObject({ code: 2, stderr: 'catalyst: unknown command "lsit" (did you mean "list"?)\nRun `catalyst help` for the list.\n' });
  });

  it('a file-system failure while writing is a refusal, and nothing changes', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'projects'), 'a file where the projects directory belongs');
    const before = hashTree(root);
    const r = await run(root, 'new', 'project', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^catalyst new: could not write the change, so nothing was changed: .*projects exists and is not a directory/);
    expect(hashTree(root)).toBe(before);
  });

  it('an unexpected failure is an internal error (exit 70), with the stack only on request', async () => {
    vi.spyOn(list, 'run').mockRejectedValue(new Error('boom'));
    const r = await run('/', 'list');
    expect(r).toMatchObject({ code: 70, stderr: 'catalyst list: internal error: boom\n(set CATALYST_DEBUG=1 for the stack trace, and please report it)\n' });
    let stderr = '';
    const code = await main(['list'], { cwd: '/', stdout: () => {}, stderr: (t) => (stderr += t), env: { CATALYST_DEBUG: '1' }, isTTY: false });
    expect(code).toBe(70);
    expect(stderr).toMatch(/^catalyst list: internal error: boom\nError: boom\n\s+at /);
  });

  it('a UserError from anywhere below is printed with its fix and ends with its exit code; no command wraps it', async () => {
    vi.spyOn(list, 'run').mockRejectedValue(new UserError('the thing is off', { fix: 'turn it on', exitCode: 3 }));
    expect(await run('/', 'list')).toMatchObject({ code: 3, stderr: 'catalyst list: the thing is off\nfix: turn it on\n' });
    vi.spyOn(list, 'run').mockRejectedValue(new PulumiError('pulumi stack ls failed: no backend'));
    expect(await run('/', 'list')).toMatchObject({ code: 1, stderr: 'catalyst list: pulumi stack ls failed: no backend\n' });
  });

  it('a bug below an environment command is an internal error, not a user error', async () => {
    const { runnerFactory } = await import('../../src/pulumi/pulumi.ts');
    const original = runnerFactory.create;
    runnerFactory.create = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    };
    try {
      const r = await run(tempDir(), 'up', '--env', 'local');
      expect(r.code).toBe(70);
      expect(r.stderr).toMatch(/^catalyst up: internal error: Cannot read properties of undefined/);
    } finally {
      runnerFactory.create = original;
    }
  });
});
