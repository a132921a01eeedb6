/**
 * The git state of the repository at `pulumi up` time, as the Pulumi program needs it: commit, branch
 * and dirty flag (the `version` stack output), and the source URL for image labels. Nulls outside a
 * repository or when git cannot run (with the reason, for the preflight), and credential-free URLs.
 * The program's entry (src/index.ts) hands these readers to src/infra, which never runs git itself.
 */
import type { GitRead } from '../contracts/git-state.ts';
import { GitError, gitStateSync, originUrlSync } from './index.ts';

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
