/**
 * `CatalystProject`: one Catalyst project deployed to one environment. The recipe:
 *
 *   build stamp → peer URLs (StackReferences) → app env → image (container targets) →
 *   target deploy → uptime check → the stack outputs contract.
 *
 * Every child is `{ parent: this }` and named `${name}-<suffix>`; the public readonly fields are the
 * stack outputs (docs/contracts.md §1) and are registered as this component's outputs.
 *
 * A `catalyst rollback` run (docs/gitops.md) sets `catalyst:imageOverride`: no image is built, the
 * target deploys that image, and the outputs describe it (`catalyst:rollback`: the restored version
 * and content hash, and `rolledBackFrom`).
 */
import * as pulumi from '@pulumi/pulumi';
import type { ProjectModel } from '../definitions/model.ts';
import type { RollbackState } from '../contracts/rollback.ts';
import { imageDigestOf, type StackConfig } from './config.ts';
import { createAppImage, type BuildStamp } from './image.ts';
import { baseUrl, type OutputValues, type OutputWorkflow, type PublicRoute } from '../contracts/outputs.ts';
import { hasPublicWorkflows, publicRoutes, workflowList } from './outputs.ts';
import { createPeerWiring } from './peers.ts';
import { PEER_KEY_ENV, PEER_KEY_PREVIOUS_ENV } from '../contracts/peer-key.ts';
import { planSchedules } from './schedules.ts';
import type { BuiltImage, GitVersion, Target, TargetContext, TargetOutputs } from './targets/types.ts';
import { TOKENS } from './tokens.ts';
import { UptimeCheck } from './uptime.ts';

export interface GeneratedAppRef {
  /** Absolute directory of the generated app (`.build/<project>/<hash>/`). */
  dir: string;
  /** Hex SHA-256 of the generated files. */
  contentHash: string;
  /** Absolute path of its Dockerfile (required by container targets). */
  dockerfile: string | null;
}

export interface CatalystProjectArgs {
  config: StackConfig;
  /** Pulumi project name (Pulumi.yaml `name`), for peer StackReferences. */
  pulumiProject: string;
  /**
   * Where the app's build, run and cache directories live (`.build/`, `.catalyst/`, `.cache/`): the
   * repository root, or CATALYST_STATE_ROOT when a worktree rollback runs the program elsewhere.
   */
  root: string;
  app: GeneratedAppRef;
  /** Git state at `up` time (the `version` output). */
  git: GitVersion;
  /** Credential-free source URL for image labels, or null. */
  gitSource: string | null;
}

/** The app's plain environment: project env, stack overrides, peer URLs, build version. Never PORT, never secrets. */
export function appPlainEnv(
  project: ProjectModel,
  overrides: Record<string, string>,
  peers: Record<string, pulumi.Input<string>>,
  stamp: pulumi.Output<BuildStamp> | null,
): Record<string, pulumi.Input<string>> {
  const env: Record<string, pulumi.Input<string>> = {};
  for (const [k, v] of Object.entries(project.env)) env[k] = String(v);
  Object.assign(env, overrides, peers);
  if (stamp) {
    env.CATALYST_GIT_COMMIT = stamp.apply((s) => s.commit ?? '');
    env.CATALYST_GIT_DIRTY = stamp.apply((s) => String(s.dirty));
  }
  return Object.fromEntries(Object.keys(env).sort().map((k) => [k, env[k]]));
}

function sortedEnv<T>(env: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(env).sort().map((k) => [k, env[k]]));
}

function normalizeProjectArgs(args: CatalystProjectArgs): CatalystProjectArgs & { target: Target<unknown>; port: number } {
  const bad: string[] = [];
  if (!args.config) bad.push('"config" is required');
  if (!args.pulumiProject) bad.push('"pulumiProject" is required');
  if (!args.root) bad.push('"root" is required');
  if (!args.app?.dir) bad.push('"app.dir" is required');
  if (!/^[0-9a-f]{64}$/.test(args.app?.contentHash ?? '')) bad.push('"app.contentHash" must be a hex SHA-256');
  if (args.config?.target.usesImage && !args.app?.dockerfile) bad.push(`"app.dockerfile" is required by target ${args.config.target.name} (it builds an image)`);
  if (bad.length) throw new Error(`CatalystProject: ${bad.join('; ')}`);
  const target = args.config.target;
  const port = target.listenPort?.(args.config.options, args.config.stack) ?? 8080;
  return { ...args, target, port };
}

/**
 * The commit at which this content hash was first deployed, kept in the state (a Stash named by the
 * hash, with its input frozen): new commits that do not change the generated app change nothing
 * that is deployed; a new content hash gets a fresh stamp.
 */
