/**
 * The stack config (`catalyst:*` keys of stacks/Pulumi.<project>.<env>.yaml), validated with zod.
 *
 * `readStackConfig` is a pure function over a plain object (unit-testable without Pulumi); it
 * collects EVERY problem (unknown target, missing or bad options, secrets the project declares but
 * the stack lacks, plain-text secrets, unknown keys) and says how to fix each with the exact
 * `pulumi config` command. `rawStackConfigFromPulumi` is the thin adapter over the Pulumi runtime.
 *
 * Secret values never pass through here in the clear: the adapter hands over secret keys as secret
 * `pulumi.Output` handles, which this module only moves around.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { closest } from '../shared/suggest.ts';
import type { ProjectModel } from '../definitions/model.ts';
import { ENV_NAME, PROJECT_NAME } from '../definitions/schema.ts';
import { reservedEnvProblem } from '../definitions/reserved-env.ts';
import { rollbackSchema, type RollbackState } from '../contracts/rollback.ts';
import { configBool, configString, isSecretHandle, parseConfigText } from './options.ts';
import type { Target } from './targets/types.ts';
import { imageBuilderOption, imageBuildArgsOption, imageBuildNetworkOption, type ImageBuild } from './image-builder.ts';
import { STACK_NAME_RE } from '../contracts/stack-name.ts';
import { CREDENTIAL_ENV, credentialFromEnv } from '../contracts/credentials.ts';
import { issuesToProblems, MIN_SECRET_LENGTH, plainTextSecretProblem, schemaKeys, setCommand, setSecretCommand, shortSecretProblem, type ConfigProblem } from './config-problems.ts';
import type { Workspace } from '../definitions/model.ts';
import { keyedPeers, peerKeyedWorkflows } from '../definitions/peer-auth.ts';
import { checkPeerKeys, PEER_KEY_KEYS, type PeerKeys } from './peer-keys.ts';


/** Pulumi organization names (the first part of a fully-qualified stack name). */
const ORG_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** GCP project ids. */
export const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Keys every stack may set, whatever its target. Everything else is a target option or a secret. */
export const COMMON_KEYS = ['project', 'target', 'env', 'org', 'requireCleanGit', 'monitoringProject', 'alertEmail', 'imageOverride', 'rollback', 'imageBuilder', 'imageBuildArgs', 'imageBuildNetwork'] as const;

/** `catalyst:schedulerToken`: the schedule endpoints' bearer token, when the stack sets its own (a secret). */
export const SCHEDULER_TOKEN_KEY = 'schedulerToken';

/** The longest image reference accepted (the report's reader keeps up to 300 characters). */
const MAX_IMAGE_REF = 300;
const IMAGE_DOMAIN = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?';
const IMAGE_PATH = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/**
 * An image reference: `repo:tag` or `repo@sha256:<64 hex>` (repo = optional registry host[:port]/,
 * then lower-case path components), as Docker's reference grammar has them.
 */
export const IMAGE_REF = new RegExp(`^(?:${IMAGE_DOMAIN}/)?${IMAGE_PATH}(?:/${IMAGE_PATH})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$`);

/** True for an image reference the program can deploy (see IMAGE_REF). */
export function isImageRef(v: string): boolean {
  return v.length <= MAX_IMAGE_REF && IMAGE_REF.test(v);
}

/** The `sha256:…` digest of a pinned image reference, or null for a tag reference. */
export function imageDigestOf(ref: string): string | null {
  return /@(sha256:[0-9a-f]{64})$/.exec(ref)?.[1] ?? null;
}

const imageRefOption = z
  .string({ error: (iss) => (iss.input === undefined ? 'required' : 'must be an image reference: repo:tag or repo@sha256:<64 hex>') })
  .refine(isImageRef, 'must be an image reference: repo:tag or repo@sha256:<64 hex> (e.g. europe-west1-docker.pkg.dev/p/r/app@sha256:…)');

/** Plain env values: a string, number or boolean per UPPER_SNAKE name (a JSON object in Pulumi config). */
const envOverrides = z.record(
  z.string().regex(ENV_NAME, 'env names are UPPER_SNAKE_CASE'),
  z.union([z.string(), z.number(), z.boolean()], { error: 'env values are strings, numbers or booleans' }),
  { error: (iss) => (iss.input === undefined ? 'required' : 'must be an object of NAME: value (pulumi config set --path \'catalyst:env.NAME\' value)') },
);

