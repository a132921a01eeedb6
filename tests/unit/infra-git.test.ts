/** src/gitops/version.ts (over src/gitops, the one module that runs git) and src/infra/git.ts against real temporary repositories. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitStateSync } from '../../src/gitops/index.ts';
import { cleanGitProblem } from '../../src/infra/git.ts';
import { readGitSource, readGitVersion, sanitizeRemote } from '../../src/gitops/version.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'catalyst-git-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();

describe('readGitVersion', () => {
  it('is null/false outside a repository', () => {
    expect(readGitVersion(tmp())).toEqual({ commit: null, branch: null, dirty: false, isRepo: false });
  });

  it('reads commit, branch and dirty state; detached HEAD has no branch', () => {
    const d = tmp();
    git(d, 'init', '-q', '-b', 'trunk');
    expect(readGitVersion(d)).toEqual({ commit: null, branch: 'trunk', dirty: false, isRepo: true });
    writeFileSync(join(d, 'a.txt'), 'a');
    expect(readGitVersion(d).dirty).toBe(true);
    git(d, 'add', '.');
    git(d, 'commit', '-qm', 'a');
    const head = git(d, 'rev-parse', 'HEAD');
    expect(readGitVersion(d)).toEqual({ commit: head, branch: 'trunk', dirty: false, isRepo: true });
    git(d, 'checkout', '-q', '--detach');
    expect(readGitVersion(d)).toMatchObject({ commit: head, branch: null });
    git(d, 'remote', 'add', 'origin', 'https://bot:ghp_SECRET@github.com/acme/repo.git');
    expect(readGitSource(d)).toBe('https://github.com/acme/repo');
    expect(readGitSource(tmp())).toBeNull();
  });
});

describe('when git cannot run', () => {
  it('reads as no repository, says why, and the clean-tree check reports the reason', () => {
    const path = process.env.PATH;
    process.env.PATH = tmp();
    let read: ReturnType<typeof readGitVersion>;
    try {
      read = readGitVersion(tmpdir());
      expect(readGitSource(tmpdir())).toBeNull();
    } finally {
      process.env.PATH = path;
    }
    expect(read).toEqual({ commit: null, branch: null, dirty: false, isRepo: false, error: expect.stringMatching(/git is not installed/) });
    expect(cleanGitProblem('x.prod', read, true)).toMatch(/^stack x\.prod requires a clean git tree \(catalyst:requireCleanGit\), but the git state cannot be read: git is not installed .*; or turn the check off/);
    expect(cleanGitProblem('x.dev', read, false)).toBeNull();
  });

  it('agrees with src/gitops gitStateSync (one implementation)', () => {
    const d = tmp();
    git(d, 'init', '-q', '-b', 'main');
    writeFileSync(join(d, 'a.txt'), 'a');
    git(d, 'add', '.');
    git(d, 'commit', '-qm', 'a');
    const { isRepo, ...state } = readGitVersion(d);
    expect(isRepo).toBe(true);
    expect(state).toEqual(gitStateSync(d));
  });
});

describe('sanitizeRemote', () => {
  it('drops credentials and normalizes to https', () => {
    expect(sanitizeRemote('git@github.com:acme/repo.git')).toBe('https://github.com/acme/repo');
    expect(sanitizeRemote('ssh://git@gitlab.example.com:2222/acme/repo.git')).toBe('https://gitlab.example.com/acme/repo');
    expect(sanitizeRemote('https://user:pass@example.com:8443/x/y.git?token=1#f')).toBe('https://example.com:8443/x/y');
    expect(sanitizeRemote('file:///srv/repo')).toBeNull();
    expect(sanitizeRemote('not a url')).toBeNull();
    expect(sanitizeRemote('  ')).toBeNull();
  });
});

describe('cleanGitProblem', () => {
  const clean = { commit: 'a'.repeat(40), branch: 'main', dirty: false, isRepo: true };
  it('says why and how to fix, only when required', () => {
    expect(cleanGitProblem('x.prod', { ...clean, dirty: true }, false)).toBeNull();
    expect(cleanGitProblem('x.prod', clean, true)).toBeNull();
    expect(cleanGitProblem('x.prod', { ...clean, dirty: true }, true)).toMatch(/uncommitted changes.*pulumi config set catalyst:requireCleanGit false --stack x\.prod$/);
    expect(cleanGitProblem('x.prod', { commit: null, branch: null, dirty: false, isRepo: false }, true)).toMatch(/not a git repository/);
    expect(cleanGitProblem('x.prod', { ...clean, commit: null }, true)).toMatch(/no commit yet/);
  });
});
