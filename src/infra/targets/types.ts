import type * as pulumi from '@pulumi/pulumi';
import type { z } from 'zod';
import type { ProjectModel } from '../../definitions/model.ts';
import type { TargetName } from '../../contracts/targets.ts';
import type { GitVersion } from '../../contracts/git-state.ts';

/**
 * One interface for every deploy target (cloudrun, fly, render, railway, local, docker). A target validates
 * its own options, says where its image goes, deploys, and returns its part of the stack outputs.
 * Adding a target touches its folder and one line of the registry (src/infra/targets/index.ts).
 */
export type { GitVersion };

/** Where a container image is pushed, when the target runs one. */
export interface ImageDestination {
  /** Repository without tag, e.g. `registry.fly.io/my-app` or `europe-west1-docker.pkg.dev/p/r/app`. */
  repository: pulumi.Input<string>;
  /** Registry credentials, when the build must log in (password always a secret Output). */
  registry?: { address: pulumi.Input<string>; username: pulumi.Input<string>; password: pulumi.Input<string> };
  /** Resources the push depends on (e.g. the Artifact Registry repository). */
  dependsOn?: pulumi.Resource[];
}

export interface BuiltImage {
  /** `repository:tag` */
  ref: pulumi.Output<string>;
  /** `repository@sha256:…` when the builder exposes the digest, else the tag ref. */
  pinnedRef: pulumi.Output<string>;
  digest: pulumi.Output<string | null>;
}

export interface TargetContext<C> {
  /** Logical name prefix for child resources: `${name}-<suffix>`. */
  name: string;
  /** Parent ComponentResource (every child gets `{ parent }`). */
  parent: pulumi.Resource;
  stack: string;
  env: string;
  project: ProjectModel;
  config: C;
  /** Directory of the generated app (keyed by content hash). */
  appDir: string;
  /**
   * The repository root (the Pulumi program's directory) where `.catalyst/` and `.cache/` live.
   * Always set by the program; optional only so older call sites keep compiling.
   */
  root?: string;
  contentHash: string;
  version: GitVersion;
  /** The built image for container targets (undefined for `local`). */
  image?: BuiltImage;
  /**
   * Plain environment for the app (project env merged with stack overrides, peer URLs, version vars).
   * It never holds PORT: each target sets PORT the way its platform wants (Cloud Run sets it itself
   * and rejects it in `envs`).
   */
  plainEnv: Record<string, pulumi.Input<string>>;
  /** Secret environment for the app: name → secret Output (never plain). */
  secretEnv: Record<string, pulumi.Output<string>>;
  /** Port the app listens on inside its container/process. */
  port: number;
  /** The project's scheduled workflows and how this target runs them (src/infra/schedules.ts); absent without schedules. */
  schedules?: ScheduleDeploy;
}

/** What a target needs to run a project's schedules (docs/infra.md, "Schedules"). */
export interface ScheduleDeploy {
  list: { workflow: string; cron: string; timezone: string }[];
  /** The scheduler's bearer token (CATALYST_SCHEDULER_TOKEN), a secret Output; none on cloudrun (OIDC). */
  token?: pulumi.Output<string>;
  /** Env for the one instance that runs the in-app scheduler, on targets that pick one (fly). */
  leaderEnv?: Record<string, string>;
}

export interface TargetOutputs {
  url: pulumi.Output<string>;
  region: string | null;
  consoleUrl: pulumi.Output<string | null> | string | null;
  logsUrl: pulumi.Output<string | null> | string | null;
  /** Resources that must exist before the service is considered deployed (for dependsOn). */
  resources: pulumi.Resource[];
}

export interface Target<C = unknown> {
  name: TargetName;
  /**
   * zod schema of this target's stack config options (`catalyst:<option>` keys, see docs/infra.md).
   * It is given an object of every `catalyst:*` key except the common keys (COMMON_KEYS in
   * src/infra/config.ts) and the project's declared secrets, without the `catalyst:` prefix. Values
   * are Pulumi's strings (use the helpers in src/infra/options.ts, which also accept typed values);
   * keys set with `--secret` arrive as secret `pulumi.Output<string>` handles (`secretOption`). A
   * `z.object`/`z.strictObject` schema lets the program report unknown keys and `catalyst stack init`
   * offer the options as `--<option>` flags.
   */
  configSchema: z.ZodType<C>;
  /**
   * Secret config keys the target requires and reads itself (e.g. `flyApiToken`, read with
   * `new pulumi.Config('catalyst').requireSecret(…)`). The preflight lists each one that is missing
   * or set in plain text, with its `pulumi config set --secret` command, together with every other
   * problem.
   */
  secretKeys?: readonly string[];
  /** Port the app listens on (inside its container or as a process). Default 8080. */
  listenPort?(config: C, stack: string): number;
  /**
   * Whether Google's uptime checkers can reach the deployed URL (default true). `local` and `docker`
   * serve loopback URLs, so no uptime check is created for them.
   */
  reachableFromInternet?: boolean;
  /**
   * True when the target runs a container image (built by the program before `deploy`). With
   * `imageDestination` the image is pushed there; without it the image is loaded into the local
   * Docker engine (the `docker` target).
   */
  usesImage: boolean;
  imageDestination?(ctx: Omit<TargetContext<C>, 'image'>): ImageDestination;
  deploy(ctx: TargetContext<C>): TargetOutputs;
}
