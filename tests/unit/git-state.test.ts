import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addWorktree,
  changedFiles,
  commitInfo,
  commitsBetween,
  GitError,
  gitState,
  gitStateSync,
  isAncestor,
  removeWorktree,
  repoPrefix,
  repoRoot,
  resolveCommit,
  shortSha,
  tryResolveCommit,
  uncommittedFiles,
} from '../../src/gitops/index.ts';
import { commit, git } from '../integration/git-helpers.ts';

const dirs: string[] = [];
function tmp(prefix = 'catalyst-gitstate-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
function repo(): string {
  const r = tmp();
  git(r, 'init', '-q', '-b', 'main');
  git(r, 'config', 'user.email', 'dev@example.com');
  git(r, 'config', 'user.name', 'Dev');
  git(r, 'config', 'commit.gpgsign', 'false');
  return r;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('gitState', () => {
  it('is null outside a git repository (async and sync)', async () => {
    const d = tmp();
    expect(await gitState(d)).toBeNull();
    expect(gitStateSync(d)).toBeNull();
  });

  it('has no commit yet in a fresh repository, but knows the branch', async () => {
    const r = repo();
    expect(await gitState(r)).toEqual({ commit: null, branch: 'main', dirty: false });
    writeFileSync(join(r, 'a.txt'), 'x');
    expect(await gitState(r)).toEqual({ commit: null, branch: 'main', dirty: true });
  });

  it('reads commit, branch and the dirty flag (untracked, modified, staged; ignored files do not count)', async () => {
    const r = repo();
    const sha = commit(r, 'one', { 'a.txt': 'a\n', '.gitignore': 'build/\n' });
    expect(await gitState(r)).toEqual({ commit: sha, branch: 'main', dirty: false });
    mkdirSync(join(r, 'build'));
    writeFileSync(join(r, 'build', 'out.js'), 'ignored');
    expect((await gitState(r))!.dirty).toBe(false);
    writeFileSync(join(r, 'new.txt'), 'untracked');
    expect((await gitState(r))!.dirty).toBe(true);
    expect(gitStateSync(r)).toEqual({ commit: sha, branch: 'main', dirty: true });
    rmSync(join(r, 'new.txt'));
    writeFileSync(join(r, 'a.txt'), 'changed\n');
    expect((await gitState(r))!.dirty).toBe(true);
    git(r, 'add', 'a.txt');
    expect((await gitState(r))!.dirty).toBe(true);
  });

  it('has a null branch on a detached HEAD, and works from a subdirectory', async () => {
    const r = repo();
    const one = commit(r, 'one', { 'sub/a.txt': 'a' });
    commit(r, 'two', { 'sub/b.txt': 'b' });
    git(r, 'checkout', '-q', '--detach', one);
    expect(await gitState(join(r, 'sub'))).toEqual({ commit: one, branch: null, dirty: false });
    expect(await repoPrefix(join(r, 'sub'))).toBe('sub/');
    expect(await repoRoot(join(r, 'sub'))).toBe(await repoRoot(r));
  });

  it('says clearly when the directory does not exist', async () => {
    await expect(gitState(join(tmpdir(), 'catalyst-no-such-dir-x9'))).rejects.toThrow(/does not exist/);
  });

  it('says clearly when git is not installed', async () => {
    const path = process.env.PATH;
    process.env.PATH = tmp();
    try {
      await expect(gitState(tmpdir())).rejects.toThrow(/git is not installed/);
      expect(() => gitStateSync(tmpdir())).toThrow(/git is not installed/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('commits and files between revisions', () => {
  it('lists commits newest first, changed files (renames as delete + add), uncommitted files', async () => {
    const r = repo();
    const a = commit(r, 'first', { 'projects/p/workflows/x.yaml': 'x', 'README.md': 'r' });
    const b = commit(r, 'second: rename', { 'projects/p/workflows/x.yaml': null, 'projects/p/workflows/y.yaml': 'x' });
    const c = commit(r, 'third | pipes and "quotes"', { 'src/a b.ts': 'spaces', 'README.md': 'r2' });
    const commits = await commitsBetween(r, a, 'HEAD');
    expect(commits.map((x) => x.commit)).toEqual([c, b]);
    expect(commits[0]).toMatchObject({ author: 'Dev', subject: 'third | pipes and "quotes"' });
    expect(commits[0].date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await commitsBetween(r, c, c)).toEqual([]);
    expect(await changedFiles(r, a)).toEqual([
      { path: 'README.md', status: 'modified' },
      { path: 'projects/p/workflows/x.yaml', status: 'deleted' },
      { path: 'projects/p/workflows/y.yaml', status: 'added' },
      { path: 'src/a b.ts', status: 'added' },
    ]);
    expect(await changedFiles(r, b, c)).toHaveLength(2);
    expect(await uncommittedFiles(r)).toEqual([]);
    writeFileSync(join(r, 'README.md'), 'r3');
    writeFileSync(join(r, 'new file.txt'), 'n');
    rmSync(join(r, 'src', 'a b.ts'));
    mkdirSync(join(r, 'deep', 'er'), { recursive: true });
    writeFileSync(join(r, 'deep', 'er', 'f.txt'), 'f');
    writeFileSync(join(r, 'staged.txt'), 's');
    git(r, 'add', 'staged.txt');
    expect(await uncommittedFiles(r)).toEqual([
      { path: 'README.md', status: 'modified' },
      { path: 'deep/er/f.txt', status: 'untracked' },
      { path: 'new file.txt', status: 'untracked' },
      { path: 'src/a b.ts', status: 'deleted' },
      { path: 'staged.txt', status: 'added' },
    ]);
    expect(await commitInfo(r, 'HEAD~1')).toMatchObject({ commit: b, subject: 'second: rename' });
  });

  it('answers isAncestor both ways, across branches', async () => {
    const r = repo();
    const a = commit(r, 'a');
    const b = commit(r, 'b');
    git(r, 'checkout', '-q', '-b', 'side', a);
    const s = commit(r, 'side');
    expect(await isAncestor(r, a, b)).toBe(true);
    expect(await isAncestor(r, b, a)).toBe(false);
    expect(await isAncestor(r, b, b)).toBe(true);
    expect(await isAncestor(r, s, 'main')).toBe(false);
    expect(await isAncestor(r, a, 'side')).toBe(true);
  });

  it('resolves revisions (sha, prefix, branch, tag, HEAD~n) and explains unknown ones', async () => {
    const r = repo();
    const a = commit(r, 'a');
    const b = commit(r, 'b');
    git(r, 'tag', 'v1', a);
    expect(await resolveCommit(r, a.slice(0, 8))).toBe(a);
    expect(await resolveCommit(r, 'v1')).toBe(a);
    expect(await resolveCommit(r, 'main')).toBe(b);
    expect(await resolveCommit(r, 'HEAD~1')).toBe(a);
    await expect(resolveCommit(r, 'deadbeefdeadbeef')).rejects.toThrow(/unknown commit "deadbeefdeadbeef" in this repository: fetch it/);
    await expect(resolveCommit(r, '--output=x')).rejects.toThrow(GitError);
    expect(await tryResolveCommit(r, 'nope')).toBeNull();
    await expect(changedFiles(r, 'nope')).rejects.toThrow(/unknown commit "nope"/);
    await expect(tryResolveCommit(tmp(), 'HEAD')).rejects.toThrow(/not inside a git repository/);
  });

  it('points at --unshallow in a shallow clone', async () => {
    const r = repo();
    const a = commit(r, 'a', { 'f.txt': '1' });
    commit(r, 'b', { 'f.txt': '2' });
    const clone = join(tmp(), 'clone');
    git(tmpdir(), 'clone', '-q', '--depth', '1', `file://${r}`, clone);
    await expect(resolveCommit(clone, a)).rejects.toThrow(/shallow clone; fetch the history \(git fetch --unshallow\)/);
  });

  it('reports git failures with the command and git\'s message', async () => {
    const r = repo();
    commit(r, 'a');
    const e = await removeWorktree(r, join(r, 'never-a-worktree')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitError);
    expect((e as GitError).message).toMatch(/^git worktree failed: .*is not a working tree/);
    expect((e as GitError).code).toBe(128);
  });
});

describe('worktrees', () => {
  it('checks out a commit into a detached worktree and removes it', async () => {
    const r = repo();
    const a = commit(r, 'a', { 'f.txt': 'old' });
    commit(r, 'b', { 'f.txt': 'new' });
    const wt = join(tmp(), 'wt');
    await addWorktree(r, wt, a);
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(a);
    expect(await gitState(wt)).toEqual({ commit: a, branch: null, dirty: false });
    writeFileSync(join(wt, 'junk.txt'), 'changes in the worktree do not block removal');
    await removeWorktree(r, wt);
    expect(existsSync(wt)).toBe(false);
    expect(git(r, 'worktree', 'list')).not.toContain(wt);
    // A worktree directory deleted behind git's back is pruned too.
    const wt2 = join(tmp(), 'wt2');
    await addWorktree(r, wt2, 'HEAD');
    renameSync(wt2, `${wt2}-moved`);
    await removeWorktree(r, wt2);
    expect(git(r, 'worktree', 'list')).not.toContain('wt2');
  });

  it('shortens commits for display', () => {
    expect(shortSha('0123456789abcdef')).toBe('0123456');
    expect(shortSha(null)).toBe('-');
  });
});
