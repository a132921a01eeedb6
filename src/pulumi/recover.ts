/**
 * Recovery from an interrupted Pulumi operation, run by `catalyst up`/`down` before they touch a stack.
 *
 * A `pulumi up` that is killed mid-update (SIGKILL, OOM, a closed terminal, its output reader dying)
 * leaves behind, with the file backend:
 *
 * - a **lock file** `.pulumi/locks/<org>/<project>/<stack>/<id>.json` holding the dead process's pid
 *   and host. Every later update fails with `the stack is currently locked by 1 lock(s)` until
 *   `pulumi cancel` deletes it. A lock is stale when it was taken on this host by a pid that is no
 *   longer a running pulumi; only then is it removed. A live or foreign lock is left alone, and
 *   pulumi's own error explains it.
 * - **pending operations** in the checkpoint. The next update warns and carries on. Pending creates
 *   are never dropped by an update, so the warning would repeat forever. Only
 *   `pulumi refresh --clear-pending-creates` (or an interactive refresh) clears them.
 * - for the `local` target, possibly the **app process** started by the interrupted create. It runs
 *   detached, so it outlives pulumi. The next create stops it through its pid file
 *   (`.catalyst/run/<stack>/app.pid`). After a destroy, `reapLocalApp` stops it.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { files, isAppProcess, stopProcess } from '../shared/process.ts';
import { pulumiProjectName, readMaybeCompressed } from './history.ts';
import { fileBackendDir, type PulumiRunner } from './pulumi.ts';

export interface StackLock {
  file: string;
  pid: number | null;
  host: string | null;
  timestamp: string | null;
}

export interface PendingOperation {
  type: string;
  urn: string;
}

function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The stack's lock files in a file backend (project-scoped layout, and the legacy one). */
export function stackLocks(root: string, project: string | null, stack: string): StackLock[] {
  const locks = join(root, '.pulumi', 'locks');
  const dirs = [join(locks, stack)];
  if (project) {
    let orgs: string[] = [];
    try {
      orgs = readdirSync(locks);
    } catch {
      /* no locks at all */
    }
    for (const org of orgs) dirs.push(join(locks, org, project, stack));
  }
  return dirs.flatMap(jsonFiles).map((file) => {
    try {
      const l = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; hostname?: unknown; timestamp?: unknown };
      return {
        file,
        pid: typeof l.pid === 'number' ? l.pid : null,
        host: typeof l.hostname === 'string' ? l.hostname : null,
        timestamp: typeof l.timestamp === 'string' ? l.timestamp : null,
      };
    } catch {
      return { file, pid: null, host: null, timestamp: null };
    }
  });
}

/** True when `pid` is a running pulumi process (a reused pid running something else is not). */
export function isPulumiProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return /pulumi/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: alive is all we know
  }
}

/** A lock taken on this host by a process that is no longer a running pulumi. */
export function lockIsStale(lock: StackLock, host: string = hostname()): boolean {
  return lock.host === host && lock.pid !== null && !isPulumiProcess(lock.pid);
}


function operationsOf(deployment: unknown): PendingOperation[] {
  const ops = (deployment as { pending_operations?: unknown } | null)?.pending_operations;
  if (!Array.isArray(ops)) return [];
  return ops.map((op: { type?: unknown; resource?: { urn?: unknown } }) => ({ type: String(op?.type ?? ''), urn: String(op?.resource?.urn ?? '') }));
}

/**
 * The pending operations recorded in a file backend's checkpoint of `stack`; undefined when the
 * checkpoint file is not found there (the caller then asks `pulumi stack export`).
 */
export function fileBackendPendingOperations(root: string, project: string | null, stack: string): PendingOperation[] | undefined {
  const base = join(root, '.pulumi', 'stacks');
  const candidates = [...(project ? [join(base, project, stack)] : []), join(base, stack)].flatMap((p) => [`${p}.json`, `${p}.json.gz`]);
  const file = candidates.find((f) => existsSync(f));
  if (!file) return undefined;
  const cp = readMaybeCompressed(file) as { checkpoint?: { latest?: unknown } } | null;
  return operationsOf(cp?.checkpoint?.latest);
}

