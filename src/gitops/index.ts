/**
 * Git state and history for Catalyst, read with the git CLI (execFile, never a shell). One module for
 * every reader: `catalyst history/diff/rollback/ci`, and the Pulumi program's `version` output.
 *
 * Every function takes the directory to run in first. Failures throw a GitError whose message says
 * what is wrong and how to fix it (git missing, not a repository, unknown commit, shallow clone).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { firstLine } from '../shared/text.ts';
import { UserError } from '../shared/errors.ts';

export interface GitState {
  /** Full SHA of HEAD; null in a repository without commits. */
  commit: string | null;
  /** Current branch (short name); null on a detached HEAD. */
  branch: string | null;
  /** True when `git status` shows anything: staged, unstaged or untracked (not ignored) files. */
  dirty: boolean;
}

export interface CommitInfo {
  commit: string;
  author: string;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
}

export type FileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'untracked';

export interface ChangedFile {
  path: string;
  status: FileStatus;
}

export class GitError extends UserError {
  /** git's exit code (null when git could not be started). */
  readonly code: number | null;
  constructor(message: string, code: number | null = null) {
    super(message);
    this.name = 'GitError';
    this.code = code;
  }
}

const SHA_RE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const TIMEOUT_MS = 30_000;

function gitEnv(): NodeJS.ProcessEnv {
  // Stable, parseable output whatever the user's locale and config.
  return { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
}

interface RawResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: NodeJS.ErrnoException;
}

function runGit(cwd: string, args: string[]): Promise<RawResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: gitEnv(), timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown; killed?: boolean }) | null;
      if (e && typeof e.code === 'string') resolve({ code: null, stdout: '', stderr: '', spawnError: e });
      else if (e?.killed) resolve({ code: null, stdout: '', stderr: '', spawnError: Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }) });
      else resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function runGitSync(cwd: string, args: string[]): RawResult {
  try {
    const stdout = execFileSync('git', args, { cwd, env: gitEnv(), timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number | null; stdout?: string; stderr?: string };
    if (typeof e.code === 'string') return { code: null, stdout: '', stderr: '', spawnError: e };
    return { code: e.status ?? 1, stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? '') };
  }
}


/** Turns a failed run into a GitError with a fix. */
function failure(cwd: string, args: string[], r: RawResult): GitError {
  if (r.spawnError) {
    if (r.spawnError.code === 'ENOENT' && !existsSync(cwd)) return new GitError(`directory ${cwd} does not exist`);
    if (r.spawnError.code === 'ENOENT') return new GitError('git is not installed (or not on PATH); install git and retry');
    if (r.spawnError.code === 'ETIMEDOUT' || r.spawnError.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      return new GitError(`git ${args[0]} did not finish (${r.spawnError.code})`);
    }
    return new GitError(`cannot run git: ${r.spawnError.message}`);
  }
  const msg = firstLine(r.stderr);
  if (/not a git repository/i.test(msg)) return new GitError(`${cwd} is not inside a git repository; run Catalyst in your checkout (or \`git init\` it)`, r.code);
  return new GitError(`git ${args[0]} failed: ${msg || `exit code ${r.code}`}`, r.code);
}

async function git(cwd: string, args: string[]): Promise<string> {
  const r = await runGit(cwd, args);
  if (r.code !== 0) throw failure(cwd, args, r);
  return r.stdout;
}

/** Like `git`, but a non-zero exit is a value (for commands whose exit code is the answer). */
async function gitCode(cwd: string, args: string[]): Promise<RawResult> {
  const r = await runGit(cwd, args);
  if (r.spawnError) throw failure(cwd, args, r);
  return r;
}

