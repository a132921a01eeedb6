/**
 * Loopback fixture servers for the report tests. One node:http server serves many behaviours by path
 * prefix: a stack's URL is `http://127.0.0.1:<port>/k/<kind>/<id>`, so its /health is
 * `/k/<kind>/<id>/health`. Plus helpers for a closed port and for outputs files.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PULUMI_VERSION } from '../../src/pulumi/engine.ts';

export type Kind = 'healthy' | 'slow' | 'error500' | 'garbage' | 'hang' | 'trickle' | 'degraded' | 'errors' | 'huge' | 'flaky' | 'noextras';

export const PLANTED = {
  outputs: 'PLANTED-OUTPUTS-SECRET-7f3a9c',
  url: 'PLANTED-URL-PASSWORD-51d2e8',
  health: 'PLANTED-HEALTH-DETAIL-0b6e44',
  version: 'PLANTED-VERSION-TOKEN-c93f10',
  metrics: 'PLANTED-METRICS-LABEL-aa81d7',
} as const;

/** The `slow` fixture's delay: far above the tests' slow threshold (400 ms), below their deadline (1.5 s). */
export const SLOW_MS = 700;
export const COMMIT = 'a'.repeat(40);

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function metricsText(requests: number, errors: number): string {
  return [
    '# HELP catalyst_requests_total HTTP requests to public workflows.',
    '# TYPE catalyst_requests_total counter',
    `catalyst_requests_total{workflow="answer",status="200"} ${requests - errors}`,
    `catalyst_requests_total{workflow="answer",status="500"} ${errors}`,
    '# TYPE catalyst_request_errors_total counter',
    `catalyst_request_errors_total{workflow="answer",note="${PLANTED.metrics}"} ${errors}`,
    '',
  ].join('\n');
}

