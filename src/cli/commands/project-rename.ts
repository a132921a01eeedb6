import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseStackName, type StackFile } from '../../contracts/stack-name.ts';
import { editYaml, FileSet } from '../../definitions/edit.ts';
import { callersOf, findProject, findRoot, scanWorkspace, type CallSite, type ProjectInfo, type WorkspaceIndex } from '../../definitions/scan.ts';
import { WORKFLOW_FILES } from '../../gitops/ci.ts';
import { PulumiError, runnerFactory, type PulumiRunner } from '../../pulumi/pulumi.ts';
import { backendStacks, renameBackendStack, type BackendStack } from '../../pulumi/stacks.ts';
import { parseArgs } from '../args.ts';
import { checkProjectName, commitOrFailThen, printChanges, projectOrFail, REFUSED, requireValidWorkspace, rewriteCalls } from '../projects.ts';
import { CliError, type CommandContext } from '../types.ts';

/**
 * `catalyst project rename <old> <new>`: the project's folder and `name:`, the calls other projects
 * make to it, and its stacks (files and, when they hold no resources, the stacks in the Pulumi
 * backend), all or nothing.
 */

export const RENAME = 'catalyst project rename <old> <new>';

export const RENAME_HELP = `rename  renames projects/<old>/ to projects/<new>/ and its name: in project.yaml, rewrites every
        call to it in the other projects (<old>/<workflow> → <new>/<workflow>) and renames its
        stacks: stacks/Pulumi.<old>.<env>.yaml becomes stacks/Pulumi.<new>.<env>.yaml (with
        catalyst:project), and a stack the Pulumi backend holds without resources is renamed there
        too (pulumi stack rename; the commands run are printed). Refused while a stack of the
        project is deployed (resources in its state, named after the project: destroy them first),
        when the backend cannot be read to tell, or when <new> is taken (a project, a stack file, a
        stack in the backend). Needs valid definitions (catalyst validate); when any step fails,
        every file and stack is put back.
`;

/** One stack of the project: its config file and/or its stack in the backend. */
interface StackPlan {
  env: string;
  from: string;
  to: string;
  file?: StackFile;
  backend?: BackendStack;
}

const userCommand = (from: string, to: string) => `pulumi stack rename ${to} --stack ${from}`;

/** The backend's stacks, or why they could not be read (no Pulumi CLI, a failed `stack ls`). */
async function readBackend(root: string, ctx: CommandContext, runner: () => PulumiRunner): Promise<{ stacks?: BackendStack[]; why?: string }> {
  try {
    return { stacks: await backendStacks(runner, root, ctx.env) };
  } catch (err) {
    if (err instanceof PulumiError) return { why: err.message };
    throw err;
  }
}

/** The project's stacks by environment, or the reasons the rename must be refused. */
function planStacks(ws: WorkspaceIndex, from: string, to: string, backend: { stacks?: BackendStack[]; why?: string }): { plans: StackPlan[]; problems: string[] } {
  const problems: string[] = [];
  const files = ws.stacks.filter((s) => s.project === from);
  const inBackend = (project: string) => (backend.stacks ?? []).filter((s) => parseStackName(s.name)?.project === project);
  const envs = [...new Set([...files.map((f) => f.env), ...inBackend(from).map((s) => parseStackName(s.name)!.env)])].sort();
  const plans = envs.map((env) => {
    const file = files.find((f) => f.env === env);
    const stack = inBackend(from).find((s) => s.name === `${from}.${env}`);
    return { env, from: `${from}.${env}`, to: `${to}.${env}`, ...(file ? { file } : {}), ...(stack ? { backend: stack } : {}) };
  });
  if (!backend.stacks && files.length) {
    problems.push(`its stacks (${files.map((f) => f.name).join(', ')}) may be deployed, and the Pulumi backend could not be read to tell: ${backend.why}`);
  }
  for (const { backend: s, env } of plans) {
    if (!s) continue;
    const destroy = `destroy it first (pulumi destroy -s ${s.name}; its resources are named after the project, so a renamed stack would replace them), then rename, then deploy ${to}.${env}`;
    if (s.updateInProgress) problems.push(`stack ${s.name}: an update is in progress; let it finish (or stop it: pulumi cancel -s ${s.name}) and try again`);
    else if (s.resourceCount === undefined) problems.push(`stack ${s.name}: the Pulumi backend does not say whether it holds resources; ${destroy}`);
    else if (s.resourceCount > 0) problems.push(`stack ${s.name} is deployed (${s.resourceCount} resource(s) in its state); ${destroy}`);
  }
  for (const s of inBackend(to)) problems.push(`the Pulumi backend already has a stack ${s.name}; remove it (pulumi stack rm ${s.name}, after pulumi destroy if it holds resources) or choose another name`);
  for (const f of ws.stacks.filter((s) => s.project === to)) problems.push(`${f.file} already exists (a stack of no project); remove it or choose another name`);
  return { plans, problems };
}