export const commonSchema = z.object({
  project: configString(PROJECT_NAME, 'a project name (lower-case letters, digits and -)'),
  env: envOverrides.default({}),
  org: configString(ORG_NAME, 'a Pulumi organization name').default('organization'),
  requireCleanGit: configBool.optional(),
  monitoringProject: configString(GCP_PROJECT, 'a GCP project id').optional(),
  alertEmail: z.email({ error: 'must be an email address' }).optional(),
  imageOverride: imageRefOption.optional(),
  rollback: rollbackSchema.optional(),
  imageBuilder: imageBuilderOption.optional(),
  imageBuildArgs: imageBuildArgsOption.optional(),
  imageBuildNetwork: imageBuildNetworkOption.optional(),
});

export interface RawStackConfig {
  /** The stack name, `<project>.<env>`. */
  stack: string;
  /** Every `catalyst:*` key without the prefix. Secret keys hold opaque secret handles, never plain values. */
  values: Record<string, unknown>;
  /** Keys (without prefix) that are Pulumi config secrets. */
  secretKeys: readonly string[];
  /**
   * Secret keys whose value is shorter than MIN_SECRET_LENGTH characters (the adapter measures them;
   * the values themselves never reach this module).
   */
  shortSecretKeys?: readonly string[];
}

export { MIN_SECRET_LENGTH };

export interface ConfigContext {
  /** The target registry (name → target). */
  targets: Readonly<Record<string, Target<any>>>;
  /**
   * Loads a project's definitions: its model (and the workspace it was loaded from, which says who
   * calls it and whom it calls with a peer key), or every problem that stops it loading.
   */
  loadProject(name: string): { project: ProjectModel; workspace?: Workspace } | { problems: string[] };
  /** Report declared secrets the stack lacks (default true; `catalyst stack init` prints commands instead). */
  requireSecrets?: boolean;
  /** The environment, for target credentials fed by a variable (src/contracts/credentials.ts); default none. */
  env?: NodeJS.ProcessEnv;
}

export interface StackConfig {
  stack: string;
  project: ProjectModel;
  /** The part of the stack name after the dot. */
  env: string;
  target: Target<unknown>;
  /** The target's options, as parsed by its configSchema. */
  options: unknown;
  /** Plain env overrides from `catalyst:env`, stringified. */
  envOverrides: Record<string, string>;
  org: string;
  requireCleanGit: boolean;
  monitoring: { project: string; alertEmail: string | null } | null;
  /** Declared secret name → its secret handle. */
  secrets: Record<string, pulumi.Output<string>>;
  /** `catalyst:imageOverride`: deploy this image instead of building one (image targets only). */
  imageOverride: string | null;
  /** `catalyst:schedulerToken` (a secret handle), or null: the stack then makes one (docs/infra.md, "Schedules"). */
  schedulerToken: pulumi.Output<string> | null;
  /** `catalyst:rollback`: this run is a `catalyst rollback` (what it restores, and what ran before). */
  rollback: RollbackState | null;
  /** `catalyst:imageBuilder`, `imageBuildArgs`, `imageBuildNetwork` (image targets). */
  imageBuild: ImageBuild;
  /** `catalyst:peerKey` (and `peerKeyPrevious`): the key other projects present; null when nothing calls this project with one. */
  peerKey: PeerKeys | null;
  /** Peer projects whose `peerKey` output this project's app sends (src/definitions/peer-auth.ts). */
  keyedPeers: string[];
}

export type ReadStackConfigResult = { ok: true; config: StackConfig; warnings: string[] } | { ok: false; problems: ConfigProblem[] };

function stringifyEnv(env: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, String(v)]),
  );
}

/** What the steps of readStackConfig share: the input, and where problems and warnings go. */
interface Check {
  stack: string;
  values: Record<string, unknown>;
  secretKeys: Set<string>;
  shortSecretKeys: Set<string>;
  problems: ConfigProblem[];
  warnings: string[];
  requireSecrets: boolean;
  env: NodeJS.ProcessEnv;
}

