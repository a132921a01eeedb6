/**
 * The git state of the repository at `pulumi up` time: commit, branch and dirty flag (the `version`
 * stack output), and the source URL for image labels. Read with the git CLI (execFileSync, no shell);
 * every value is `null` when the directory is not a git repository or git is missing.
 */
import { execFileSync } from 'node:child_process';
import type { GitVersion } from './targets/types.ts';

export type { GitVersion };

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 15_000,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    }).trim();
  } catch {
    return null;
  }
}

/** Commit (full SHA), branch (null when detached) and dirty flag of the work tree at `cwd`. */
export function readGitVersion(cwd: string): GitVersion & { isRepo: boolean } {
  const inside = git(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (inside !== 'true') return { commit: null, branch: null, dirty: false, isRepo: false };
  const commit = git(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  const branch = git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  const status = git(cwd, ['status', '--porcelain', '--untracked-files=normal']);
  return {
    commit: commit && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null,
    branch: branch || null,
    dirty: status === null ? false : status.length > 0,
    isRepo: true,
  };
}

/**
 * A URL or path is safe for an image label only without credentials: `https://user:token@host/…`
 * loses its userinfo; scp-style `git@host:org/repo.git` becomes `https://host/org/repo`.
 */
export function sanitizeRemote(remote: string): string | null {
  const r = remote.trim();
  if (!r) return null;
  const scp = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!\/)(.+?)(\.git)?$/.exec(r);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const u = new URL(r);
    if (!['http:', 'https:', 'ssh:', 'git:'].includes(u.protocol)) return null;
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    const path = u.pathname.replace(/\.git$/, '');
    // An ssh port means nothing over https; keep the port only for http(s) remotes.
    const host = u.protocol === 'http:' || u.protocol === 'https:' ? u.host : u.hostname;
    return `https://${host}${path}`;
  } catch {
    return null;
  }
}

/** The `origin` remote as a credential-free https URL, or null. */
export function readGitSource(cwd: string): string | null {
  const remote = git(cwd, ['remote', 'get-url', 'origin']);
  return remote ? sanitizeRemote(remote) : null;
}

/** The preflight message for a dirty tree on a stack that requires a clean one, or null. */
export function cleanGitProblem(stack: string, version: GitVersion & { isRepo: boolean }, required: boolean): string | null {
  if (!required) return null;
  const off = `or turn the check off for this stack: pulumi config set catalyst:requireCleanGit false --stack ${stack}`;
  if (!version.isRepo) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but this is not a git repository; deploy from a checkout, ${off}`;
  if (version.dirty) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but the work tree has uncommitted changes (git status); commit or stash them, ${off}`;
  if (!version.commit) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but the repository has no commit yet; commit first, ${off}`;
  return null;
}