/** A stack file under its new name, with catalyst:project and the header `stack init` writes following. */
function renamedStackFile(text: string, plan: StackPlan, from: string, to: string): string {
  const edited = editYaml(text, (doc) => {
    if (doc.getIn(['config', 'catalyst:project']) === from) doc.setIn(['config', 'catalyst:project'], to);
  });
  const header = new RegExp(`^# Catalyst stack ${plan.from.replace(/[.-]/g, '\\$&')}(?![A-Za-z0-9_.-])`);
  return edited.replace(header, `# Catalyst stack ${plan.to}`);
}

/** Stage every file change: the folder, project.yaml, the callers, the stack files. */
function stageFiles(ctx: CommandContext, p: ProjectInfo, dst: string, to: string, callers: readonly CallSite[], plans: readonly StackPlan[], problems: string[]) {
  const files = new FileSet(ctx.cwd).moveDir(p.dir, dst);
  const moved = (path: string) => (path === p.dir || path.startsWith(`${p.dir}/`) ? dst + path.slice(p.dir.length) : path);
  const projectFile = join(dst, 'project.yaml');
  files.write(projectFile, editYaml(files.read(projectFile)!, (doc) => doc.set('name', to)));
  const byFile = new Map<string, CallSite[]>();
  for (const c of callers) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  for (const [file, calls] of byFile) {
    const path = moved(resolve(ctx.cwd, file));
    files.write(path, rewriteCalls(files, path, calls.map((c) => ({ index: c.index, target: `${to}/${c.toWorkflow}` }))));
  }
  const stackMoves: { from: string; to: string }[] = [];
  for (const plan of plans) {
    if (!plan.file) continue;
    const oldPath = resolve(ctx.cwd, plan.file.file);
    const newPath = join(dirname(oldPath), basename(oldPath).replace(`Pulumi.${plan.from}.`, `Pulumi.${plan.to}.`));
    try {
      files.write(newPath, renamedStackFile(readFileSync(oldPath, 'utf8'), plan, p.name, to)).delete(oldPath);
      stackMoves.push({ from: oldPath, to: newPath });
    } catch (err) {
      problems.push(`${plan.file.file}: ${(err as Error).message}; fix the file first`);
    }
  }
  return { files, stackMoves };
}

