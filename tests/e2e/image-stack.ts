/**
 * Real-engine stacks of image targets (fly, render, railway, …) for the e2e tests: a repository copy
 * (harness.ts E2eRepo) with its own passphrase, the loopback image registry, and a stack file that
 * builds with the `docker-cli` builder (the docker-build plugin cannot be obtained on our machines)
 * from the stand-in base image on the host network. A target's test adds its API fake and options.
 * Needs the engine, Docker and the registry: fails, never skips, without them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { docker, requireDocker, startRegistry, STANDIN_IMAGE, type Registry } from '../helpers/docker.ts';
import { E2eRepo, requirePulumiEngine } from './harness.ts';

export interface ImageStackEnv {
  repo: E2eRepo;
  registry: Registry;
  stop(): Promise<void>;
}

export async function startImageStackEnv(): Promise<ImageStackEnv> {
  requirePulumiEngine();
  requireDocker({ registry: true });
  const repo = E2eRepo.create();
  // Non-local stacks need a passphrase; this copy's own, never a developer's.
  repo.env.PULUMI_CONFIG_PASSPHRASE = `e2e-${randomBytes(8).toString('hex')}`;
  mkdirSync(repo.path('.pulumi-state'), { recursive: true });
  const registry = await startRegistry();
  return {
    repo,
    registry,
    async stop() {
      // The images this copy built and pushed stay in the local engine under the registry's host:port
      // (unique to this run): remove exactly those.
      const listed = await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
      const ours = listed.out.split('\n').filter((ref) => ref.startsWith(`${registry.host}/`));
      if (ours.length) await docker(['image', 'rm', '-f', ...ours]);
      await registry.stop();
      await repo.cleanup();
    },
  };
}

/**
 * Write stacks/Pulumi.<stack>.yaml: the target's keys plus the test build settings (docker-cli,
 * BASE_IMAGE = the stand-in, host network) and no clean-tree requirement (the tests edit the copy).
 */
export function writeImageStack(repo: E2eRepo, stack: string, values: Record<string, unknown>): void {
  const config: Record<string, unknown> = {
    'catalyst:requireCleanGit': false,
    'catalyst:imageBuilder': 'docker-cli',
    'catalyst:imageBuildArgs': { BASE_IMAGE: STANDIN_IMAGE },
    'catalyst:imageBuildNetwork': 'host',
  };
  for (const [k, v] of Object.entries(values)) config[`catalyst:${k}`] = v;
  writeFileSync(repo.path('stacks', `Pulumi.${stack}.yaml`), stringify({ config }));
}

/**
 * billing's secrets as Pulumi config secrets of `stack`, with test values: its lookup route takes an API key
 * (BILLING_API_KEY), and support-bot calls it with billing's peer key (peerKey). Returns the values, for the
 * tests' leak scans.
 */
export async function setBillingSecrets(repo: E2eRepo, stack: string): Promise<string[]> {
  const values = { BILLING_API_KEY: 'e2e-billing-api-key-7f3a9c', peerKey: 'e2e-billing-peer-key-4d81b2e6a0c5f9371d2e8b46' };
  for (const [k, v] of Object.entries(values)) await repo.pulumiOk(['config', 'set', '--secret', `catalyst:${k}`, v], stack);
  return Object.values(values);
}

/** Resource changes of the newest update, without the unchanged ones. */
export async function lastChanges(repo: E2eRepo, stack: string): Promise<Record<string, number>> {
  const h = await repo.lastUpdate(stack);
  if (h.result !== 'succeeded') throw new Error(`the last update of ${stack} ${h.result}`);
  const c = { ...(h.resourceChanges ?? {}) };
  delete c.same;
  return c;
}
