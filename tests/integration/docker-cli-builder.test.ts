/**
 * The `docker-cli` image builder's provider methods (src/infra/docker-cli/impl.ts) against the real
 * Docker engine and the loopback registry: create builds, tags and pushes and reports the digest the
 * registry serves; diff asks for a rebuild only when a build input changes (not for a new password);
 * update pushes the new image; delete leaves the registry alone. Pure helpers are checked too.
 * Needs Docker and the registry (scripts/setup-docker.sh): fails, never skips, without them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArgs, changedKeys, create, diff, remove, repositoryOf, update, type CliImageInputs } from '../../src/infra/docker-cli/impl.ts';
import { docker, requireDocker, startRegistry, STANDIN_IMAGE, type Registry } from '../helpers/docker.ts';

let registry: Registry;
let ctx: string;

beforeAll(async () => {
  requireDocker({ registry: true });
  registry = await startRegistry();
  ctx = mkdtempSync(join(tmpdir(), 'catalyst-cli-image-'));
  writeFileSync(join(ctx, 'Dockerfile'), 'ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\nCOPY hello.txt /hello.txt\n');
  writeFileSync(join(ctx, 'hello.txt'), 'one\n');
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (ctx) rmSync(ctx, { recursive: true, force: true });
});

function inputs(over: Partial<CliImageInputs> = {}): CliImageInputs {
  return {
    context: ctx,
    dockerfile: join(ctx, 'Dockerfile'),
    contextHash: 'hash-one',
    tags: [`${registry.host}/cli-test:hash-one`, `${registry.host}/cli-test:git-abc`],
    labels: { 'dev.catalyst.project': 'cli-test' },
    buildArgs: { BASE_IMAGE: STANDIN_IMAGE },
    network: 'host',
    platform: 'linux/amd64',
    push: true,
    registry: null,
    ...over,
  };
}

const manifestDigest = async (repo: string, tag: string) =>
  (await fetch(`http://${registry.host}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } })).headers.get('docker-content-digest');

describe('docker-cli builder helpers', () => {
  it('builds the command line in a stable order, without --network for the default', () => {
    expect(buildArgs(inputs({ network: 'default', labels: { b: '2', a: '1' }, buildArgs: { Z: 'z', A: 'a' } }))).toEqual([
      'build', '--file', join(ctx, 'Dockerfile'), '--platform', 'linux/amd64', '--build-arg', 'A=a', '--build-arg', 'Z=z', '--label', 'a=1', '--label', 'b=2',
      '--tag', `${registry.host}/cli-test:hash-one`, '--tag', `${registry.host}/cli-test:git-abc`, ctx,
    ]);
  });

  it('takes the repository of a port-qualified reference', () => {
    expect(repositoryOf('127.0.0.1:5000/app:tag')).toBe('127.0.0.1:5000/app');
    expect(repositoryOf('127.0.0.1:5000/app@sha256:' + 'a'.repeat(64))).toBe('127.0.0.1:5000/app');
    expect(repositoryOf('127.0.0.1:5000/app')).toBe('127.0.0.1:5000/app');
    expect(repositoryOf('ghcr.io/acme/billing:abc')).toBe('ghcr.io/acme/billing');
  });

  it('a new registry password alone changes nothing; a new context hash, tag or registry user does', () => {
    const base = inputs({ registry: { address: 'r.example', username: 'u', password: 'p1' } });
    const olds = { ...base, registry: { address: 'r.example', username: 'u' }, digest: 'sha256:x', imageId: 'sha256:y' };
    expect(changedKeys(olds, { ...base, registry: { address: 'r.example', username: 'u', password: 'p2' } })).toEqual([]);
    expect(changedKeys(olds, { ...base, contextHash: 'hash-two' })).toEqual(['contextHash']);
    expect(changedKeys(olds, { ...base, tags: ['x:1'] })).toEqual(['tags']);
    expect(changedKeys(olds, { ...base, registry: { address: 'r.example', username: 'v', password: 'p1' } })).toEqual(['registry']);
  });
});

describe('docker-cli builder against Docker and the loopback registry', () => {
  it('create pushes every tag and reports the digest the registry serves; update after a change pushes a new one', async () => {
    const { id, outs } = await create(inputs());
    expect(outs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(id).toBe(`${registry.host}/cli-test@${outs.digest}`);
    expect(await registry.tags('cli-test')).toEqual(['git-abc', 'hash-one']);
    expect(await manifestDigest('cli-test', 'hash-one')).toBe(outs.digest);
    expect(outs).not.toHaveProperty('registry.password');

    expect((await diff(id, outs, inputs())).changes).toBe(false);
    writeFileSync(join(ctx, 'hello.txt'), 'two\n');
    const next = inputs({ contextHash: 'hash-two', tags: [`${registry.host}/cli-test:hash-two`] });
    expect((await diff(id, outs, next)).changes).toBe(true);
    const { outs: outs2 } = await update(id, outs, next);
    expect(outs2.digest).not.toBe(outs.digest);
    expect(await manifestDigest('cli-test', 'hash-two')).toBe(outs2.digest);

    await remove();
    expect(await registry.tags('cli-test')).toEqual(['git-abc', 'hash-one', 'hash-two']);
    for (const t of [...inputs().tags, ...next.tags]) await docker(['image', 'rm', '-f', t]);
  }, 300_000);

  it('a failed build names the image and shows docker\'s words', async () => {
    await expect(create(inputs({ buildArgs: { BASE_IMAGE: 'catalyst-test/does-not-exist:1' } }))).rejects.toThrow(/building .*cli-test:hash-one failed \(docker build, exit \d+\)/);
  }, 120_000);
});
