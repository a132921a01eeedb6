/**
 * The `docker-cli` image builder's provider methods (see ./provider.ts): `docker build`, `docker push`
 * and `docker image inspect` against the Docker engine the CLI talks to (DOCKER_HOST or the local
 * socket). Loaded by path inside the dynamic provider process; nothing here is serialized.
 *
 * Registry credentials, when given, go to a temporary Docker config directory through
 * `docker login --password-stdin` (never on a command line, never in the user's ~/.docker), used for
 * the push only, and removed afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliImageInputs {
  context: string;
  dockerfile: string;
  /** Hash of the build context (the generated app's content hash): a rebuild happens only when it, or another build input, changes. */
  contextHash: string;
  tags: string[];
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  /** `docker build --network` (`default` leaves it out). */
  network: 'default' | 'host';
  platform: string;
  push: boolean;
  registry: { address: string; username: string; password: string } | null;
}

export interface CliImageOutputs extends Omit<CliImageInputs, 'registry'> {
  registry: { address: string; username: string } | null;
  /** `sha256:…` of the pushed manifest (push), else the local image id. */
  digest: string;
  imageId: string;
}

interface Ran {
  code: number;
  out: string;
}

function docker(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => resolve({ code: 127, out: `${out}${String(e)}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
    child.stdin.end(opts.input ?? '');
  });
}

async function ok(what: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await docker(args, opts);
  if (r.code === 127) throw new Error(`${what}: the docker CLI was not found (catalyst:imageBuilder docker-cli needs Docker installed and running)`);
  if (r.code !== 0) throw new Error(`${what} failed (docker ${args[0]}, exit ${r.code}):\n${r.out.trim().split('\n').slice(-25).join('\n')}`);
  return r.out;
}

/** The build command line (pure; tested directly). */
export function buildArgs(i: CliImageInputs): string[] {
  const args = ['build', '--file', i.dockerfile, '--platform', i.platform];
  if (i.network !== 'default') args.push('--network', i.network);
  for (const k of Object.keys(i.buildArgs).sort()) args.push('--build-arg', `${k}=${i.buildArgs[k]}`);
  for (const k of Object.keys(i.labels).sort()) args.push('--label', `${k}=${i.labels[k]}`);
  for (const t of i.tags) args.push('--tag', t);
  args.push(i.context);
  return args;
}

/** The repository of a reference (`host:5000/app:tag` → `host:5000/app`; a port is not a tag). */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

async function buildAndPush(i: CliImageInputs): Promise<CliImageOutputs> {
  await ok(`building ${i.tags[0]}`, buildArgs(i));
  const imageId = (await ok('reading the built image id', ['image', 'inspect', '--format', '{{.Id}}', i.tags[0]])).trim();
  let digest = imageId;
  if (i.push) {
    let env: NodeJS.ProcessEnv | undefined;
    let configDir: string | undefined;
    try {
      if (i.registry) {
        configDir = mkdtempSync(join(tmpdir(), 'catalyst-docker-config-'));
        env = { ...process.env, DOCKER_CONFIG: configDir };
        await ok(`logging in to ${i.registry.address}`, ['login', i.registry.address, '--username', i.registry.username, '--password-stdin'], { input: i.registry.password, env });
      }
      for (const t of i.tags) await ok(`pushing ${t}`, ['push', t], { env });
    } finally {
      if (configDir) rmSync(configDir, { recursive: true, force: true });
    }
    // The registry's digest of what was pushed: the RepoDigests entry of the first tag's repository.
    const repoDigests = JSON.parse(await ok('reading the pushed digest', ['image', 'inspect', '--format', '{{json .RepoDigests}}', i.tags[0]])) as string[] | null;
    const repo = repositoryOf(i.tags[0]);
    const mine = (repoDigests ?? []).find((d) => d.startsWith(`${repo}@`));
    if (!mine) throw new Error(`pushed ${i.tags[0]} but the engine reports no digest for ${repo} (RepoDigests: ${JSON.stringify(repoDigests)})`);
    digest = mine.slice(repo.length + 1);
  }
  const { registry, ...rest } = i;
  return { ...rest, registry: registry ? { address: registry.address, username: registry.username } : null, digest, imageId };
}

/** Inputs whose change means a new image (a password alone does not: short-lived tokens do not rebuild). */
const BUILD_KEYS = ['context', 'dockerfile', 'contextHash', 'tags', 'labels', 'buildArgs', 'network', 'platform', 'push'] as const;

export function changedKeys(olds: Partial<CliImageOutputs>, news: CliImageInputs): string[] {
  const changed: string[] = BUILD_KEYS.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
  const oldReg = olds.registry ? `${olds.registry.address}|${olds.registry.username}` : '';
  const newReg = news.registry ? `${news.registry.address}|${news.registry.username}` : '';
  if (oldReg !== newReg) changed.push('registry');
  return changed;
}

export async function create(inputs: CliImageInputs): Promise<{ id: string; outs: CliImageOutputs }> {
  const outs = await buildAndPush(inputs);
  return { id: `${repositoryOf(inputs.tags[0])}@${outs.digest}`, outs };
}

export async function diff(_id: string, olds: CliImageOutputs, news: CliImageInputs): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const changed = changedKeys(olds, news);
  return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
}

export async function update(_id: string, _olds: CliImageOutputs, news: CliImageInputs): Promise<{ outs: CliImageOutputs }> {
  return { outs: await buildAndPush(news) };
}

/**
 * Nothing is deleted: pushed tags stay in their registry (a `catalyst rollback` may return to them), as
 * with the docker-build builder's `retainOnDelete`; local images stay in the engine's cache.
 */
export async function remove(): Promise<void> {}
