/**
 * Version drift: the deployed git commit of a stack against the repository's HEAD.
 * Uses `git rev-list --left-right --count <deployed>...HEAD`; results are cached per commit (many
 * stacks usually share a few commits).
 */
import { execFile } from 'node:child_process';
import type { Drift } from './types.ts';

export interface RepoState {
  head: string | null;
  dirty: boolean | null;
  /** Why HEAD is unknown (not a git repository, git missing, no commits). */
  problem: string | null;
}

export interface ExecResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** The program could not be started (not found / not executable). */
  missing: boolean;
}

/** Runs a program without a shell, with a hard timeout; never throws. */
export function run(file: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; maxBuffer?: number }): Promise<ExecResult> {
  return new Promise((resolve) => {
    try {
      execFile(
        file,
        args,
        { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 15_000, maxBuffer: opts.maxBuffer ?? 16 * 1024 * 1024, windowsHide: true },
        (err, stdout, stderr) => {
          const code = (err as NodeJS.ErrnoException | null)?.code;
          resolve({ ok: !err, stdout: String(stdout), stderr: String(stderr), missing: code === 'ENOENT' || code === 'EACCES' });
        },
      );
    } catch (err) {
      resolve({ ok: false, stdout: '', stderr: (err as Error).message, missing: true });
    }
  });
}

function git(cwd: string, env: NodeJS.ProcessEnv | undefined, args: string[]): Promise<ExecResult> {
  return run('git', args, { cwd, env: { ...(env ?? process.env), GIT_OPTIONAL_LOCKS: '0' } });
}

export async function repoState(cwd: string, env?: NodeJS.ProcessEnv): Promise<RepoState> {
  const head = await git(cwd, env, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!head.ok) {
    if (head.missing) return { head: null, dirty: null, problem: 'git not found on PATH' };
    const inside = await git(cwd, env, ['rev-parse', '--is-inside-work-tree']);
    return { head: null, dirty: null, problem: inside.ok ? 'the repository has no commits yet' : 'not a git repository' };
  }
  const status = await git(cwd, env, ['status', '--porcelain']);
  return { head: head.stdout.trim(), dirty: status.ok ? status.stdout.trim() !== '' : null, problem: null };
}


function commits(n: number): string {
  return `${n} commit${n === 1 ? '' : 's'}`;
}

/** The drift text for given counts (pure). */
export function describeDrift(behind: number, ahead: number): Pick<Drift, 'state' | 'text'> {
  if (behind === 0 && ahead === 0) return { state: 'up-to-date', text: 'up to date' };
  if (ahead === 0) return { state: 'behind', text: `behind by ${commits(behind)}` };
  if (behind === 0) return { state: 'ahead', text: `ahead by ${commits(ahead)} (deployed from an unmerged commit)` };
  return { state: 'diverged', text: `diverged: ${behind} behind, ${ahead} ahead` };
}

export function unknownDrift(commit: string | null, source: Drift['source'], why: string): Drift {
  return { state: 'unknown', behind: null, ahead: null, commit, source, text: `unknown (${why})` };
}

export class DriftResolver {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv | undefined;
  readonly repo: RepoState;
  private readonly cache = new Map<string, Promise<Omit<Drift, 'source'>>>();

  constructor(cwd: string, repo: RepoState, env?: NodeJS.ProcessEnv) {
    this.cwd = cwd;
    this.repo = repo;
    this.env = env;
  }

  async drift(commit: string | null, source: Drift['source'], deployedDirty: boolean | null): Promise<Drift> {
    if (!commit) return unknownDrift(null, null, 'no deployed commit in /version or the stack outputs');
    if (!this.repo.head) return unknownDrift(commit, source, this.repo.problem ?? 'repository HEAD unknown');
    let p = this.cache.get(commit);
    if (!p) {
      p = this.compute(commit);
      this.cache.set(commit, p);
    }
    const d = { ...(await p), source };
    if (deployedDirty && d.state !== 'unknown') d.text += ' (deployed from a dirty tree)';
    return d;
  }

  private async compute(commit: string): Promise<Omit<Drift, 'source'>> {
    const resolved = await git(this.cwd, this.env, ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`]);
    if (!resolved.ok) {
      return unknownDrift(commit, null, 'commit not in this repository; fetch it to compare');
    }
    const full = resolved.stdout.trim();
    if (full === this.repo.head) return { state: 'up-to-date', behind: 0, ahead: 0, commit, text: 'up to date' };
    const counts = await git(this.cwd, this.env, ['rev-list', '--left-right', '--count', `${full}...${this.repo.head}`]);
    const m = /^(\d+)\s+(\d+)/.exec(counts.stdout.trim());
    if (!counts.ok || !m) return unknownDrift(commit, null, 'git rev-list failed');
    const ahead = Number(m[1]);
    const behind = Number(m[2]);
    return { ...describeDrift(behind, ahead), behind, ahead, commit };
  }
}
