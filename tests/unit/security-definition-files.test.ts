import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { readRegularFile } from '../../src/shared/files.ts';
import { cleanupTemp, REPO, repoWith } from '../helpers/cli-workspace.ts';
import { expectDiag, PROJECT } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

const WF = 'catalyst: 1\nname: ok\nnodes: [{ id: r, type: respond }]\n';

/** Finding 10: validate reads regular files only, with a size limit, and never blocks. */
describe('definition files that are not regular files', () => {
  const cases: [string, (p: string) => void, RegExp][] = [
    ['a FIFO', (p) => execFileSync('mkfifo', [p]), /named pipe \(FIFO\)/],
    ['a symlink to /dev/zero', (p) => symlinkSync('/dev/zero', p), /it is a device/],
    ['a symlink to /dev/urandom', (p) => symlinkSync('/dev/urandom', p), /it is a device/],
    ['a directory named like a workflow', (p) => mkdirSync(p), /it is a directory/],
  ];
  for (const [what, make, message] of cases) {
    it(`${what} as a workflow file: a clear error, at once`, () => {
      const root = repoWith({ 'projects/pp/project.yaml': PROJECT, 'projects/pp/workflows/ok.yaml': WF });
      make(join(root, 'projects/pp/workflows/w.yaml'));
      // A child process with a deadline: a validate that blocks on the file fails here instead of hanging.
      const cli = spawnSync(process.execPath, [join(REPO, 'bin/catalyst.js'), 'validate'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      expect(cli.signal, 'validate did not finish within 30 s').toBeNull();
      expect(cli.status).toBe(1);
      expect(cli.stderr + cli.stdout).toMatch(message);
      expectDiag(loadWorkspace(root, { base: root }).diagnostics, message, { file: 'projects/pp/workflows/w.yaml', line: 0 });
    }, 60_000);
  }
  it('a FIFO as project.yaml', () => {
    const root = repoWith({ 'projects/pp/workflows/ok.yaml': WF });
    execFileSync('mkfifo', [join(root, 'projects/pp/project.yaml')]);
    const cli = spawnSync(process.execPath, [join(REPO, 'bin/catalyst.js'), 'validate'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(cli.signal, 'validate did not finish within 30 s').toBeNull();
    expect(cli.stderr + cli.stdout).toMatch(/projects\/pp\/project\.yaml: cannot read file: not a regular file \(it is a named pipe/);
  }, 60_000);
  it('readRegularFile reads at most the limit', () => {
    const root = repoWith({ 'big.txt': 'x'.repeat(1000), 'small.txt': 'hello' });
    expect(readRegularFile(join(root, 'small.txt'), 10).toString()).toBe('hello');
    expect(() => readRegularFile(join(root, 'big.txt'), 999)).toThrow(/1000 bytes; the limit is 999/);
    expect(readRegularFile(join(root, 'big.txt'), 1000)).toHaveLength(1000);
    expect(() => readRegularFile(join(root, 'missing'), 10)).toThrow(/cannot read file/);
  });
});
