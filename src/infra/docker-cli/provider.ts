/**
 * `catalyst:imageBuilder: docker-cli`: the app image built, tagged and pushed by the docker CLI over the
 * local Docker engine, as a Pulumi dynamic resource (no provider plugin to install). It rebuilds only
 * when a build input changes — the context hash (the generated app's content hash), tags, labels, build
 * arguments, network, platform or registry address/user; a new registry password alone does not — and
 * reports the pushed digest. Deleting it deletes nothing (see ./impl.ts `remove`).
 *
 * Pulumi serializes the provider object into the state; its methods (made by ../dynamic.ts) capture
 * only a function name and the loader (two path strings, see ../http/loader.ts) and load ./impl.ts
 * when they run.
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { dynamicResource, forwardingProvider } from '../dynamic.ts';
import { moduleLoader } from '../http/loader.ts';
import { DYNAMIC } from '../tokens.ts';

type Impl = typeof import('./impl.ts');
const load = moduleLoader<Impl>(fileURLToPath(new URL('./impl.ts', import.meta.url)), 'src/infra/docker-cli/impl.ts');

export const dockerCliImageProvider = forwardingProvider(load, { create: 'create', diff: 'diff', update: 'update', delete: 'remove' });

export interface DockerCliImageArgs {
  context: pulumi.Input<string>;
  dockerfile: pulumi.Input<string>;
  contextHash: pulumi.Input<string>;
  tags: pulumi.Input<pulumi.Input<string>[]>;
  labels: pulumi.Input<Record<string, pulumi.Input<string>>>;
  buildArgs: pulumi.Input<Record<string, pulumi.Input<string>>>;
  network: pulumi.Input<'default' | 'host'>;
  platform: pulumi.Input<string>;
  push: pulumi.Input<boolean>;
  /** Registry credentials for the push (password: a secret Output), or null. */
  registry: pulumi.Input<{ address: pulumi.Input<string>; username: pulumi.Input<string>; password: pulumi.Input<string> } | null>;
}

/** `digest`: `sha256:…` of the pushed manifest (push), else the local image id. */
export const DockerCliImage = dynamicResource<DockerCliImageArgs, { digest: string; imageId: string; tags: string[] }>(dockerCliImageProvider, DYNAMIC.dockerCliImage, {
  outputs: ['digest', 'imageId'],
  secret: [],
});
export type DockerCliImage = InstanceType<typeof DockerCliImage>;
