/**
 * How a stack builds its app image (`catalyst:imageBuilder`, `catalyst:imageBuildArgs`,
 * `catalyst:imageBuildNetwork`; docs/infra.md "Image builders").
 *
 * - `docker-build` (default): @pulumi/docker-build (BuildKit through its provider plugin, which Pulumi
 *   installs on first use or `catalyst setup`). What users get unless they choose otherwise.
 * - `docker-cli`: a dynamic resource over the docker CLI and the local Docker engine
 *   (src/infra/docker-cli): no plugin, needs `docker` on PATH and a running engine. Also what our
 *   end-to-end tests use, since the docker-build plugin cannot be obtained on our machines.
 */
import { z } from 'zod';
import { ENV_NAME } from '../definitions/schema.ts';

export const IMAGE_BUILDERS = ['docker-build', 'docker-cli'] as const;
export type ImageBuilderName = (typeof IMAGE_BUILDERS)[number];

export const imageBuilderOption = z.enum(IMAGE_BUILDERS, { error: `must be one of: ${IMAGE_BUILDERS.join(', ')} (docker-build is the default)` });

/** Build arguments (`--build-arg NAME=value`), e.g. `BASE_IMAGE` to build from a mirror of the base image. */
export const imageBuildArgsOption = z.record(z.string().regex(ENV_NAME, 'build argument names are UPPER_SNAKE_CASE'), z.string(), {
  error: (iss) => (iss.input === undefined ? 'required' : "must be an object of NAME: value (pulumi config set --path 'catalyst:imageBuildArgs.BASE_IMAGE' <image>)"),
});

/** The build's network: `default` (the engine's) or `host` (engines without bridge networking). */
export const imageBuildNetworkOption = z.enum(['default', 'host'], { error: 'must be default or host' });

export interface ImageBuild {
  builder: ImageBuilderName;
  args: Record<string, string>;
  network: 'default' | 'host';
}

export const DEFAULT_IMAGE_BUILD: ImageBuild = Object.freeze({ builder: 'docker-build', args: {}, network: 'default' }) as ImageBuild;
