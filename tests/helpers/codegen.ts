/**
 * Helpers for the codegen tests: the cached test virtualenv (app pins + pytest, ruff, schemathesis),
 * generating projects into temp dirs, running generated apps under real uvicorn, and tiny local servers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/cli/commands/dev.ts';
import { generateApp, writeApp, type GeneratedApp } from '../../src/codegen/index.ts';
import { defaultVenvCache, ensureVenv, findPython } from '../../src/codegen/python-env.ts';
import { testRequirementsText } from '../../src/codegen/requirements.ts';
import { loadProjectModel, loadWorkspace } from '../../src/definitions/load.ts';
import type { ProjectModel, Workspace } from '../../src/definitions/model.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_VERSION = '0.0.0-test';

const temps: string[] = [];
export function tempDir(prefix = 'catalyst-codegen-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Tests that need Python fail loudly (never skip) when it is missing. */
export function requirePython(): string {
  return findPython().cmd;
}

let venvPromise: Promise<string> | undefined;
/** The venv's python, built once per machine (cached under .cache/venvs by requirements hash). */
export function testPython(): Promise<string> {
  venvPromise ??= ensureVenv(testRequirementsText({ js: false }), defaultVenvCache(REPO)).then((v) => v.python);
  return venvPromise;
}

let jsVenvPromise: Promise<string> | undefined;
/** The venv for apps with JavaScript nodes (app pins + mini-racer + the test tools). */
export function testPythonJs(): Promise<string> {
  jsVenvPromise ??= ensureVenv(testRequirementsText({ js: true }), defaultVenvCache(REPO)).then((v) => v.python);
  return jsVenvPromise;
}

export function loadExample(name: string): { project: ProjectModel; workspace: Workspace } {
  return loadProjectModel(name, { cwd: REPO, base: REPO });
}

/** Load a workspace from files (paths relative to its projects/ dir); throws with every diagnostic. */
export function workspaceFrom(files: Record<string, string>, withExamples = false): { dir: string; workspace: Workspace } {
  const root = tempDir('catalyst-ws-');
  const projects = join(root, 'projects');
  mkdirSync(projects, { recursive: true });
  if (withExamples) cpSync(join(REPO, 'projects'), projects, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    const f = join(projects, rel);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, text);
  }
  const r = loadWorkspace(projects, { base: root });
  if (!r.workspace) throw new Error(`fixture workspace is invalid:\n${r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.path}: ${d.message}`).join('\n')}`);
  return { dir: root, workspace: r.workspace };
}

/** The codegen fixture workspace (tests/fixtures/codegen/projects: kitchen, peer). */
export function fixtureWorkspace(): Workspace {
  const r = loadWorkspace(join(REPO, 'tests', 'fixtures', 'codegen', 'projects'), { base: REPO });
  if (!r.workspace) throw new Error(`codegen fixtures are invalid:\n${r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`).join('\n')}`);
  return r.workspace;
}

export function project(ws: Workspace, name: string): ProjectModel {
  const p = ws.projects.find((x) => x.name === name);
  if (!p) throw new Error(`no project ${name}`);
  return p;
}

/** Generate a project into a fresh temp dir. */
export function generateInto(p: ProjectModel, ws: Workspace): { app: GeneratedApp; dir: string } {
  const app = generateApp(p, ws, { catalystVersion: TEST_VERSION });
  const dir = join(tempDir('catalyst-app-'), p.name);
  writeApp(app, dir);
  return { app, dir };
}

export interface RunningApp {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every log line so far (stdout + stderr). */
  lines: string[];
  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[];
  stop(): Promise<void>;
}

const running = new Set<RunningApp>();

/** The non-empty lines a child writes to stdout and stderr, as they arrive. */
export function collectLines(child: ChildProcess): string[] {
  const lines: string[] = [];
  let partial = '';
  const onData = (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return lines;
}

/** Start `python -m app` in dir on a free loopback port and wait for /ready (or fail with its log). */
export async function startApp(dir: string, python: string, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(python, ['-m', 'app'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PYTHONDONTWRITEBYTECODE: '1', PORT: String(port), CATALYST_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = collectLines(child);
  const url = `http://127.0.0.1:${port}`;
  const app: RunningApp = {
    url,
    port,
    child,
    lines,
    logs: () =>
      lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    stop: async () => {
      running.delete(app);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
  running.add(app);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app in ${dir} exited with ${child.exitCode}:\n${lines.join('\n')}`);
    try {
      const r = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(500) });
      if (r.status === 200) return app;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await app.stop();
  throw new Error(`app in ${dir} did not become ready:\n${lines.join('\n')}`);
}

export async function stopAllApps(): Promise<void> {
  await Promise.all([...running].map((a) => a.stop()));
}

/** Run a command to completion (async: keeps the event loop free for in-process stub servers). */
export function runAsync(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; out: string; ms: number }> {
  const started = Date.now();
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, out, ms: Date.now() - started });
    });
  });
}

export function runSync(cmd: string, args: string[], cwd?: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export interface Stub {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 whose replies the test decides. */
export async function startStub(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>): Promise<Stub> {
  const requests: Stub['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      void Promise.resolve(handler(req, body, res)).catch(() => {
        res.statusCode = 599;
        res.end();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A fetch with a JSON body that returns status, headers, parsed body (or text) and elapsed ms. */
export async function call(url: string, init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const started = performance.now();
  const r = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers: { ...(init.body !== undefined || init.raw !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status, headers: r.headers, body: body as any, text, ms: performance.now() - started };
}

/** Sum of a Prometheus counter's samples whose labels include all of `labels`. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{ ]+)(?:\{(.*)\})? (.+)$/.exec(line);
    if (!m) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
  }
  return sum;
}
