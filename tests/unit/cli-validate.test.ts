import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, run, tempDir, tempRepo } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

describe('catalyst validate', () => {
  it('exit 0 and a summary on the examples', async () => {
    const root = tempRepo();
    const r = await run(root, 'validate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: 2 project\(s\), 8 workflow\(s\), 4 public route\(s\), 4 internal\n/);
    expect(r.stdout).toContain('    charge                   public   POST /charge\n');
    expect(r.stdout).toContain('    invoice                  internal\n');
  });

  it('takes a repository, a projects directory or one project', async () => {
    const root = tempRepo();
    expect((await run('/', 'validate', root)).code).toBe(0);
    expect((await run(root, 'validate', 'projects')).code).toBe(0);
    const one = await run(root, 'validate', 'projects/billing');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^ok: 1 project\(s\), 5 workflow\(s\)/);
    expect(one.stdout).not.toContain('support-bot');
  });

  it('exit 1 with every problem positioned, a count, and no stack trace', async () => {
    const root = tempRepo();
    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), 'catalyst: 1\nname: tax\nnodes:\n  - id: compute\n    type: respnd\n');
    writeFileSync(join(root, 'projects/support-bot/project.yaml'), 'catalyst: 2\nname: support-bot\n');
    const r = await run(root, 'validate');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain('projects/billing/workflows/tax.yaml:5:11: nodes[0].type: unknown type "respnd" (fix: did you mean "respond"?)');
    expect(lines).toContain('projects/support-bot/project.yaml:1:11: catalyst: unsupported format version 2; this Catalyst reads version 1 (fix: set `catalyst: 1`, or upgrade Catalyst)');
    expect(r.stderr).toMatch(/\n\d+ problem\(s\) in \d+ file\(s\)\n$/);
    for (const l of lines.slice(0, -2)) expect(l).toMatch(/^projects\/[\w/.-]+\.yaml(:\d+:\d+)?: /);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack frames
  });

  it('binary garbage and empty files are problems, not crashes', async () => {
    const root = tempRepo();
    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(root, 'projects/billing/workflows/lookup.yaml'), '');
    const r = await run(root, 'validate');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('projects/billing/workflows/tax.yaml: file is binary (contains NUL bytes), not YAML');
    expect(r.stderr).toContain('projects/billing/workflows/lookup.yaml: file is empty');
    expect(r.stderr).not.toContain('internal error');
  });

  it('--json: {ok, diagnostics, projects}', async () => {
    const root = tempRepo();
    const ok = await run(root, 'validate', '--json');
    expect(ok.code).toBe(0);
    const good = JSON.parse(ok.stdout);
    expect(good.ok).toBe(true);
    expect(good.diagnostics).toEqual([]);
    expect(good.projects.map((p: { name: string }) => p.name)).toEqual(['billing', 'support-bot']);
    expect(good.projects[0].workflows[0]).toEqual({ name: 'charge', visibility: 'public', route: 'POST /charge' });
    expect(good.projects[0].workflows[1]).toEqual({ name: 'invoice', visibility: 'internal' });

    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), 'catalyst: 1\nname: tax\ndescripton: x\nnodes: [{ id: a, type: respond }]\n');
    const bad = await run(root, 'validate', '--json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('');
    const out = JSON.parse(bad.stdout);
    expect(out.ok).toBe(false);
    expect(out.projects).toEqual([]);
    expect(out.diagnostics).toContainEqual({ file: 'projects/billing/workflows/tax.yaml', line: 3, col: 1, path: 'descripton', message: 'unknown field "descripton"', fix: 'did you mean "description"?' });
    for (const d of out.diagnostics) expect(Object.keys(d).sort()).toEqual(expect.arrayContaining(['col', 'file', 'line', 'message', 'path']));
  });

  it('usage errors exit 2', async () => {
    const root = tempDir();
    const two = await run(root, 'validate', 'a', 'b');
    expect(two).toMatchObject({ code: 2, stderr: 'catalyst validate: give at most one path\n' });
    const flag = await run(root, 'validate', '--jsn');
    expect(flag).toMatchObject({ code: 2, stderr: 'catalyst validate: unknown option --jsn (did you mean --json?)\n' });
    const none = await run(root, 'validate');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no projects found|no such directory/);
  });

  it('help', async () => {
    const r = await run('/', 'help', 'validate');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^catalyst validate \[path\] \[--json\]/);
    expect((await run('/', 'validate', '--help')).stdout).toBe(r.stdout);
  });
});
