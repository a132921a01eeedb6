/**
 * The git state of the repository at `pulumi up` time: commit, branch and dirty flag (the `version`
 * stack output), and the source URL for image labels. Git is read by src/git (the one module that
 * runs git for Catalyst); this module turns its answers into what the program needs: nulls outside
 * a repository or when git cannot run (with the reason, for the preflight), and credential-free URLs.
 */
import { GitError, gitStateSync, originUrlSync } from '../git/index.ts';
import type { GitVersion } from './targets/types.ts';

export type { GitVersion };

export interface GitRead extends GitVersion {
  /** False outside a git repository, or when git cannot run (then `error` says why). */
  isRepo: boolean;
  /** Why git could not be read (git missing, timed out, …); absent when it could. */
  error?: string;
}

/** Commit (full SHA), branch (null when detached) and dirty flag of the work tree at `cwd`. */
export function readGitVersion(cwd: string): GitRead {
  try {
    const state = gitStateSync(cwd);
    return state ? { ...state, isRepo: true } : { commit: null, branch: null, dirty: false, isRepo: false };
  } catch (e) {
    if (e instanceof GitError) return { commit: null, branch: null, dirty: false, isRepo: false, error: e.message };
    throw e;
  }
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

/** The `origin` remote as a credential-free https URL, or null (also when git cannot run). */
export function readGitSource(cwd: string): string | null {
  try {
    const remote = originUrlSync(cwd);
    return remote ? sanitizeRemote(remote) : null;
  } catch (e) {
    if (e instanceof GitError) return null;
    throw e;
  }
}

/** The preflight message for a dirty tree on a stack that requires a clean one, or null. */
export function cleanGitProblem(stack: string, version: GitRead, required: boolean): string | null {
  if (!required) return null;
  const off = `or turn the check off for this stack: pulumi config set catalyst:requireCleanGit false --stack ${stack}`;
  if (version.error) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but the git state cannot be read: ${version.error}; ${off}`;
  if (!version.isRepo) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but this is not a git repository; deploy from a checkout, ${off}`;
  if (version.dirty) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but the work tree has uncommitted changes (git status); commit or stash them, ${off}`;
  if (!version.commit) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but the repository has no commit yet; commit first, ${off}`;
  return null;
}
