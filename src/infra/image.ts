/**
 * The app image, built with @pulumi/docker-build (BuildKit) for linux/amd64 from the generated app
 * directory (content-addressed: `.build/<project>/<hash>/`).
 *
 * Tags: `<repo>:<contentHash>` first (the tag docker-build's `ref` output uses) and
 * `<repo>:git-<commit12>[-dirty]` second. The commit comes from the build stamp (the commit at
 * which this content hash was first deployed), so unchanged definitions keep identical inputs: no
 * rebuild, no new digest, no service update. Services reference the pushed image by digest.
 * `retainOnDelete`: images stay in their registry when the resource goes (rollbacks need them).
 */
import * as dockerbuild from '@pulumi/docker-build';
import * as pulumi from '@pulumi/pulumi';
import { DockerCliImage } from './docker-cli/provider.ts';
import { DEFAULT_IMAGE_BUILD, type ImageBuild } from './image-builder.ts';
import type { BuiltImage, ImageDestination } from './targets/types.ts';

export interface BuildStamp {
  /** Commit at which this content hash was first deployed (null outside git). */
  commit: string | null;
  dirty: boolean;
}

export interface AppImageArgs {
  project: string;
  appDir: string;
  dockerfile: string;
  contentHash: string;
  stamp: pulumi.Input<BuildStamp>;
  /** Credential-free source repository URL for the OCI label, or null. */
  source: string | null;
  /** Registry to push to; absent → load into the local Docker engine (no push). */
  destination?: ImageDestination;
  /** Builder, build arguments and network (`catalyst:imageBuilder` …); default: docker-build. */
  build?: ImageBuild;
}

/** The local repository name for images that are loaded, not pushed. */
export function localRepository(project: string): string {
  return `catalyst-${project}`;
}

export function imageTags(repository: string, contentHash: string, stamp: BuildStamp): string[] {
  const tags = [`${repository}:${contentHash}`];
  if (stamp.commit) tags.push(`${repository}:git-${stamp.commit.slice(0, 12)}${stamp.dirty ? '-dirty' : ''}`);
  return tags;
}

export function imageLabels(project: string, contentHash: string, stamp: BuildStamp, source: string | null): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': project,
    'org.opencontainers.image.version': contentHash,
    'dev.catalyst.project': project,
    'dev.catalyst.content-hash': contentHash,
  };
  if (stamp.commit) labels['org.opencontainers.image.revision'] = stamp.commit;
  if (source) labels['org.opencontainers.image.source'] = source;
  return labels;
}

/** `repo@sha256:…` when the digest is known, else `repo:<contentHash>`. */
export function pinnedRef(repository: string, contentHash: string, digest: string | null | undefined): string {
  return digest && /^sha256:[0-9a-f]{64}$/.test(digest) ? `${repository}@${digest}` : `${repository}:${contentHash}`;
}

export function createAppImage(name: string, parent: pulumi.Resource, args: AppImageArgs): BuiltImage & { image: dockerbuild.Image | DockerCliImage } {
  const build = args.build ?? DEFAULT_IMAGE_BUILD;
  if (build.builder === 'docker-cli') return createCliImage(name, parent, args, build);
  const push = args.destination !== undefined;
  const repository = pulumi.output(args.destination ? args.destination.repository : localRepository(args.project));
  const stamp = pulumi.output(args.stamp);
  const registry = args.destination?.registry;
  const image = new dockerbuild.Image(
    `${name}-image`,
    {
      context: { location: args.appDir },
      dockerfile: { location: args.dockerfile },
      platforms: [dockerbuild.Platform.Linux_amd64],
      tags: pulumi.all([repository, stamp]).apply(([repo, s]) => imageTags(repo, args.contentHash, s)),
      labels: stamp.apply((s) => imageLabels(args.project, args.contentHash, s, args.source)),
      push,
      load: !push,
      // Previews stay fast and need no Docker engine; `up` builds.
      buildOnPreview: false,
      ...(Object.keys(build.args).length ? { buildArgs: build.args } : {}),
      ...(build.network === 'host' ? { network: dockerbuild.NetworkMode.Host } : {}),
      ...(registry ? { registries: [{ address: registry.address, username: registry.username, password: pulumi.secret(registry.password) }] } : {}),
    },
    // Deleting an Image deletes its pushed tags. Never: the registry keeps every image a
    // `catalyst rollback` may return to, and a rollback run (catalyst:imageOverride) declares no
    // Image, so Pulumi drops this one from the state without touching the registry.
    { parent, dependsOn: args.destination?.dependsOn, retainOnDelete: true },
  );
  const digest = image.digest.apply((d) => (d && /^sha256:[0-9a-f]{64}$/.test(d) ? d : null));
  // Derived from an output of the image, so consumers depend on the build.
  const ref = pulumi.all([repository, image.digest]).apply(([repo]) => `${repo}:${args.contentHash}`);
  const pinned = push ? pulumi.all([repository, digest]).apply(([repo, d]) => pinnedRef(repo, args.contentHash, d)) : ref;
  return { image, ref, pinnedRef: pinned, digest };
}

/** The same image through the docker CLI (`catalyst:imageBuilder: docker-cli`; src/infra/docker-cli). */
function createCliImage(name: string, parent: pulumi.Resource, args: AppImageArgs, build: ImageBuild): BuiltImage & { image: DockerCliImage } {
  const push = args.destination !== undefined;
  const repository = pulumi.output(args.destination ? args.destination.repository : localRepository(args.project));
  const stamp = pulumi.output(args.stamp);
  const registry = args.destination?.registry;
  const image = new DockerCliImage(
    `${name}-image`,
    {
      context: args.appDir,
      dockerfile: args.dockerfile,
      contextHash: args.contentHash,
      tags: pulumi.all([repository, stamp]).apply(([repo, s]) => imageTags(repo, args.contentHash, s)),
      labels: stamp.apply((s) => imageLabels(args.project, args.contentHash, s, args.source)),
      buildArgs: build.args,
      network: build.network,
      platform: 'linux/amd64',
      push,
      registry: registry ? { address: registry.address, username: registry.username, password: pulumi.secret(registry.password) } : null,
    },
    // Nothing to retain: its delete removes nothing (pushed tags stay for rollbacks), as with docker-build.
    { parent, dependsOn: args.destination?.dependsOn },
  );
  const digest = image.digest.apply((d) => (d && /^sha256:[0-9a-f]{64}$/.test(d) ? d : null));
  const ref = pulumi.all([repository, image.digest]).apply(([repo]) => `${repo}:${args.contentHash}`);
  const pinned = push ? pulumi.all([repository, digest]).apply(([repo, d]) => pinnedRef(repo, args.contentHash, d)) : ref;
  return { image, ref, pinnedRef: pinned, digest };
}