function createBuildStamp(name: string, parent: pulumi.Resource, contentHash: string, git: GitVersion): pulumi.Output<BuildStamp> {
  const stash = new pulumi.Stash(
    `${name}-build-${contentHash.slice(0, 12)}`,
    { input: { contentHash, commit: git.commit, dirty: git.dirty } },
    { parent, ignoreChanges: ['input'] },
  );
  return stash.output.apply((o: { commit?: unknown; dirty?: unknown } | undefined) => ({
    commit: typeof o?.commit === 'string' && o.commit ? o.commit : null,
    dirty: o?.dirty === true,
  }));
}

/** An image given by reference (`catalyst:imageOverride`): nothing is built. */
export function overrideImage(ref: string): BuiltImage {
  return { ref: pulumi.output(ref), pinnedRef: pulumi.output(ref), digest: pulumi.output(imageDigestOf(ref)) };
}

function createImage(name: string, parent: pulumi.Resource, a: ReturnType<typeof normalizeProjectArgs>, ctx: Omit<TargetContext<unknown>, 'image'>, stamp: pulumi.Output<BuildStamp>): BuiltImage | undefined {
  if (!a.target.usesImage) return undefined;
  // Declared even when the image is overridden: it may create resources the stack keeps (the Artifact
  // Registry repository that holds the very image being restored, the Fly app).
  const destination = a.target.imageDestination?.(ctx);
  if (a.config.imageOverride) return overrideImage(a.config.imageOverride);
  return createAppImage(name, parent, {
    project: a.config.project.name,
    appDir: a.app.dir,
    dockerfile: a.app.dockerfile!,
    contentHash: a.app.contentHash,
    stamp,
    source: a.gitSource,
    build: a.config.imageBuild,
    ...(destination ? { destination } : {}),
  });
}

function createUptime(name: string, parent: pulumi.Resource, a: ReturnType<typeof normalizeProjectArgs>, url: pulumi.Output<string>): UptimeCheck | undefined {
  const m = a.config.monitoring;
  if (!m || !hasPublicWorkflows(a.config.project)) return undefined;
  if (a.target.reachableFromInternet === false) {
    pulumi.log.info(`no uptime check: target ${a.target.name} serves a loopback URL that Google's uptime checkers cannot reach`, parent);
    return undefined;
  }
  return new UptimeCheck(
    `${name}-uptime`,
    { monitoringProject: m.project, url, stack: a.config.stack, alertEmail: m.alertEmail, userLabels: { 'managed-by': 'catalyst' } },
    { parent },
  );
}

/**
 * What this run deploys, as the outputs and the app's `CATALYST_GIT_*` env report it:
 * - a normal `up`: the git state of the checkout, the built app's content hash, and the build stamp's
 *   commit (the commit that first produced this content hash) in the app's env;
 * - `catalyst:imageOverride`: the image's own version (`catalyst:rollback.version`) and content hash
 *   (`catalyst:rollback.contentHash`); without `catalyst:rollback` the image's content hash and commit
 *   are unknown (null; the app's env gets no commit), and `version` is the checkout's git state;
 * - `catalyst:rollback` without an override (the program built the app itself): `version` from
 *   the rollback, the content hash of what was built.
 */
function deployedVersion(a: ReturnType<typeof normalizeProjectArgs>, parent: pulumi.Resource) {
  const { imageOverride, rollback } = a.config;
  const version: GitVersion = rollback ? { ...rollback.version } : { commit: a.git.commit, branch: a.git.branch, dirty: a.git.dirty };
  if (!imageOverride) {
    if (rollback?.contentHash && rollback.contentHash !== a.app.contentHash) {
      pulumi.log.warn(`catalyst:rollback names content hash ${rollback.contentHash.slice(0, 12)}…, but this run built ${a.app.contentHash.slice(0, 12)}… (no catalyst:imageOverride); the contentHash output is what was built`, parent);
    }
    return { version, contentHash: a.app.contentHash, envStamp: (stamp: pulumi.Output<BuildStamp>) => (a.git.commit ? stamp : null) };
  }
  const fixed: BuildStamp | null = rollback?.version.commit ? { commit: rollback.version.commit, dirty: rollback.version.dirty } : null;
  return { version, contentHash: rollback?.contentHash ?? null, envStamp: () => (fixed ? pulumi.output(fixed) : null) };
}

