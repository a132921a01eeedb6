/**
 * The Pulumi program, as a function (src/index.ts only wires it up): read and check the stack config
 * (every problem at once), load the project's definitions, generate the app into its content-hashed
 * build directory, and declare the CatalystProject. Returns the stack outputs.
 *
 * `CATALYST_STATE_ROOT` (set by `catalyst rollback` when it runs the program of an earlier commit
 * from a temporary worktree) moves the app's build, run and cache directories (`.build/`,
 * `.catalyst/`, `.cache/`) to that directory, the main checkout: the local app keeps running from
 * there after the worktree is removed. Definitions, stack config and git state stay the program's own.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { DefinitionError, formatDiagnostic } from '../definitions/diagnostics.ts';
import { loadProjectModel } from '../definitions/load.ts';
import type { ProjectModel, Workspace } from '../definitions/model.ts';
import { materializeApp, type GeneratedApp, type WriteApp } from './build.ts';
import { rawStackConfigFromPulumi, readStackConfig, type RawStackConfig } from './config.ts';
import { StackConfigError, type ConfigProblem } from './config-problems.ts';
import type { OutputValues } from '../contracts/outputs.ts';
import { STATE_ROOT_ENV } from '../contracts/rollback.ts';
import { cleanGitProblem, type GitRead } from './git.ts';
import { CatalystProject } from './project.ts';
import { TARGETS } from './targets/index.ts';
import type { Target } from './targets/types.ts';

export interface ProgramDeps {
  /** The program's checkout: projects/, stacks/, and (without CATALYST_STATE_ROOT) .build/, .catalyst/, .cache/. */
  root: string;
  /** Environment to read CATALYST_STATE_ROOT from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** codegen's generateApp and writeApp. */
  generate: (project: ProjectModel, workspace: Workspace) => GeneratedApp | Promise<GeneratedApp>;
  write: WriteApp;
  /** The git state of a checkout and its credential-free origin URL (src/gitops/version.ts). */
  readGit: (root: string) => GitRead;
  readSource: (root: string) => string | null;
  /** Defaults: the running stack's config, its Pulumi project, the target registry. */
  raw?: RawStackConfig;
  pulumiProject?: string;
  targets?: Readonly<Record<string, Target<any>>>;
}

/** `catalyst:requireCleanGit` as far as it can be read even when the rest of the config is broken. */
export function requireCleanGitOf(raw: RawStackConfig): boolean {
  const v = raw.values.requireCleanGit;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return raw.stack.endsWith('.prod');
}

/**
 * Where `.build/`, `.catalyst/` and `.cache/` go: CATALYST_STATE_ROOT when set (an absolute path to an
 * existing directory, else a problem), otherwise the program's root.
 */
export function resolveStateRoot(root: string, env: Readonly<Record<string, string | undefined>>): { stateRoot: string; problem: string | null } {
  const value = env[STATE_ROOT_ENV];
  if (value === undefined || value === '') return { stateRoot: root, problem: null };
  if (!isAbsolute(value)) return { stateRoot: root, problem: `${STATE_ROOT_ENV}=${value} must be an absolute path (the checkout that keeps .build/ and .catalyst/)` };
  if (!existsSync(value) || !statSync(value).isDirectory()) return { stateRoot: root, problem: `${STATE_ROOT_ENV}=${value} is not an existing directory` };
  return { stateRoot: value, problem: null };
}

export async function runCatalyst(deps: ProgramDeps): Promise<OutputValues> {
  const raw = deps.raw ?? rawStackConfigFromPulumi();
  let workspace: Workspace | undefined;
  const result = readStackConfig(raw, {
    env: process.env,
    targets: deps.targets ?? (TARGETS as Record<string, Target<any>>),
    loadProject(name) {
      try {
        const loaded = loadProjectModel(name, { cwd: deps.root });
        workspace = loaded.workspace;
        return { project: loaded.project, workspace };
      } catch (err) {
        if (err instanceof DefinitionError) return { problems: err.diagnostics.map(formatDiagnostic) };
        throw err;
      }
    },
  });
  // The git state of the checkout the program runs from (for a rollback: the checkout `catalyst
  // rollback` runs in, or its worktree of the earlier commit), never of CATALYST_STATE_ROOT.
  const git = deps.readGit(deps.root);
  const { stateRoot, problem: stateRootProblem } = resolveStateRoot(deps.root, deps.env ?? process.env);
  const problems: ConfigProblem[] = result.ok ? [] : [...result.problems];
  const dirty = cleanGitProblem(raw.stack, git, result.ok ? result.config.requireCleanGit : requireCleanGitOf(raw));
  if (dirty) problems.push({ key: null, message: dirty });
  if (stateRootProblem) problems.push({ key: null, message: stateRootProblem, fix: `unset ${STATE_ROOT_ENV}, or set it to the main checkout` });
  if (!result.ok || problems.length) throw new StackConfigError(raw.stack, problems);

  const { config } = result;
  for (const w of result.warnings) pulumi.log.warn(w);
  if (git.error) pulumi.log.warn(`the version output has no git state: ${git.error}`);
  const app = await deps.generate(config.project, workspace!);
  const built = await materializeApp(app, stateRoot, deps.write);
  const component = new CatalystProject(config.project.name, {
    config,
    pulumiProject: deps.pulumiProject ?? pulumi.getProject(),
    root: stateRoot,
    app: built,
    git: { commit: git.commit, branch: git.branch, dirty: git.dirty },
    gitSource: deps.readSource(deps.root),
  });
  return component.stackOutputs();
}