export interface FixtureServer {
  port: number;
  url(kind: Kind, id?: string | number): string;
  /** Requests received per kind (for "was it probed" checks). */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startFixtureServer(opts: { commit?: string } = {}): Promise<FixtureServer> {
  const hits = new Map<string, number>();
  const flakyCount = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const m = /^\/k\/([a-z0-9]+)\/([^/]+)(\/[a-z]+)$/.exec(req.url ?? '');
    if (!m) return json(res, 404, { error: 'not found' });
    const [, kind, id, endpoint] = m;
    hits.set(kind, (hits.get(kind) ?? 0) + 1);
    const version = { project: id, contentHash: 'b'.repeat(64), commit: opts.commit ?? COMMIT, dirty: false, catalyst: '0.1.0', token: PLANTED.version };
    const ok = () => {
      if (endpoint === '/health') return json(res, 200, { status: 'ok', project: id, checks: { self: { status: 'ok', detail: 'fine' } } });
      if (endpoint === '/version') return json(res, 200, version);
      if (endpoint === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        return res.end(metricsText(kind === 'errors' ? 200 : 100, kind === 'errors' ? 60 : 1));
      }
      return json(res, 404, {});
    };
    switch (kind) {
      case 'healthy':
      case 'errors':
        return ok();
      case 'noextras':
        return endpoint === '/health' ? ok() : json(res, 404, {});
      case 'slow':
        setTimeout(ok, SLOW_MS);
        return;
      case 'error500':
        return json(res, 500, { error: 'boom' });
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('<html>\x00\x01 this is not json');
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(`{"status":"ok","pad":"${'x'.repeat(200 * 1024)}"}`);
      case 'hang':
        return; // accept, read the request, never answer
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{');
        const t = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(t));
        return;
      }
      case 'degraded':
        if (endpoint === '/health') {
          return json(res, 200, {
            status: 'degraded',
            project: id,
            checks: { self: { status: 'ok', detail: 'fine' }, llm: { status: 'degraded', detail: `endpoint rejected key ${PLANTED.health}` } },
            secret: PLANTED.health,
          });
        }
        return ok();
      case 'flaky': {
        // Every other /health answers 500.
        if (endpoint !== '/health') return ok();
        const n = (flakyCount.get(id) ?? 0) + 1;
        flakyCount.set(id, n);
        return n % 2 === 0 ? json(res, 500, {}) : ok();
      }
      default:
        return json(res, 404, {});
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits,
    url: (kind, id = kind) => `http://127.0.0.1:${port}/k/${kind}/${id}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Contract-shaped outputs for a stack at `url`. */
export function outputsFor(name: string, url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const dot = name.lastIndexOf('.');
  return {
    project: name.slice(0, dot),
    env: name.slice(dot + 1),
    target: 'local',
    region: null,
    url,
    healthUrl: `${url}/health`,
    publicRoutes: [{ workflow: 'answer', method: 'POST', path: '/answer' }],
    workflows: [
      { name: 'answer', visibility: 'public' },
      { name: 'summarize', visibility: 'internal' },
    ],
    imageRef: null,
    imageDigest: null,
    contentHash: 'c'.repeat(64),
    version: { commit: COMMIT, branch: 'main', dirty: false },
    uptimeCheckId: null,
    consoleUrl: null,
    logsUrl: null,
    ...extra,
  };
}

export function tempDir(prefix = 'catalyst-report-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeJson(path: string, data: unknown): string {
  writeFileSync(path, JSON.stringify(data, null, 2));
  return path;
}

/** A git repository with `n` commits; returns their SHAs, oldest first. */
export function gitRepo(dir: string, n: number): string[] {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  git('init', '-q', '-b', 'main');
  const shas: string[] = [];
  for (let i = 0; i < n; i++) {
    writeFileSync(join(dir, 'file.txt'), `v${i}\n`);
    git('add', 'file.txt');
    git('commit', '-q', '-m', `commit ${i}`);
    shas.push(git('rev-parse', 'HEAD'));
  }
  return shas;
}

/** Captures a command's stdout and stderr. */
export function captureCtx(cwd: string, extra: Record<string, unknown> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    ctx: {
      cwd,
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      env: { ...process.env, PATH: process.env.PATH ?? '' },
      isTTY: false,
      ...extra,
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

export interface FakePulumi {
  /** Directory to put first on PATH. */
  binDir: string;
  /** Every invocation's argv, in order. */
  calls(): string[][];
}

/**
 * A fake `pulumi` executable: `stack output --json --stack S` prints outputs[S] (or fails like the
 * real CLI for an unknown stack), `stack history --json --stack S` prints history[S]; a stack named
 * `garbled.*` prints non-JSON. It exits 99 if ever given --show-secrets.
 */
export function fakePulumi(dir: string, data: { outputs?: Record<string, unknown>; history?: Record<string, unknown> }): FakePulumi {
  const binDir = join(dir, 'fake-bin');
  mkdirSync(binDir, { recursive: true });
  const dataFile = join(dir, 'fake-pulumi-data.json');
  const logFile = join(dir, 'fake-pulumi-calls.jsonl');
  writeFileSync(dataFile, JSON.stringify({ outputs: data.outputs ?? {}, history: data.history ?? {} }));
  writeFileSync(logFile, '');
  const script = `#!/usr/bin/env node
const fs = process.getBuiltinModule('node:fs');
const args = process.argv.slice(2);
if (args[0] === 'version') { process.stdout.write(${JSON.stringify(`v${PULUMI_VERSION}`)} + '\\n'); process.exit(0); }
fs.appendFileSync(${JSON.stringify(logFile)}, JSON.stringify(args) + '\\n');
if (args.includes('--show-secrets')) { process.stderr.write('secrets requested!\\n'); process.exit(99); }
const data = JSON.parse(fs.readFileSync(${JSON.stringify(dataFile)}, 'utf8'));
const stack = args[args.indexOf('--stack') + 1];
const table = args[1] === 'output' ? data.outputs : args[1] === 'history' ? data.history : {};
if (stack && stack.startsWith('garbled.')) { process.stdout.write('this is not json'); process.exit(0); }
if (!stack || !(stack in table)) { process.stderr.write("error: no stack named '" + stack + "' found\\n"); process.exit(255); }
process.stdout.write(JSON.stringify(table[stack], null, 2));
`;
  writeFileSync(join(binDir, 'pulumi'), script);
  chmodSync(join(binDir, 'pulumi'), 0o755);
  // Catalyst uses a pulumi on PATH only with the Node.js language host beside it (src/pulumi/engine.ts).
  writeFileSync(join(binDir, 'pulumi-language-nodejs'), '#!/bin/sh\nexit 1\n');
  chmodSync(join(binDir, 'pulumi-language-nodejs'), 0o755);
  return {
    binDir,
    calls: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
  };
}

/** A PATH with `dirs` first, then the directories of git and node only (so no real pulumi). */
export function isolatedPath(...dirs: string[]): string {
  const tools = join(tempDir('catalyst-tools-'), 'bin');
  mkdirSync(tools, { recursive: true });
  for (const tool of ['git', 'node']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    symlinkSync(real, join(tools, tool));
  }
  return [...dirs, tools].join(delimiter);
}
