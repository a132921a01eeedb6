/**
 * Cross-project wiring: a project that calls another project's workflow over HTTP reads that peer's
 * URL from the peer's stack outputs in the same environment (a StackReference to
 * `<org>/<pulumi project>/<peer>.<env>`) and hands it to the app as `CATALYST_PEER_<PEER>_URL`; where a
 * called workflow needs credentials, also the peer's secret `peerKey` output, as the secret
 * `CATALYST_PEER_<PEER>_KEY` (src/contracts/peer-key.ts).
 */
import * as pulumi from '@pulumi/pulumi';
import { baseUrl } from '../contracts/outputs.ts';
import { PEER_KEY_CONFIG, peerKeyEnvName } from '../contracts/peer-key.ts';
import { MIN_SECRET_LENGTH } from './config-problems.ts';
import { httpPeers } from './outputs.ts';
import { peerEnvName } from './names.ts';
import type { ProjectModel } from '../definitions/model.ts';

export interface PeerWiringArgs {
  project: ProjectModel;
  env: string;
  /** Pulumi organization (`organization` on the file backend). */
  org: string;
  /** Pulumi project name from Pulumi.yaml (`catalyst`). */
  pulumiProject: string;
  /** Peers whose `peerKey` output the app sends (default none). */
  keyedPeers?: readonly string[];
}

/** The app env a project's peers give it: their URLs (plain) and keys (secret). */
export interface PeerWiring {
  urls: Record<string, pulumi.Output<string>>;
  keys: Record<string, pulumi.Output<string>>;
}

/** The message for a peer stack that does not export the peer key its caller needs. */
export function missingPeerKeyMessage(caller: string, peer: string, env: string, fqStack: string): string {
  return (
    `project ${caller} calls authenticated workflows of project ${peer}, but stack ${fqStack} exports no "${PEER_KEY_CONFIG}". ` +
    `Set it and deploy ${peer}.${env} first: pulumi config set --secret catalyst:${PEER_KEY_CONFIG} --stack ${peer}.${env}; pulumi up --stack ${peer}.${env} ` +
    `(or \`catalyst up --env ${env}\`, which deploys callees first)`
  );
}

/** The peer key out of a peer stack's `peerKey` output (never echoed), or fails naming the stack to fix. Unknown in a preview. */
export function peerKeyFromOutput(value: unknown, caller: string, peer: string, env: string, fqStack: string, preview = false): string {
  if (typeof value === 'string' && [...value].length >= MIN_SECRET_LENGTH) return value;
  if (preview) return pulumi.unknown as unknown as string;
  throw new pulumi.RunError(missingPeerKeyMessage(caller, peer, env, fqStack));
}

export function peerStackName(org: string, pulumiProject: string, peer: string, env: string): string {
  return `${org}/${pulumiProject}/${peer}.${env}`;
}

/** The message for a peer stack that exists but has no usable `url` output. */
export function missingPeerUrlMessage(caller: string, peer: string, env: string, fqStack: string): string {
  return (
    `project ${caller} calls project ${peer} over HTTP, but stack ${fqStack} has no "url" output. ` +
    `Deploy ${peer}.${env} first: pulumi up --stack ${peer}.${env} (or \`catalyst up --env ${env}\`, which deploys callees first)`
  );
}

/**
 * Reads a peer URL out of a stack's outputs, or fails with the stack to deploy first. In a preview
 * the URL of a peer that is not deployed yet is unknown instead, like any value the update will
 * compute: `catalyst preview --env <env>` of a fresh environment previews callers before their callees
 * exist (`catalyst up` deploys callees first, and an update still fails here).
 */
export function peerUrlFromOutputs(outputs: Record<string, unknown> | undefined, caller: string, peer: string, env: string, fqStack: string, preview = false): string {
  const url = outputs?.url;
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
    if (preview) return pulumi.unknown as unknown as string;
    throw new pulumi.RunError(missingPeerUrlMessage(caller, peer, env, fqStack));
  }
  return baseUrl(url);
}

/**
 * One StackReference per HTTP peer (children of `parent`, named `${name}-peer-<peer>`), the env vars
 * holding their URLs and, for keyed peers, the secret env vars holding their keys (read with
 * `getOutput`, which keeps a secret output secret and leaves the URL plain). A missing peer stack
 * fails in the engine with the stack's name; a peer stack without a `url` (or a needed `peerKey`)
 * output fails here, naming the stack to deploy first.
 */
export function createPeerWiring(name: string, parent: pulumi.Resource, args: PeerWiringArgs): PeerWiring {
  const wiring: PeerWiring = { urls: {}, keys: {} };
  for (const peer of httpPeers(args.project)) {
    const fq = peerStackName(args.org, args.pulumiProject, peer, args.env);
    const ref = new pulumi.StackReference(`${name}-peer-${peer}`, { name: fq }, { parent });
    const preview = pulumi.runtime.isDryRun();
    wiring.urls[peerEnvName(peer)] = ref.getOutput('url').apply((u: unknown) => {
      const url = peerUrlFromOutputs({ url: u }, args.project.name, peer, args.env, fq, preview);
      if (pulumi.isUnknown(url)) pulumi.log.warn(`stack ${fq} is not deployed yet, so ${peer}'s URL is unknown in this preview; deploy it first (catalyst up --env ${args.env} does)`, parent);
      return url;
    });
    if (args.keyedPeers?.includes(peer)) {
      wiring.keys[peerKeyEnvName(peer)] = pulumi.secret(ref.getOutput(PEER_KEY_CONFIG).apply((k: unknown) => peerKeyFromOutput(k, args.project.name, peer, args.env, fq, preview)));
    }
  }
  return wiring;
}