export interface RecoverOptions {
  runner: PulumiRunner;
  repo: string;
  stack: string;
  /** pulumiEnv() of the stack. */
  env: NodeJS.ProcessEnv;
  stderr: (t: string) => void;
  /** This host's name (tests). */
  host?: string;
}

function describe(lock: StackLock): string {
  return `pid ${lock.pid ?? '?'} on ${lock.host ?? '?'}${lock.timestamp ? ` at ${lock.timestamp}` : ''}`;
}

/**
 * Makes a stack updatable again after an interrupted pulumi operation: removes stale locks with
 * `pulumi cancel` and clears pending creates with `pulumi refresh --clear-pending-creates`. Says what
 * it does. Returns false when a needed command failed (its output is printed).
 */
export async function recoverStack(o: RecoverOptions): Promise<boolean> {
  const root = fileBackendDir(o.env.PULUMI_BACKEND_URL, o.repo);
  const project = pulumiProjectName(o.repo);
  const run = async (args: string[], what: string): Promise<boolean> => {
    const r = await o.runner(args, { cwd: o.repo, env: o.env });
    if (r.code === 0) return true;
    o.stderr(`${o.stack}: ${what} failed (pulumi ${args.join(' ')}):\n${(r.stderr || r.stdout).trimEnd()}\n`);
    return false;
  };
  let pending: PendingOperation[] | undefined;
  if (root) {
    const locks = stackLocks(root, project, o.stack);
    if (locks.length > 0) {
      const live = locks.filter((l) => !lockIsStale(l, o.host));
      if (live.length > 0) {
        // Leave it: pulumi refuses the update with its own message naming the lock.
        o.stderr(`${o.stack}: locked by another pulumi (${live.map(describe).join('; ')}); if that process is gone, run: pulumi cancel --stack ${o.stack}\n`);
        return true;
      }
      o.stderr(`${o.stack}: removing the lock left by an interrupted pulumi (${locks.map(describe).join('; ')}): pulumi cancel\n`);
      if (!(await run(['cancel', '--yes', '--non-interactive', '--stack', o.stack], 'removing the stale lock'))) return false;
    }
    try {
      pending = fileBackendPendingOperations(root, project, o.stack);
    } catch {
      pending = undefined;
    }
  }
  if (pending === undefined) {
    const r = await o.runner(['stack', 'export', '--stack', o.stack], { cwd: o.repo, env: o.env });
    if (r.code !== 0) return true; // nothing to go on; the update itself will say what is wrong
    try {
      pending = operationsOf((JSON.parse(r.stdout) as { deployment?: unknown }).deployment);
    } catch {
      return true;
    }
  }
  const creates = pending.filter((p) => p.type === 'creating');
  if (creates.length === 0) return true; // other pending operations are resolved by the next update
  o.stderr(
    `${o.stack}: ${creates.length} create(s) were interrupted by an earlier pulumi run (${creates.map((c) => c.urn.split('::').pop()).join(', ')}); ` +
      'clearing them with pulumi refresh --clear-pending-creates (the next update creates them again)\n',
  );
  return run(['refresh', '--clear-pending-creates', '--yes', '--skip-preview', '--non-interactive', '--stack', o.stack], 'clearing the interrupted creates');
}

/**
 * After a destroy: a `local` app whose create was interrupted is not in the state, so the destroy did
 * not stop it; its run directory (`.catalyst/run/<stack>`) still names it. Stop it, and remove the
 * run directory. Returns the pid that was stopped.
 */
export async function reapLocalApp(repo: string, stack: string, stderr: (t: string) => void): Promise<number | undefined> {
  const runDir = join(repo, '.catalyst', 'run', stack);
  if (!existsSync(runDir)) return undefined;
  let pid: number | undefined;
  try {
    const n = Number(readFileSync(files(runDir).pidFile, 'utf8').trim());
    if (Number.isInteger(n) && n > 1) pid = n;
  } catch {
    /* no pid file */
  }
  const alive = pid !== undefined && isAppProcess(pid);
  if (alive) {
    stderr(`${stack}: stopping app process ${pid}, left running by an interrupted create (not in the stack's state)\n`);
    await stopProcess(pid!);
  }
  rmSync(runDir, { recursive: true, force: true });
  return alive ? pid : undefined;
}
