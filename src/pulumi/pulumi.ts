import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { offlineSettings, resolveEngine, tryResolveEngine } from './engine.ts';

export { INSTALL_HINT, MIN_PULUMI_VERSION, PULUMI_VERSION, PulumiError } from './engine.ts';
/** Documented development passphrase: only for stacks of the `local` environment. */
export const LOCAL_DEV_PASSPHRASE = 'catalyst-local-dev';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when pulumi was interrupted: the signal catalyst forwarded, or the one that killed pulumi. */
  interrupted?: NodeJS.Signals;
}

/** How Catalyst runs the Pulumi CLI; injectable so commands are testable without the engine. */
export type PulumiRunner = (args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; passthrough?: boolean; stdout?: (t: string) => void; stderr?: (t: string) => void }) => Promise<RunResult>;

/** The pulumi binary (see src/pulumi/engine.ts for the choice); throws with how to install Pulumi. */
export function pulumiBinary(repo: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolveEngine(repo, env).binary;
}

/**
 * Environment for running Pulumi on `stack` from the repository: the file backend in .pulumi-state
 * unless PULUMI_BACKEND_URL is set, Node 24 first on PATH (then the built engine's directory when it
 * is the one in use), and the development passphrase for `*.local` stacks only (never for other
 * stacks). The offline settings (no plugin download, no update check, PULUMI_HOME in .tools/) only
 * when they are on (src/pulumi/engine.ts); otherwise the user's PULUMI_HOME and plugin acquisition are
 * left as they are.
 */
export function pulumiEnv(repo: string, stack: string | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const engine = tryResolveEngine(repo, base);
  const dirs = [...(engine?.kind === 'built' ? [dirname(engine.binary)] : []), join(repo, 'node_modules', '.bin'), base.PATH ?? ''];
  env.PATH = dirs.join(delimiter);
  if (offlineSettings(repo, base)) {
    env.PULUMI_SKIP_UPDATE_CHECK = 'true';
    env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = 'true';
    if (!env.PULUMI_HOME) {
      env.PULUMI_HOME = join(repo, '.tools', 'pulumi-home');
      mkdirSync(env.PULUMI_HOME, { recursive: true });
    }
  }
  if (!env.PULUMI_BACKEND_URL) env.PULUMI_BACKEND_URL = `file://${join(repo, '.pulumi-state')}`;
  const isLocal = stack !== undefined && stack.endsWith('.local');
  if (isLocal && !env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) env.PULUMI_CONFIG_PASSPHRASE = LOCAL_DEV_PASSPHRASE;
  return env;
}

/**
 * The directory of a `file://` backend URL (query string dropped, `~` expanded, relative to `cwd`),
 * or undefined for any other backend.
 */
export function fileBackendDir(url: string | undefined, cwd: string): string | undefined {
  if (!url?.startsWith('file://')) return undefined;
  let path = decodeURIComponent(url.slice('file://'.length).split('?')[0]);
  if (path === '~' || path.startsWith('~/')) path = join(homedir(), path.slice(1));
  return resolve(cwd, path);
}

/**
 * Creates the directory of a `file://` backend when it is missing: the CLI refuses to open one that
 * does not exist (`unable to open state directory … no such file or directory`), which is the state
 * of every fresh clone (.pulumi-state is git-ignored).
 */
export function ensureFileBackend(env: NodeJS.ProcessEnv, cwd: string): void {
  const dir = fileBackendDir(env.PULUMI_BACKEND_URL, cwd);
  if (dir && !existsSync(dir)) mkdirSync(dir, { recursive: true });
}

/**
 * Runs the real CLI: output is captured, and also streamed when `passthrough` is set.
 *
 * Pulumi runs in its own process group, and catalyst forwards each SIGINT/SIGTERM it receives while
 * pulumi runs as one signal to pulumi. So Ctrl-C works as it does with pulumi alone (the first cancels
 * gracefully: running operations finish and the state and lock are written; a second stops at once),
 * and catalyst stays alive to read pulumi's last words. Without this, the terminal's SIGINT would
 * kill catalyst as well, and pulumi, whose output pipe is then closed, risks dying of SIGPIPE (Go's
 * default for a write to a closed stdout) mid-update, leaving a lock and pending operations behind.
 */
export function realRunner(binary: string, signals: Pick<NodeJS.EventEmitter, 'on' | 'off'> = process): PulumiRunner {
  return (args, opts) =>
    new Promise((resolve, reject) => {
      const child = spawn(binary, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      let interrupted: NodeJS.Signals | undefined;
      const forward = (sig: NodeJS.Signals) => {
        interrupted = sig;
        try {
          if (child.pid) process.kill(child.pid, sig);
        } catch {
          /* already gone */
        }
      };
      const names: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
      for (const sig of names) signals.on(sig, forward);
      const cleanup = () => {
        for (const sig of names) signals.off(sig, forward);
      };
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (opts.passthrough) (opts.stdout ?? ((t) => process.stdout.write(t)))(d);
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (opts.passthrough) (opts.stderr ?? ((t) => process.stderr.write(t)))(d);
      });
      child.on('error', (err) => {
        cleanup();
        reject(err);
      });
      child.on('close', (code, signal) => {
        cleanup();
        resolve({ code: code ?? 1, stdout, stderr, ...(interrupted || signal ? { interrupted: interrupted ?? signal! } : {}) });
      });
    });
}

/**
 * A runner for read-only calls (`stack output`, `stack history`) that must never hang a report: pulumi
 * stays in catalyst's process group (a Ctrl-C stops both; a read has no state to protect), its output
 * is captured (never streamed), and it is killed after `timeoutMs`. A CLI that cannot be started, or
 * that was killed, gives a non-zero code, never an exception.
 */
export function readOnlyRunner(binary: string, timeoutMs: number): PulumiRunner {
  return (args, opts) =>
    new Promise((resolve) => {
      try {
        execFile(binary, args, { cwd: opts.cwd, env: opts.env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' && err.code !== 0 ? err.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
      } catch (err) {
        resolve({ code: 1, stdout: '', stderr: (err as Error).message });
      }
    });
}

/** The one place commands get a Pulumi runner from; tests replace `create` with a fake. */
export const runnerFactory: { create: (repo: string, env: NodeJS.ProcessEnv) => PulumiRunner } = {
  create: (repo, env) => realRunner(pulumiBinary(repo, env)),
};