export async function rename(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, {});
  const [from, to, ...extra] = args.positionals;
  if (!to || extra.length) throw new CliError(`usage: ${RENAME}`);
  checkProjectName(to);
  const root = findRoot(ctx.cwd);
  const ws = scanWorkspace(root, ctx.cwd);
  const p = projectOrFail(ws, from);
  if (from === to) {
    ctx.stdout(`project "${from}" already has that name; nothing changed\n`);
    return 0;
  }
  const dst = join(ws.projectsDir, to);
  if (findProject(ws, to)) throw new CliError(`project "${to}" already exists (${relative(ctx.cwd, dst)}); choose another name`, REFUSED);
  if (existsSync(dst)) throw new CliError(`${relative(ctx.cwd, dst)} already exists (it is not a project: no project.yaml); move it away or choose another name`, REFUSED);
  requireValidWorkspace(root, ctx.cwd, `rename project "${from}"`);

  let runner: PulumiRunner | undefined;
  const getRunner = () => (runner ??= runnerFactory.create(root, ctx.env));
  const backend = await readBackend(root, ctx, getRunner);
  const { plans, problems } = planStacks(ws, from, to, backend);
  const callers = callersOf(ws, from).filter((c) => !c.inProcess);
  const { files, stackMoves } = stageFiles(ctx, p, dst, to, callers, plans, problems);
  if (problems.length) throw new CliError(`cannot rename project "${from}" to "${to}":\n- ${problems.join('\n- ')}`, REFUSED);

  // The backend renames run once the files are written and valid; a failure puts the files back.
  const renames = plans.filter((s) => s.backend);
  const done: StackPlan[] = [];
  let changes;
  try {
    changes = await commitOrFailThen(files, root, async () => {
      for (const s of renames) {
        const r = await renameBackendStack(getRunner(), root, ctx.env, s.from, s.to);
        if (r.code !== 0) throw new CliError(`\`${userCommand(s.from, s.to)}\` failed: ${(r.stderr.trim() || r.stdout.trim()).split('\n')[0]}`, REFUSED);
        done.push(s);
      }
    });
  } catch (err) {
    if (!done.length) throw err;
    // The files are back; now the stacks renamed so far (their config files are not there: Pulumi moves nothing).
    const stuck: string[] = [];
    for (const s of done.reverse()) {
      const r = await renameBackendStack(getRunner(), root, ctx.env, s.to, s.from).catch(() => ({ code: 1 }));
      if (r.code !== 0) stuck.push(`  ${userCommand(s.to, s.from)}`);
    }
    const back = stuck.length ? `; these stacks could not be renamed back, run:\n${stuck.join('\n')}` : `; the stacks renamed in the backend were renamed back (${done.map((s) => s.from).join(', ')})`;
    throw new CliError(`${(err as Error).message}\nnothing was changed in the files${back}`, REFUSED);
  }

  printChanges(ctx, changes, stackMoves);
  if (callers.length) ctx.stdout(`calls rewritten:\n${callers.map((c) => `  ${c.project}/${c.workflow} (node ${c.node}): ${c.target} → ${to}/${c.toWorkflow}`).join('\n')}\n`);
  if (renames.length) ctx.stdout(`stacks renamed in the Pulumi backend (they hold no resources); ran:\n${renames.map((s) => `  ${userCommand(s.from, s.to)}`).join('\n')}\n`);
  const fileOnly = plans.filter((s) => s.file && !s.backend);
  if (fileOnly.length && backend.stacks) ctx.stdout(`not in the Pulumi backend (never created there), so nothing to rename in Pulumi: ${fileOnly.map((s) => s.from).join(', ')}\n`);
  if (!backend.stacks) {
    ctx.stdout(`note: the Pulumi backend could not be read (${backend.why}); if it holds a stack ${from}.<env>, rename it: ${userCommand(`${from}.<env>`, `${to}.<env>`)}\n`);
  }
  const callerProjects = [...new Set(callers.map((c) => c.project))].filter((x) => x !== from);
  for (const caller of callerProjects) {
    const envs = ws.stacks.filter((s) => s.project === caller).map((s) => s.env);
    if (envs.length) ctx.stdout(`note: ${caller} reads ${to}'s URL from stack ${to}.<env> from its next deploy: deploy ${envs.map((e) => `${to}.${e}`).join(', ')} first (catalyst up --env <env> deploys callees first)\n`);
  }
  const ci = Object.values(WORKFLOW_FILES).filter((f) => existsSync(join(root, f)) && plans.some((s) => readFileSync(join(root, f), 'utf8').includes(s.from)));
  if (ci.length) ctx.stdout(`note: ${ci.join(', ')} name the old stacks; regenerate them: npx catalyst ci init --force\n`);
  ctx.stdout(`project "${from}" renamed to "${to}"; \`git status\` shows the change\n`);
  return 0;
}