async function isRepo(cwd: string): Promise<boolean> {
  const r = await gitCode(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (r.code !== 0 && !/not a git repository/i.test(r.stderr)) throw failure(cwd, ['rev-parse'], r);
  return r.code === 0 && r.stdout.trim() === 'true';
}

/** Path of `cwd` inside its work tree, `/`-terminated (`''` at the top level). */
export async function repoPrefix(cwd: string): Promise<string> {
  return (await git(cwd, ['rev-parse', '--show-prefix'])).trim();
}

/** Top-level directory of the work tree containing `cwd`. */
export async function repoRoot(cwd: string): Promise<string> {
  return (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
}

function parseState(head: RawResult, branch: RawResult, status: RawResult): GitState {
  const sha = head.code === 0 ? head.stdout.trim() : '';
  return {
    commit: SHA_RE.test(sha) ? sha : null,
    branch: branch.code === 0 && branch.stdout.trim() !== '' ? branch.stdout.trim() : null,
    dirty: status.stdout.length > 0,
  };
}

const HEAD_ARGS = ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'];
const BRANCH_ARGS = ['symbolic-ref', '--quiet', '--short', 'HEAD'];
const STATUS_ARGS = ['status', '--porcelain', '--untracked-files=normal'];

/**
 * `{commit, branch, dirty}` of the work tree at `cwd`, or null when `cwd` is not in a git repository.
 * Throws a GitError only when git itself cannot run.
 */
export async function gitState(cwd: string): Promise<GitState | null> {
  if (!(await isRepo(cwd))) return null;
  const [head, branch, status] = await Promise.all([gitCode(cwd, HEAD_ARGS), gitCode(cwd, BRANCH_ARGS), gitCode(cwd, STATUS_ARGS)]);
  if (status.code !== 0) throw failure(cwd, STATUS_ARGS, status);
  return parseState(head, branch, status);
}

/** `gitState` for synchronous callers (e.g. the Pulumi program at start-up). */
export function gitStateSync(cwd: string): GitState | null {
  const inside = runGitSync(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (inside.spawnError) throw failure(cwd, ['rev-parse'], inside);
  if (inside.code !== 0 || inside.stdout.trim() !== 'true') return null;
  const status = runGitSync(cwd, STATUS_ARGS);
  if (status.code !== 0) throw failure(cwd, STATUS_ARGS, status);
  return parseState(runGitSync(cwd, HEAD_ARGS), runGitSync(cwd, BRANCH_ARGS), status);
}

/** The URL of the `origin` remote as configured (it may hold credentials), or null when there is none. */
export function originUrlSync(cwd: string): string | null {
  const r = runGitSync(cwd, ['remote', 'get-url', 'origin']);
  if (r.spawnError) throw failure(cwd, ['remote'], r);
  const url = r.code === 0 ? r.stdout.trim() : '';
  return url === '' ? null : url;
}

/** Full SHA of a revision (commit id or prefix, branch, tag, `HEAD~2`); a GitError with a fix when unknown. */
export async function resolveCommit(cwd: string, rev: string): Promise<string> {
  if (rev.startsWith('-')) throw new GitError(`"${rev}" is not a revision`);
  const r = await gitCode(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  if (r.code === 0) return r.stdout.trim();
  if (!(await isRepo(cwd))) throw failure(cwd, ['rev-parse'], { code: 128, stdout: '', stderr: 'fatal: not a git repository' });
  const shallow = (await gitCode(cwd, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  throw new GitError(
    `unknown commit "${rev}" in this repository: ${shallow ? 'this is a shallow clone; fetch the history (git fetch --unshallow)' : 'fetch it (git fetch) or check the id'}`,
  );
}

/** Like resolveCommit, but null when the revision is unknown. */
export async function tryResolveCommit(cwd: string, rev: string): Promise<string | null> {
  try {
    return await resolveCommit(cwd, rev);
  } catch (e) {
    if (e instanceof GitError && e.message.startsWith('unknown commit')) return null;
    throw e;
  }
}

/** True when `ancestor` is an ancestor of (or equal to) `descendant`. */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const a = await resolveCommit(cwd, ancestor);
  const d = await resolveCommit(cwd, descendant);
  const r = await gitCode(cwd, ['merge-base', '--is-ancestor', a, d]);
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  throw failure(cwd, ['merge-base'], r);
}

/** Commits reachable from `to` but not from `from` (`git log from..to`), newest first. */
export async function commitsBetween(cwd: string, from: string, to: string): Promise<CommitInfo[]> {
  const a = await resolveCommit(cwd, from);
  const b = await resolveCommit(cwd, to);
  const out = await git(cwd, ['log', '-z', '--format=%H%x1f%an%x1f%cI%x1f%s', `${a}..${b}`, '--']);
  return out
    .split('\0')
    .filter((r) => r.trim() !== '')
    .map((r) => {
      const [commit, author, date, subject] = r.replace(/^\n/, '').split('\x1f');
      return { commit, author, date, subject: subject ?? '' };
    });
}

const STATUS_LETTER: Record<string, FileStatus> = { A: 'added', M: 'modified', D: 'deleted', T: 'modified', R: 'renamed', C: 'added' };

function sortFiles(files: ChangedFile[]): ChangedFile[] {
  const seen = new Map<string, ChangedFile>();
  for (const f of files) if (!seen.has(f.path)) seen.set(f.path, f);
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Files that differ between two commits (`git diff from to`; renames are a delete plus an add, so both
 * paths appear), sorted by path. `to` defaults to HEAD.
 */
export async function changedFiles(cwd: string, from: string, to = 'HEAD'): Promise<ChangedFile[]> {
  const a = await resolveCommit(cwd, from);
  const b = await resolveCommit(cwd, to);
  const out = await git(cwd, ['diff', '--name-status', '--no-renames', '-z', a, b, '--']);
  const parts = out.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const letter = parts[i].charAt(0);
    files.push({ path: parts[i + 1], status: STATUS_LETTER[letter] ?? 'modified' });
  }
  return sortFiles(files);
}

/** Uncommitted changes of the work tree (staged, unstaged, untracked), sorted by path. */
export async function uncommittedFiles(cwd: string): Promise<ChangedFile[]> {
  const out = await git(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
  const parts = out.split('\0').filter((p) => p !== '');
  const files: ChangedFile[] = [];
  for (const p of parts) {
    const xy = p.slice(0, 2);
    const path = p.slice(3);
    if (xy === '??') files.push({ path, status: 'untracked' });
    else if (xy.includes('D')) files.push({ path, status: 'deleted' });
    else if (xy.includes('A')) files.push({ path, status: 'added' });
    else files.push({ path, status: 'modified' });
  }
  return sortFiles(files);
}

/** Details of one commit. */
export async function commitInfo(cwd: string, rev: string): Promise<CommitInfo> {
  const sha = await resolveCommit(cwd, rev);
  const out = await git(cwd, ['show', '-s', '--format=%H%x1f%an%x1f%cI%x1f%s', sha, '--']);
  const [commit, author, date, subject] = out.trim().split('\x1f');
  return { commit, author, date, subject: subject ?? '' };
}

/** Check out `commit` (detached) into a new linked worktree at `dir` (which must not exist yet). */
export async function addWorktree(cwd: string, dir: string, commit: string): Promise<void> {
  const sha = await resolveCommit(cwd, commit);
  await git(cwd, ['worktree', 'add', '--detach', '--quiet', dir, sha]);
}

/** Remove a linked worktree (even with changes in it) and prune its bookkeeping. */
export async function removeWorktree(cwd: string, dir: string): Promise<void> {
  await git(cwd, ['worktree', 'remove', '--force', dir]);
  await gitCode(cwd, ['worktree', 'prune']);
}

/** Short form of a commit id for display. */
export function shortSha(commit: string | null | undefined): string {
  return commit ? commit.slice(0, 7) : '-';
}