export class CatalystProject extends pulumi.ComponentResource {
  readonly project: string;
  readonly env: string;
  readonly target: string;
  readonly region: string | null;
  readonly url: pulumi.Output<string>;
  readonly healthUrl: pulumi.Output<string>;
  readonly publicRoutes: PublicRoute[];
  readonly workflows: OutputWorkflow[];
  readonly imageRef: pulumi.Output<string> | null;
  readonly imageDigest: pulumi.Output<string | null> | null;
  readonly contentHash: string | null;
  readonly version: GitVersion;
  readonly rolledBackFrom: RollbackState['rolledBackFrom'] | null;
  readonly peerKey: pulumi.Output<string> | null;
  readonly uptimeCheckId: pulumi.Output<string> | null;
  readonly consoleUrl: pulumi.Output<string | null> | string | null;
  readonly logsUrl: pulumi.Output<string | null> | string | null;

  constructor(name: string, args: CatalystProjectArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(TOKENS.project, name, {}, opts);
    const a = normalizeProjectArgs(args);
    const { config } = a;
    if (config.imageOverride && !a.target.usesImage) {
      throw new pulumi.RunError(`catalyst:imageOverride is set, but target ${a.target.name} runs no image (roll it back with \`catalyst rollback ${config.stack} --to <commit>\`)`);
    }
    const deployed = deployedVersion(a, this);
    const stamp = createBuildStamp(name, this, a.app.contentHash, a.git);
    const peers = createPeerWiring(name, this, { project: config.project, env: config.env, org: config.org, pulumiProject: a.pulumiProject, keyedPeers: config.keyedPeers });
    const options = config.options as { renderNumInstances?: number; railwayReplicas?: number };
    const schedules = planSchedules({ name, parent: this, target: a.target.name, project: config.project, root: a.root, stack: config.stack, instances: options.renderNumInstances ?? options.railwayReplicas ?? 1, token: config.schedulerToken });
    const plainEnv = appPlainEnv(config.project, config.envOverrides, peers.urls, deployed.envStamp(stamp));
    const peerKeyEnv: Record<string, pulumi.Output<string>> = {};
    if (config.peerKey) peerKeyEnv[PEER_KEY_ENV] = config.peerKey.current;
    if (config.peerKey?.previous) peerKeyEnv[PEER_KEY_PREVIOUS_ENV] = config.peerKey.previous;
    const ctx: Omit<TargetContext<unknown>, 'image'> = {
      name,
      parent: this,
      stack: config.stack,
      env: config.env,
      project: config.project,
      config: config.options,
      appDir: a.app.dir,
      root: a.root,
      contentHash: a.app.contentHash,
      version: deployed.version,
      plainEnv: schedules ? sortedEnv({ ...plainEnv, ...schedules.plainEnv }) : plainEnv,
      secretEnv: {
        ...Object.fromEntries(Object.entries({ ...config.secrets, ...peerKeyEnv, ...peers.keys }).map(([k, v]) => [k, pulumi.secret(v)])),
        ...(schedules?.deploy.token ? { CATALYST_SCHEDULER_TOKEN: schedules.deploy.token } : {}),
      },
      port: a.port,
      ...(schedules ? { schedules: schedules.deploy } : {}),
    };
    const image = createImage(name, this, a, ctx, stamp);
    const target: TargetOutputs = a.target.deploy({ ...ctx, ...(image ? { image } : {}) });
    const url = target.url.apply(baseUrl);
    const uptime = createUptime(name, this, a, url);

    this.project = config.project.name;
    this.env = config.env;
    this.target = a.target.name;
    this.region = target.region;
    this.url = url;
    this.healthUrl = url.apply((u) => `${u}/health`);
    this.publicRoutes = publicRoutes(config.project);
    this.workflows = workflowList(config.project);
    this.imageRef = image ? image.pinnedRef : null;
    this.imageDigest = image ? image.digest : null;
    this.contentHash = deployed.contentHash;
    this.version = deployed.version;
    this.rolledBackFrom = config.rollback ? { ...config.rollback.rolledBackFrom } : null;
    this.peerKey = config.peerKey ? pulumi.secret(config.peerKey.current) : null;
    this.uptimeCheckId = uptime ? uptime.uptimeCheckId : null;
    this.consoleUrl = target.consoleUrl;
    this.logsUrl = target.logsUrl;
    this.registerOutputs(this.stackOutputs());
  }

  /** The stack outputs contract (docs/contracts.md §1), every key present. */
  stackOutputs(): OutputValues {
    return {
      project: this.project,
      env: this.env,
      target: this.target,
      region: this.region,
      url: this.url,
      healthUrl: this.healthUrl,
      publicRoutes: this.publicRoutes,
      workflows: this.workflows,
      imageRef: this.imageRef,
      imageDigest: this.imageDigest,
      contentHash: this.contentHash,
      version: this.version,
      uptimeCheckId: this.uptimeCheckId,
      consoleUrl: this.consoleUrl,
      logsUrl: this.logsUrl,
      peerKey: this.peerKey,
      rolledBackFrom: this.rolledBackFrom,
    };
  }
}
