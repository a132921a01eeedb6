import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashTree, cleanupTemp, run, tempRepo } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

/** Finding 1: generate replaces only a directory it wrote itself; anything else is refused, untouched. */
describe('catalyst generate --out refuses directories it did not create', () => {
  it('--out . inside a repository: refused, nothing deleted, the contents listed', async () => {
    const root = tempRepo();
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(root, 'notes.txt'), 'mine\n');
    const before = hashTree(root);
    const r = await run(root, 'generate', 'billing', '--out', '.');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not empty and was not written by catalyst generate \(it holds: \.git, notes\.txt, projects, schemas\)/);
    expect(hashTree(root)).toBe(before);
  });
  it('--out mydata with user files: refused; a file as --out: refused; a dangling symlink: refused', async () => {
    const root = tempRepo();
    mkdirSync(join(root, 'mydata', 'sub'), { recursive: true });
    writeFileSync(join(root, 'mydata', 'sub', 'precious.csv'), '1,2\n');
    writeFileSync(join(root, 'afile'), 'x');
    const before = hashTree(root);
    for (const out of ['mydata', 'afile']) {
      const r = await run(root, 'generate', 'billing', '--out', out);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/not empty and was not written|not a directory|dangling/);
    }
    expect(hashTree(root)).toBe(before);
    expect(readFileSync(join(root, 'mydata', 'sub', 'precious.csv'), 'utf8')).toBe('1,2\n');
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
    const r = await run(root, 'generate', 'billing', '--out', 'dangling');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dangling symbolic link/);
    expect(readdirSync(root)).not.toContain('nowhere');
  });
  it('a new dir, an empty dir, and its own output (marked) are written and replaced', async () => {
    const root = tempRepo();
    mkdirSync(join(root, 'empty'));
    for (const out of ['fresh/app', 'empty']) {
      expect((await run(root, 'generate', 'billing', '--out', out)).code).toBe(0);
      expect(readdirSync(join(root, out))).toContain('.catalyst-generated');
      writeFileSync(join(root, out, 'stale.txt'), 'old');
      const again = await run(root, 'generate', 'billing', '--out', out);
      expect(again.code, again.stderr).toBe(0);
      expect(readdirSync(join(root, out))).not.toContain('stale.txt');
      expect((await run(root, 'generate', 'billing', '--out', out, '--check')).code).toBe(0);
    }
  });
  it('an app generated before the marker existed (its files carry the header) is still replaced', async () => {
    const root = tempRepo();
    expect((await run(root, 'generate', 'billing', '--out', 'old')).code).toBe(0);
    const { rmSync } = await import('node:fs');
    rmSync(join(root, 'old', '.catalyst-generated'));
    expect((await run(root, 'generate', 'billing', '--out', 'old')).code).toBe(0);
    // but a look-alike whose files lack the header is not
    writeFileSync(join(root, 'old', 'app', 'main.py'), 'print("mine")\n');
    rmSync(join(root, 'old', '.catalyst-generated'));
    expect((await run(root, 'generate', 'billing', '--out', 'old')).code).toBe(1);
  });
});
