/**
 * Cached Python virtualenvs for generated apps (`catalyst dev`, the local deploy target, the tests):
 * one per requirements text (and Python version), under <cacheDir>/<hash>, built once and reused.
 * Safe when several processes ask for the same one at once (a lock directory; the others wait).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors.ts';

export const MIN_PYTHON: readonly [number, number] = [3, 11];

export class PythonMissingError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PythonMissingError';
  }
}

/** Building a virtualenv failed (pip, a lock held too long, the cache directory). */
export class VenvError extends UserError {
  constructor(message: string) {
    super(`could not prepare the Python environment: ${message}`);
    this.name = 'VenvError';
  }
}

export interface PythonInfo {
  /** Command or path of the interpreter. */
  cmd: string;
  version: string;
}

/** The Python to build venvs with: $CATALYST_PYTHON, else python3, else python; at least 3.11. */
export function findPython(env: NodeJS.ProcessEnv = process.env): PythonInfo {
  const candidates = env.CATALYST_PYTHON ? [env.CATALYST_PYTHON] : ['python3', 'python'];
  const tried: string[] = [];
  for (const cmd of candidates) {
    const r = spawnSync(cmd, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', timeout: 20_000 });
    if (r.error || r.status !== 0) {
      tried.push(`${cmd}: not found`);
      continue;
    }
    const version = r.stdout.trim();
    const [maj, min] = version.split('.').map(Number);
    if (maj > MIN_PYTHON[0] || (maj === MIN_PYTHON[0] && min >= MIN_PYTHON[1])) return { cmd, version };
    tried.push(`${cmd}: Python ${version} is too old`);
  }
  throw new PythonMissingError(
    `generated apps need Python ${MIN_PYTHON.join('.')} or newer (${tried.join('; ')}); install python3 (e.g. apt-get install python3 python3-venv) or set CATALYST_PYTHON to an interpreter`,
  );
}

export interface VenvOptions {
  /** Interpreter to create the venv with (default: findPython()). */
  python?: PythonInfo;
  /** Progress lines (e.g. "creating virtualenv …"). */
  log?: (line: string) => void;
  /** How long to wait for another process building the same venv (default 15 minutes). */
  waitMs?: number;
}

export interface Venv {
  /** The venv's python executable. */
  python: string;
  dir: string;
  /** True when this call built it (false: it was cached). */
  created: boolean;
}

const READY = '.catalyst-ready';

export function venvKey(requirementsText: string, pythonVersion: string): string {
  return createHash('sha256').update(`${pythonVersion}\n${requirementsText}`).digest('hex').slice(0, 16);
}

function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) => resolve({ code: 127, out: String(err) }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (pid) {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }
  } catch {
    // no pid file yet: judge by age
  }
  try {
    return Date.now() - statSync(lock).mtimeMs > 60_000;
  } catch {
    return false;
  }
}

/** The venv for these requirements under cacheDir, building it when missing. */
export async function ensureVenv(requirementsText: string, cacheDir: string, opts: VenvOptions = {}): Promise<Venv> {
  const py = opts.python ?? findPython();
  const dir = join(cacheDir, venvKey(requirementsText, py.version));
  const python = join(dir, 'bin', 'python');
  if (existsSync(join(dir, READY))) return { python, dir, created: false };
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch (err) {
    throw new VenvError((err as Error).message);
  }
  const lock = `${dir}.lock`;
  const deadline = Date.now() + (opts.waitMs ?? 15 * 60_000);
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (existsSync(join(dir, READY))) return { python, dir, created: false };
    if (lockIsStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new VenvError(`timed out waiting for another process to build ${dir} (remove ${lock} if no build is running)`);
    await sleep(500);
  }
  try {
    if (existsSync(join(dir, READY))) return { python, dir, created: false };
    rmSync(dir, { recursive: true, force: true });
    opts.log?.(`creating virtualenv ${dir} (Python ${py.version})`);
    const venv = await run(py.cmd, ['-m', 'venv', dir]);
    if (venv.code !== 0) throw new PythonMissingError(`could not create a virtualenv with ${py.cmd} (on Debian/Ubuntu: apt-get install python3-venv):\n${venv.out.trim()}`);
    writeFileSync(join(dir, 'requirements.txt'), requirementsText);
    opts.log?.('installing requirements with pip');
    const pip = await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--prefer-binary', '--require-hashes', '-q', '-r', join(dir, 'requirements.txt')]);
    if (pip.code !== 0) throw new VenvError(`pip install failed for ${dir}:\n${pip.out.trim().split('\n').slice(-20).join('\n')}`);
    writeFileSync(join(dir, READY), `${new Date().toISOString()}\n`);
    return { python, dir, created: true };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The default cache of venvs for a repository: <root>/.cache/venvs (git-ignored). */
export function defaultVenvCache(root: string): string {
  return join(root, '.cache', 'venvs');
}
