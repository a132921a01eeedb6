/**
 * Temporary git repositories and a fake Pulumi runner for the GitOps tests (history, diff, rollback,
 * ci). Each repo is a fresh mkdtemp directory with the example projects, a minimal package.json and
 * stack config files, committed on branch main.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PulumiRunner, RunResult } from '../../src/pulumi/pulumi.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Writes files (null deletes) and commits them; returns the new commit's SHA. */
export function commit(repo: string, message: string, files: Record<string, string | null> = {}): string {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(repo, path);
    if (content === null) rmSync(abs, { force: true, recursive: true });
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

export interface RepoOptions {
  /** stack name → catalyst:target */
  stacks?: Record<string, string>;
  /** Extra files for the first commit. */
  files?: Record<string, string>;
}

export const DEFAULT_STACKS: Record<string, string> = {
  'billing.staging': 'cloudrun',
  'billing.prod': 'cloudrun',
  'support-bot.staging': 'cloudrun',
  'support-bot.prod': 'fly',
  'support-bot.local': 'local',
};

export function stackFile(target: string, extra = ''): string {
  return `# the stack's config\nconfig:\n  catalyst:target: ${target}\n  catalyst:region: europe-west1${extra}\n`;
}

/** A committed repository: projects/ from the examples, package.json, Pulumi.yaml, stacks/. */
export function makeRepo(o: RepoOptions = {}): { repo: string; first: string } {
  const repo = mkdtempSync(join(tmpdir(), 'catalyst-git-'));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'dev@example.com');
  git(repo, 'config', 'user.name', 'Dev');
  git(repo, 'config', 'commit.gpgsign', 'false');
  cpSync(join(repoRoot, 'projects'), join(repo, 'projects'), { recursive: true });
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: 'demo', private: true, type: 'module', dependencies: { '@pulumi/pulumi': '3.270.0' }, devDependencies: { node: '24.21.0' } }, null, 2)}\n`,
    'package-lock.json': '{}\n',
    'Pulumi.yaml': 'name: catalyst\nruntime: nodejs\nstackConfigDir: stacks\n',
    '.gitignore': 'node_modules/\n.pulumi-state/\n',
    'README.md': '# demo\n',
    ...o.files,
  };
  for (const [name, target] of Object.entries(o.stacks ?? DEFAULT_STACKS)) files[`stacks/Pulumi.${name}.yaml`] = stackFile(target);
  const first = commit(repo, 'initial', files);
  return { repo, first };
}

export interface Call {
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** For `up --config-file`: the file's content at the time of the call. */
  configFile?: string;
  /** For `up --cwd <dir>`: what the directory held at the time of the call. */
  worktree?: { head: string; status: string; files: string[]; stackFile: boolean };
}

export interface FakeOptions {
  history?: Record<string, unknown[]>;
  outputs?: Record<string, unknown>;
  /** stack → version → export document. */
  exports?: Record<string, Record<number, unknown>>;
  /** Exit code of `up` (default 0). */
  upCode?: number;
  /** Make `stack export --version` fail like the diy backend does. */
  noExport?: boolean;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A fake `pulumi`: records calls and answers from fixtures. */
export function fakePulumi(o: FakeOptions = {}): { runner: PulumiRunner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: PulumiRunner = async (args, opts): Promise<RunResult> => {
    const call: Call = { args, cwd: opts.cwd, env: opts.env };
    calls.push(call);
    const stack = flag(args, '--stack') ?? '';
    const ok = (v: unknown): RunResult => ({ code: 0, stdout: JSON.stringify(v), stderr: '' });
    if (args[0] === 'stack' && args[1] === 'history') {
      if (!o.history?.[stack]) return { code: 255, stdout: '', stderr: `error: no stack named '${stack}' found\n` };
      return ok(o.history[stack]);
    }
    if (args[0] === 'stack' && args[1] === 'output') {
      if (!(stack in (o.outputs ?? {}))) return { code: 255, stdout: '', stderr: `error: no stack named '${stack}' found\n` };
      return ok(o.outputs![stack]);
    }
    if (args[0] === 'stack' && args[1] === 'export') {
      if (o.noExport) return { code: 255, stdout: '', stderr: 'error: the current backend (diy) does not provide the ability to export previous deployments\n' };
      const doc = o.exports?.[stack]?.[Number(flag(args, '--version'))];
      return doc ? ok(doc) : { code: 255, stdout: '', stderr: 'error: version not found\n' };
    }
    if (args[0] === 'up') {
      const cfg = flag(args, '--config-file');
      if (cfg) call.configFile = readFileSync(cfg, 'utf8');
      const wt = flag(args, '--cwd');
      if (wt) {
        call.worktree = {
          head: git(wt, 'rev-parse', 'HEAD'),
          status: git(wt, 'status', '--porcelain'),
          files: execFileSync('git', ['ls-files'], { cwd: wt, encoding: 'utf8' }).trim().split('\n'),
          stackFile: existsSync(join(wt, 'stacks', `Pulumi.${stack}.yaml`)),
        };
      }
      opts.stdout?.('Updating (fake)\n');
      return { code: o.upCode ?? 0, stdout: 'Updating (fake)\n', stderr: '' };
    }
    return { code: 1, stdout: '', stderr: `fake pulumi: unexpected ${args.join(' ')}` };
  };
  return { runner, calls };
}

/** One `pulumi stack history --json` entry, shaped like Pulumi's updateInfoJSON. */
export function historyEntry(version: number, commit: string | null, extra: { dirty?: boolean; result?: string; kind?: string; override?: string; changes?: Record<string, number>; when?: string } = {}): Record<string, unknown> {
  const start = extra.when ?? `2026-03-${String(version).padStart(2, '0')}T10:00:00.000Z`;
  const env: Record<string, string> = { 'exec.kind': 'cli', 'git.author': 'Dev', 'git.committer': 'Dev' };
  if (commit) {
    env['git.head'] = commit;
    env['git.headName'] = 'refs/heads/main';
    env['git.dirty'] = String(extra.dirty ?? false);
  }
  const config: Record<string, unknown> = {
    'catalyst:target': { value: 'cloudrun', secret: false },
    'catalyst:OPENAI_API_KEY': { secret: true },
  };
  if (extra.override) config['catalyst:imageOverride'] = { value: extra.override, secret: false };
  return {
    version,
    kind: extra.kind ?? 'update',
    startTime: start,
    message: `deploy ${version}`,
    environment: env,
    config,
    result: extra.result ?? 'succeeded',
    endTime: start.replace('10:00:00', '10:02:00'),
    resourceChanges: extra.changes ?? { create: version === 1 ? 5 : 0, same: 5, update: version === 1 ? 0 : 1 },
  };
}

export const digestOf = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;
export const IMAGE_REPO = 'europe-west1-docker.pkg.dev/demo/catalyst/support-bot';

/** Catalyst stack outputs (docs/contracts.md) for a deployment. */
export function outputsFor(n: number, commit: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    project: 'support-bot',
    env: 'prod',
    target: 'cloudrun',
    region: 'europe-west1',
    url: 'https://support-bot.example.run.app',
    healthUrl: 'https://support-bot.example.run.app/health',
    publicRoutes: [],
    workflows: [],
    imageRef: `${IMAGE_REPO}:${commit ? commit.slice(0, 12) : 'dirty'}`,
    imageDigest: digestOf(n),
    contentHash: `${String(n).repeat(8)}c0ffee`.padEnd(64, '0'),
    version: { commit, branch: 'main', dirty: false },
    uptimeCheckId: null,
    consoleUrl: null,
    logsUrl: null,
    apiKey: { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: 'v1:abc' },
    ...extra,
  };
}

/** A state document in checkpoint (file backend) or export (`pulumi stack export`) shape. */
export function stateDoc(outputs: Record<string, unknown>, shape: 'checkpoint' | 'export'): unknown {
  const deployment = {
    manifest: { time: '2026-03-01T10:00:00Z', magic: 'x', version: 'v3.270.0' },
    resources: [
      { urn: 'urn:pulumi:s::catalyst::pulumi:providers:gcp::default', custom: true, type: 'pulumi:providers:gcp', outputs: { version: '9.37.0' } },
      { urn: 'urn:pulumi:s::catalyst::pulumi:pulumi:Stack::catalyst-s', custom: false, type: 'pulumi:pulumi:Stack', outputs },
    ],
  };
  return shape === 'checkpoint' ? { version: 3, checkpoint: { stack: 'organization/catalyst/s', latest: deployment } } : { version: 3, deployment };
}

export interface Captured {
  out: string;
  err: string;
}

export function context(cwd: string, env: NodeJS.ProcessEnv = {}): { ctx: { cwd: string; stdout: (t: string) => void; stderr: (t: string) => void; env: NodeJS.ProcessEnv; isTTY: boolean }; io: Captured } {
  const io: Captured = { out: '', err: '' };
  return {
    io,
    ctx: {
      cwd,
      stdout: (t) => void (io.out += t),
      stderr: (t) => void (io.err += t),
      env: { PATH: process.env.PATH, PULUMI_BACKEND_URL: 'https://api.pulumi.com', ...env },
      isTTY: false,
    },
  };
}
