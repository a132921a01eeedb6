/**
 * The Pulumi program, as a function (src/index.ts only wires it up): read and check the stack config
 * (every problem at once), load the project's definitions, generate the app into its content-hashed
 * build directory, and declare the CatalystProject. Returns the stack outputs.
 */
import * as pulumi from '@pulumi/pulumi';
import { DefinitionError, formatDiagnostic } from '../definitions/diagnostics.ts';
import { loadProjectModel } from '../definitions/load.ts';
import type { ProjectModel, Workspace } from '../definitions/model.ts';
import { materializeApp, type GeneratedApp, type WriteApp } from './build.ts';
import { rawStackConfigFromPulumi, readStackConfig, StackConfigError, type ConfigProblem, type RawStackConfig } from './config.ts';
import { cleanGitProblem, readGitSource, readGitVersion } from './git.ts';
import { CatalystProject } from './project.ts';
import { TARGETS } from './targets/index.ts';
import type { GitVersion, Target } from './targets/types.ts';

export interface ProgramDeps {
  /** Repository root: projects/, stacks/, .build/, .catalyst/. */
  root: string;
  /** codegen's generateApp and writeApp. */
  generate: (project: ProjectModel, workspace: Workspace) => GeneratedApp | Promise<GeneratedApp>;
  write: WriteApp;
  /** Defaults: the running stack's config, its Pulumi project, the git CLI, the target registry. */
  raw?: RawStackConfig;
  pulumiProject?: string;
  readGit?: (root: string) => GitVersion & { isRepo: boolean };
  readSource?: (root: string) => string | null;
  targets?: Readonly<Record<string, Target<any>>>;
}

/** `catalyst:requireCleanGit` as far as it can be read even when the rest of the config is broken. */
export function requireCleanGitOf(raw: RawStackConfig): boolean {
  const v = raw.values.requireCleanGit;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return raw.stack.endsWith('.prod');
}

export async function runCatalyst(deps: ProgramDeps): Promise<Record<string, unknown>> {
  const raw = deps.raw ?? rawStackConfigFromPulumi();
  let workspace: Workspace | undefined;
  const result = readStackConfig(raw, {
    targets: deps.targets ?? (TARGETS as Record<string, Target<any>>),
    loadProject(name) {
      try {
        const loaded = loadProjectModel(name, { cwd: deps.root });
        workspace = loaded.workspace;
        return { project: loaded.project };
      } catch (err) {
        if (err instanceof DefinitionError) return { problems: err.diagnostics.map(formatDiagnostic) };
        throw err;
      }
    },
  });
  const git = (deps.readGit ?? readGitVersion)(deps.root);
  const problems: ConfigProblem[] = result.ok ? [] : [...result.problems];
  const dirty = cleanGitProblem(raw.stack, git, result.ok ? result.config.requireCleanGit : requireCleanGitOf(raw));
  if (dirty) problems.push({ key: null, message: dirty });
  if (!result.ok || problems.length) throw new StackConfigError(raw.stack, problems);

  const { config } = result;
  for (const w of result.warnings) pulumi.log.warn(w);
  const app = await deps.generate(config.project, workspace!);
  const built = await materializeApp(app, deps.root, deps.write);
  const component = new CatalystProject(config.project.name, {
    config,
    pulumiProject: deps.pulumiProject ?? pulumi.getProject(),
    root: deps.root,
    app: built,
    git: { commit: git.commit, branch: git.branch, dirty: git.dirty },
    gitSource: (deps.readSource ?? readGitSource)(deps.root),
  });
  return component.stackOutputs();
}
