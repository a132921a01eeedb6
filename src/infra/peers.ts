/**
 * Cross-project wiring: a project that calls another project's workflow over HTTP reads that peer's
 * URL from the peer's stack outputs in the same environment (a StackReference to
 * `<org>/<pulumi project>/<peer>.<env>`) and hands it to the app as `CATALYST_PEER_<PEER>_URL`.
 */
import * as pulumi from '@pulumi/pulumi';
import { baseUrl } from '../contracts/outputs.ts';
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
 * One StackReference per HTTP peer (children of `parent`, named `${name}-peer-<peer>`), and the env
 * vars holding their URLs. A missing peer stack fails in the engine with the stack's name; a peer
 * stack without a `url` output fails here, naming the stack to deploy first.
 */
export function createPeerUrls(name: string, parent: pulumi.Resource, args: PeerWiringArgs): Record<string, pulumi.Output<string>> {
  const env: Record<string, pulumi.Output<string>> = {};
  for (const peer of httpPeers(args.project)) {
    const fq = peerStackName(args.org, args.pulumiProject, peer, args.env);
    const ref = new pulumi.StackReference(`${name}-peer-${peer}`, { name: fq }, { parent });
    const preview = pulumi.runtime.isDryRun();
    env[peerEnvName(peer)] = ref.outputs.apply((o) => {
      const url = peerUrlFromOutputs(o, args.project.name, peer, args.env, fq, preview);
      if (pulumi.isUnknown(url)) pulumi.log.warn(`stack ${fq} is not deployed yet, so ${peer}'s URL is unknown in this preview; deploy it first (catalyst up --env ${args.env} does)`, parent);
      return url;
    });
  }
  return env;
}