const shortSecret = (c: Check, key: string): ConfigProblem => shortSecretProblem(c.stack, key);
const plainTextSecret = (c: Check, key: string): ConfigProblem => plainTextSecretProblem(c.stack, key);

/** The common keys; the project defaults to the stack name's and must match it. */
function checkCommon(c: Check, stackProject: string | undefined) {
  const common: Record<string, unknown> = {};
  for (const k of COMMON_KEYS) {
    if (!(k in c.values)) continue;
    if (c.secretKeys.has(k)) {
      c.problems.push({ key: `catalyst:${k}`, message: 'is set as a secret, but it is a plain setting', fix: `pulumi config rm catalyst:${k} --stack ${c.stack}; ${setCommand(c.stack, k)}` });
      continue;
    }
    common[k] = c.values[k];
  }
  if (common.project === undefined && stackProject) common.project = stackProject;
  const parsed = commonSchema.safeParse(common);
  if (!parsed.success) c.problems.push(...issuesToProblems(c.stack, parsed.error.issues));
  const projectName = parsed.success ? parsed.data.project : typeof common.project === 'string' ? common.project : undefined;
  if (projectName && stackProject && projectName !== stackProject) {
    c.problems.push({
      key: 'catalyst:project',
      message: `is "${projectName}", but the stack ${c.stack} is for project "${stackProject}" (stacks are named <project>.<env>)`,
      fix: setCommand(c.stack, 'project', stackProject),
    });
  }
  if (parsed.success && parsed.data.alertEmail && !parsed.data.monitoringProject) {
    c.problems.push({ key: 'catalyst:alertEmail', message: 'needs catalyst:monitoringProject (the GCP project that holds the uptime check and its alert)', fix: setCommand(c.stack, 'monitoringProject', '<gcp-project-id>') });
  }
  return { common: parsed.success ? parsed.data : undefined, projectName: projectName && (!stackProject || projectName === stackProject) ? projectName : undefined };
}

function resolveTarget(c: Check, targets: ConfigContext['targets']): Target<unknown> | undefined {
  const names = Object.keys(targets).sort();
  const raw = c.values.target;
  if (raw === undefined) {
    c.problems.push({ key: 'catalyst:target', message: 'is not set', fix: setCommand(c.stack, 'target', `<${names.join('|')}>`) });
    return undefined;
  }
  if (typeof raw === 'string' && Object.hasOwn(targets, raw)) return targets[raw] as Target<unknown>;
  const shown = typeof raw === 'string' ? `"${raw}"` : 'a non-string value';
  const hint = typeof raw === 'string' ? closest(raw, names) : undefined;
  c.problems.push({
    key: 'catalyst:target',
    message: `unknown target ${shown}${hint ? ` (did you mean "${hint}"?)` : ''}; targets: ${names.join(', ')}`,
    fix: setCommand(c.stack, 'target', hint ?? `<${names.join('|')}>`),
  });
  return undefined;
}

/** `catalyst:schedulerToken`: unset (null), or a secret of at least 8 characters. */
function checkSchedulerToken(c: Check): pulumi.Output<string> | null {
  const v = c.values[SCHEDULER_TOKEN_KEY];
  if (v === undefined) return null;
  if (!c.secretKeys.has(SCHEDULER_TOKEN_KEY) || !isSecretHandle(v)) c.problems.push(plainTextSecret(c, SCHEDULER_TOKEN_KEY));
  else if (c.shortSecretKeys.has(SCHEDULER_TOKEN_KEY)) c.problems.push(shortSecret(c, SCHEDULER_TOKEN_KEY));
  else return v;
  return null;
}

/** The project's declared secrets: each must be set, and set as a secret. */
function checkProjectSecrets(c: Check, project: ProjectModel | undefined): Record<string, pulumi.Output<string>> {
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const s of project?.secrets ?? []) {
    const v = c.values[s.name];
    if (v === undefined) {
      if (c.requireSecrets) c.problems.push({ key: `catalyst:${s.name}`, message: `secret declared by project ${project!.name} (${s.description}) is not set`, fix: setSecretCommand(c.stack, s.name) });
    } else if (!c.secretKeys.has(s.name) || !isSecretHandle(v)) c.problems.push(plainTextSecret(c, s.name));
    else if (c.shortSecretKeys.has(s.name)) c.problems.push(shortSecret(c, s.name));
    else secrets[s.name] = v;
  }
  return secrets;
}

