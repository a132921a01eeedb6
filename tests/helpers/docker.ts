/**
 * Docker for the tests: the engine, the stand-in base image and the loopback registry that
 * scripts/setup-docker.sh provides (CI runs it; so can you). Tests that need them call requireDocker(),
 * which FAILS (never skips) with the command that fixes it when something is missing.
 * Every build and container uses the host network (these machines have no bridge networking).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/cli/commands/dev.ts';
import { REPO } from './codegen.ts';

/** The stand-in for the official python image (same Python minor version); built by setup-docker.sh. */
export const STANDIN_IMAGE = 'catalyst-test/python:3.11-bookworm';
export const REGISTRY_BIN = join(REPO, '.tools', 'bin', 'registry');
const FIX = 'run `bash scripts/setup-docker.sh` (as root: installs docker.io, starts dockerd, builds the stand-in image and the registry)';

export interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** `docker …` to completion (async, so in-process servers keep answering). The legacy builder: no buildx here. */
export function docker(args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('docker', args, { cwd: opts.cwd, env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, out, err: `${err}${String(e)}`, ms: Date.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
}

/** Like docker() but throws with the output when the command fails. */
export async function dockerOk(args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
  const r = await docker(args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (exit ${r.code}):\n${(r.out + r.err).trim().split('\n').slice(-30).join('\n')}`);
  return r;
}

/** The engine answers and the stand-in image exists; otherwise a loud failure naming the fix. */
export function requireDocker(opts: { registry?: boolean } = {}): void {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 30_000 });
  if (info.error || info.status !== 0) throw new Error(`this test needs a running Docker engine (docker info: ${(info.stderr || String(info.error)).trim()}); ${FIX}`);
  const img = spawnSync('docker', ['image', 'inspect', STANDIN_IMAGE], { encoding: 'utf8', timeout: 30_000 });
  if (img.status !== 0) throw new Error(`this test needs the stand-in base image ${STANDIN_IMAGE}; ${FIX}`);
  if (opts.registry && !existsSync(REGISTRY_BIN)) throw new Error(`this test needs the image registry at ${REGISTRY_BIN}; ${FIX}`);
}

export interface Registry {
  /** host:port, e.g. 127.0.0.1:41234 (Docker treats 127.0.0.0/8 registries as insecure-allowed). */
  host: string;
  dir: string;
  /** Repositories and their tags, from the registry's own API. */
  tags(repository: string): Promise<string[]>;
  catalog(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Start the distribution registry on a free loopback port with its storage in a temp dir. */
export async function startRegistry(): Promise<Registry> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-registry-'));
  const config = join(dir, 'config.yml');
  // Storage deletes enabled: tests check what a destroy leaves in the registry.
  writeFileSync(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: catalyst-test-only\n`);
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { env: { PATH: process.env.PATH ?? '', OTEL_TRACES_EXPORTER: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`registry exited with ${child.exitCode}:\n${log}`);
    try {
      const r = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(500) });
      if (r.status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`registry did not answer on ${host}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    dir,
    async tags(repository) {
      const r = await fetch(`http://${host}/v2/${repository}/tags/list`);
      if (r.status === 404) return [];
      const body = (await r.json()) as { tags: string[] | null };
      return [...(body.tags ?? [])].sort();
    },
    async catalog() {
      const body = (await (await fetch(`http://${host}/v2/_catalog`)).json()) as { repositories: string[] | null };
      return [...(body.repositories ?? [])].sort();
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wait until fn() is truthy (polling), or throw what() after timeoutMs. */
export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: () => string | Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(await what());
    await new Promise((r) => setTimeout(r, 200));
  }
}
