import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDrift, DriftResolver, repoState, run } from '../../src/report/drift.ts';
import { gitRepo, isolatedPath, tempDir } from '../integration/report-helpers.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

describe('describeDrift', () => {
  it.each([
    [0, 0, 'up-to-date', 'up to date'],
    [1, 0, 'behind', 'behind by 1 commit'],
    [5, 0, 'behind', 'behind by 5 commits'],
    [0, 2, 'ahead', 'ahead by 2 commits (deployed from an unmerged commit)'],
    [3, 1, 'diverged', 'diverged: 3 behind, 1 ahead'],
  ] as const)('%d behind, %d ahead → %s', (behind, ahead, state, text) => {
    expect(describeDrift(behind, ahead)).toEqual({ state, text });
  });
});

describe('DriftResolver against a real repository', () => {
  it('up to date, behind by N, ahead, diverged, unknown', async () => {
    const dir = tempDir();
    const [c0, , c2, c3] = gitRepo(dir, 4);
    git(dir, 'checkout', '-q', '-b', 'side', c2);
    writeFileSync(join(dir, 'side.txt'), 'x');
    git(dir, 'add', 'side.txt');
    git(dir, 'commit', '-q', '-m', 'side');
    const side = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', '-b', 'feature', c3);
    writeFileSync(join(dir, 'f.txt'), 'x');
    git(dir, 'add', 'f.txt');
    git(dir, 'commit', '-q', '-m', 'feature');
    const feature = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', 'main');

    const repo = await repoState(dir);
    expect(repo).toEqual({ head: c3, dirty: false, problem: null });
    const d = new DriftResolver(dir, repo);
    expect(await d.drift(c3, 'endpoint', false)).toMatchObject({ state: 'up-to-date', text: 'up to date', behind: 0, source: 'endpoint' });
    expect(await d.drift(c0, 'outputs', false)).toMatchObject({ state: 'behind', behind: 3, ahead: 0, text: 'behind by 3 commits', source: 'outputs' });
    expect(await d.drift(c0.slice(0, 7), 'outputs', true)).toMatchObject({ state: 'behind', text: 'behind by 3 commits (deployed from a dirty tree)' });
    expect(await d.drift(feature, 'endpoint', false)).toMatchObject({ state: 'ahead', ahead: 1, behind: 0 });
    expect(await d.drift(side, 'endpoint', false)).toMatchObject({ state: 'diverged', ahead: 1, behind: 1 });
    expect(await d.drift('f'.repeat(40), 'endpoint', false)).toMatchObject({ state: 'unknown', text: 'unknown (commit not in this repository; fetch it to compare)', commit: 'f'.repeat(40) });
    expect(await d.drift(null, null, null)).toMatchObject({ state: 'unknown', commit: null, text: 'unknown (no deployed commit in /version or the stack outputs)' });
    // Cached per commit: the same answer again.
    expect(await d.drift(c0, 'outputs', false)).toMatchObject({ state: 'behind', behind: 3 });

    writeFileSync(join(dir, 'file.txt'), 'changed');
    expect((await repoState(dir)).dirty).toBe(true);
  });

  it('says why HEAD is unknown', async () => {
    const notRepo = tempDir();
    expect(await repoState(notRepo)).toEqual({ head: null, dirty: null, problem: 'not a git repository' });
    const empty = tempDir();
    gitRepo(empty, 0);
    expect((await repoState(empty)).problem).toBe('the repository has no commits yet');
    expect((await repoState(empty, { PATH: '/nonexistent' })).problem).toBe('git not found on PATH');
    const d = new DriftResolver(notRepo, await repoState(notRepo));
    expect(await d.drift('a'.repeat(40), 'outputs', false)).toMatchObject({ state: 'unknown', text: 'unknown (not a git repository)' });
  });

  it('run never throws and reports a missing program', async () => {
    expect(await run('definitely-not-a-program-xyz', [], { cwd: tempDir(), env: { PATH: isolatedPath() } })).toMatchObject({ ok: false, missing: true });
    expect(await run('git', ['--version'], { cwd: tempDir() })).toMatchObject({ ok: true, missing: false });
  });
});