/** Env overrides may not touch secrets or names Catalyst sets itself. */
function checkEnvOverrides(c: Check, env: Record<string, string>, project: ProjectModel | undefined): void {
  const declared = new Set(project?.secrets.map((s) => s.name) ?? []);
  for (const name of Object.keys(env)) {
    const reserved = reservedEnvProblem(name);
    const rm = `pulumi config rm --path 'catalyst:env.${name}' --stack ${c.stack}`;
    if (reserved) c.problems.push({ key: `catalyst:env.${name}`, message: reserved, fix: rm });
    else if (declared.has(name)) {
      c.problems.push({ key: `catalyst:env.${name}`, message: `${name} is a secret of project ${project!.name}; a plain env override would store it in the clear`, fix: `${rm}; ${setSecretCommand(c.stack, name)}` });
    }
  }
}

/**
 * The target's options: every key that is neither common nor a declared secret, parsed by the
 * target's schema; the target's own secrets (its API token) must be set as secrets.
 */
function checkTargetOptions(c: Check, target: Target<unknown>, project: ProjectModel | undefined, projectName: string | undefined): unknown {
  const targetSecrets = target.secretKeys ?? [];
  for (const k of targetSecrets) {
    if (c.values[k] === undefined) {
      const variable = CREDENTIAL_ENV[k]?.env;
      if (c.requireSecrets && credentialFromEnv(k, c.env) === undefined) {
        c.problems.push({ key: `catalyst:${k}`, message: `secret required by target ${target.name} is not set`, fix: `${setSecretCommand(c.stack, k)}${variable ? ` (or set ${variable} in the environment)` : ''}` });
      }
    } else if (!c.secretKeys.has(k) || !isSecretHandle(c.values[k])) c.problems.push(plainTextSecret(c, k));
  }
  const declared = new Set(project?.secrets.map((s) => s.name) ?? []);
  const known = schemaKeys(target.configSchema);
  const isObject = target.configSchema instanceof z.ZodObject;
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.values)) {
    if ((COMMON_KEYS as readonly string[]).includes(k) || (PEER_KEY_KEYS as readonly string[]).includes(k) || k === SCHEDULER_TOKEN_KEY || declared.has(k) || targetSecrets.includes(k)) continue;
    // Secrets of a project that failed to load may be its declared secrets: we cannot tell.
    if (!project && c.secretKeys.has(k) && !known.includes(k)) continue;
    if (!isObject || known.includes(k)) {
      input[k] = v;
      continue;
    }
    // Object schemas: unknown keys are reported here (with a suggestion) and not passed on. A secret
    // the schema does not list is only a warning: it may be a leftover, or read by other code.
    if (c.secretKeys.has(k)) {
      c.warnings.push(`catalyst:${k} is a secret that neither project ${project?.name ?? projectName} declares nor target ${target.name} lists as an option; if nothing uses it: pulumi config rm catalyst:${k} --stack ${c.stack}`);
      continue;
    }
    const hint = closest(k, [...known, ...COMMON_KEYS, ...declared]);
    c.problems.push({
      key: `catalyst:${k}`,
      message: `unknown key for target ${target.name}${hint ? ` (did you mean catalyst:${hint}?)` : ''}; its options: ${known.join(', ') || '(none)'}`,
      fix: `pulumi config rm catalyst:${k} --stack ${c.stack}`,
    });
  }
  const parsed = target.configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  c.problems.push(...issuesToProblems(c.stack, parsed.error.issues));
  return undefined;
}

/**
 * Validate a stack's `catalyst:*` config against the common schema, its target's schema and its
 * project's declared secrets. Returns the parsed config, or every problem found.
 */
