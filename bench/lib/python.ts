/**
 * Generated apps and hand-written baselines as uvicorn processes: the cached venv (ensureVenv, the
 * same one `catalyst dev` and the local target use), generating a project into a temp dir, and
 * starting / stopping servers with identical uvicorn settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { defaultVenvCache, ensureVenv } from '../../src/codegen/python-env.ts';
import { loadProjectModel } from '../../src/definitions/load.ts';
import { BENCH, exec, freePort, ROOT, sleep, stop, track } from './common.ts';

/**
 * The uvicorn command line every server of the benchmarks runs with (generated app and baseline alike):
 * one worker, the pure-Python asyncio loop and h11 parser, no access log, warnings only from uvicorn
 * itself. The generated apps ship uvicorn's fast extras (uvloop, httptools; src/codegen/requirements.ts)
 * and use them in production; `FAST_FLAGS` selects them, and the `app` benchmark measures both.
 */
export const UVICORN_FLAGS = ['--workers', '1', '--loop', 'asyncio', '--http', 'h11', '--log-level', 'warning', '--no-access-log'] as const;
/** UVICORN_FLAGS with uvicorn's fast extras: what `python -m app` runs when they are installed (the default). */
export const FAST_FLAGS = ['--workers', '1', '--loop', 'uvloop', '--http', 'httptools', '--log-level', 'warning', '--no-access-log'] as const;

export interface GeneratedDir {
  project: string;
  dir: string;
  contentHash: string;
  requirements: string;
}

/** Generate a project (a name under projects/ or a directory) into `<outRoot>/<project>`. */
export function generateInto(nameOrDir: string, outRoot: string): GeneratedDir {
  const { project, workspace } = loadProjectModel(nameOrDir, { cwd: ROOT, base: ROOT });
  const app = generateApp(project, workspace);
  const dir = join(outRoot, project.name);
  writeApp(app, dir);
  return { project: project.name, dir, contentHash: app.contentHash, requirements: app.files.get('requirements.txt')! };
}

/**
 * Copy a hand-written baseline (bench/baseline/<name>) to `<outRoot>/baseline-<name>`, so it runs from a
 * fresh directory like the generated app does (its bytecode cache is written there, not in the repo).
 */
export function copyBaseline(name: string, outRoot: string): string {
  const dir = join(outRoot, `baseline-${name}`);
  cpSync(join(BENCH, 'baseline', name), dir, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  return dir;
}

/** The venv of the generated apps' requirements (built once, then cached under .cache/venvs). */
export async function appPython(requirements: string, log: (l: string) => void): Promise<string> {
  const venv = await ensureVenv(requirements, defaultVenvCache(ROOT), { log });
  return venv.python;
}

export async function pythonVersions(python: string): Promise<Record<string, string | null>> {
  const r = await exec(python, [
    '-c',
    'import sys, json, importlib.metadata as m\nout = {"python": sys.version.split()[0]}\nfor p in ("uvicorn", "fastapi", "starlette", "pydantic", "httpx", "h11"):\n    try: out[p] = m.version(p)\n    except Exception: out[p] = None\nfor p in ("uvloop", "httptools"):\n    try: out[p] = m.version(p)\n    except Exception: out[p] = "not installed"\nprint(json.dumps(out))',
  ]);
  return JSON.parse(r.stdout) as Record<string, string | null>;
}

export interface Server {
  label: string;
  url: string;
  port: number;
  child: ChildProcess;
  logFile: string;
}

export interface ServerSpec {
  label: string;
  python: string;
  /** Directory put first on sys.path (uvicorn --app-dir). */
  appDir: string;
  /** ASGI app, e.g. app.main:app or main:app. */
  module: string;
  /** Extra environment (e.g. CATALYST_LOG_LEVEL, peer URLs). */
  env?: Record<string, string>;
  /** Where the server's stdout/stderr go. */
  logFile: string;
  /** uvicorn flags (default UVICORN_FLAGS). */
  flags?: readonly string[];
}

/** A minimal, identical environment for every server (nothing from the caller's PYTHON* or CATALYST_* leaks in). */
export function serverEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG ?? 'C.UTF-8', ...extra };
}

/** uvicorn argv (after `python -m`), for a spec and port. */
export function uvicornArgs(spec: ServerSpec, port: number): string[] {
  return ['-m', 'uvicorn', spec.module, '--app-dir', spec.appDir, '--host', '127.0.0.1', '--port', String(port), ...(spec.flags ?? UVICORN_FLAGS)];
}

/** Spawn a server (not waiting for it). */
export function spawnServer(spec: ServerSpec, port: number): ChildProcess {
  const fd = openSync(spec.logFile, 'a');
  try {
    return track(spawn(spec.python, uvicornArgs(spec, port), { cwd: spec.appDir, env: serverEnv(spec.env), stdio: ['ignore', fd, fd] }));
  } finally {
    closeSync(fd);
  }
}

/** One GET; resolves to the status (0 when nothing answered). */
export async function getStatus(url: string, timeoutMs = 1000): Promise<number> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Start a server and wait until GET /health answers 200. */
export async function startServer(spec: ServerSpec, timeoutMs = 60_000): Promise<Server> {
  const port = await freePort();
  const child = spawnServer(spec, port);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if ((await getStatus(`${url}/health`)) === 200) return { label: spec.label, url, port, child, logFile: spec.logFile };
    await sleep(50);
  }
  await stop(child);
  let tail = '';
  try {
    tail = readFileSync(spec.logFile, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    // no log
  }
  throw new Error(`${spec.label} did not become healthy on ${url} within ${timeoutMs} ms (exit ${child.exitCode}); log tail:\n${tail}`);
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed };
}