export function readStackConfig(raw: RawStackConfig, ctx: ConfigContext): ReadStackConfigResult {
  const c: Check = { stack: raw.stack, values: raw.values, secretKeys: new Set(raw.secretKeys), shortSecretKeys: new Set(raw.shortSecretKeys ?? []), problems: [], warnings: [], requireSecrets: ctx.requireSecrets !== false, env: ctx.env ?? {} };
  const m = STACK_NAME_RE.exec(raw.stack);
  if (!m) c.problems.push({ key: null, message: `stack name "${raw.stack}" is not <project>.<env> (e.g. support-bot.prod)`, fix: 'create the stack with `catalyst stack init <project> <env> --target …`' });
  const { common, projectName } = checkCommon(c, m?.[1]);
  const target = resolveTarget(c, ctx.targets);
  let project: ProjectModel | undefined;
  let workspace: Workspace | undefined;
  if (projectName) {
    const loaded = ctx.loadProject(projectName);
    if ('problems' in loaded) c.problems.push(...loaded.problems.map((message) => ({ key: null, message })));
    else ({ project, workspace } = loaded);
  }
  const secrets = checkProjectSecrets(c, project);
  const peerKeyed = project && workspace ? peerKeyedWorkflows(workspace, project.name) : [];
  const peerKey = checkPeerKeys(c, project?.name ?? projectName ?? '', peerKeyed);
  const schedulerToken = checkSchedulerToken(c);
  const envOverrides = common ? stringifyEnv(common.env) : {};
  checkEnvOverrides(c, envOverrides, project);
  const options = target ? checkTargetOptions(c, target, project, projectName) : undefined;
  if (common?.imageOverride && target && !target.usesImage) {
    c.problems.push({
      key: 'catalyst:imageOverride',
      message:
        `target ${target.name} runs no container image, so there is no image to override; ` +
        `a ${target.name} rollback checks the earlier commit out into a worktree and deploys from there (catalyst rollback ${c.stack} --to <commit>)`,
      fix: `pulumi config rm catalyst:imageOverride --stack ${c.stack}`,
    });
  }

  for (const k of ['imageBuilder', 'imageBuildArgs', 'imageBuildNetwork'] as const) {
    if (common?.[k] !== undefined && target && !target.usesImage) {
      c.problems.push({ key: `catalyst:${k}`, message: `target ${target.name} builds no container image`, fix: `pulumi config rm catalyst:${k} --stack ${c.stack}` });
    }
  }

  if (c.problems.length || !common || !target || !project) return { ok: false, problems: c.problems };
  return {
    ok: true,
    warnings: c.warnings,
    config: {
      stack: raw.stack,
      project,
      env: m![2],
      target,
      options,
      envOverrides,
      org: common.org,
      requireCleanGit: common.requireCleanGit ?? raw.stack.endsWith('.prod'),
      monitoring: common.monitoringProject ? { project: common.monitoringProject, alertEmail: common.alertEmail ?? null } : null,
      secrets,
      imageOverride: common.imageOverride ?? null,
      schedulerToken,
      rollback: common.rollback ?? null,
      imageBuild: { builder: common.imageBuilder ?? 'docker-build', args: common.imageBuildArgs ?? {}, network: common.imageBuildNetwork ?? 'default' },
      peerKey,
      keyedPeers: workspace ? keyedPeers(workspace, project) : [],
    },
  };
}

/**
 * The adapter over the Pulumi runtime: every `catalyst:*` key of the running stack. Plain values are
 * Pulumi's strings (JSON objects parsed); secret keys become secret Outputs via `requireSecret`, and
 * only their length is looked at here (`shortSecretKeys`, counted in code points as Python's len()).
 */
export function rawStackConfigFromPulumi(): RawStackConfig {
  const stack = pulumi.getStack();
  const all = pulumi.runtime.allConfig();
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret ?? (() => false);
  const cfg = new pulumi.Config('catalyst');
  const values: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const shortSecretKeys: string[] = [];
  for (const [full, text] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
    if (!full.startsWith('catalyst:')) continue;
    const key = full.slice('catalyst:'.length);
    if (isSecret(full)) {
      secretKeys.push(key);
      if ([...text].length < MIN_SECRET_LENGTH) shortSecretKeys.push(key);
      values[key] = cfg.requireSecret(key);
    } else values[key] = parseConfigText(text);
  }
  return { stack, values, secretKeys, shortSecretKeys };
}
