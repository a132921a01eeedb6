import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { editYaml, FileSet, setTopLevel } from '../../definitions/edit.ts';
import type { Workspace } from '../../definitions/model.ts';
import { callersOf, findRoot, formatCallSite, scanWorkspace, type CallSite, type IndexedWorkflow } from '../../definitions/scan.ts';
import { valueRefs } from '../../expressions/value.ts';
import { flagString, parseArgs } from '../args.ts';
import { checkRoute, commitOrFail, OPEN_NOTE, parseWorkflowRef, printChanges, projectOrFail, REFUSED, requireValidWorkspace, rewriteCalls, workflowOrFail } from '../projects.ts';
import { CliError, subcommands, type Command, type CommandContext } from '../types.ts';

const MOVE = 'catalyst workflow move <project>/<workflow> <other-project>';
const VISIBILITY = 'catalyst workflow visibility <project>/<workflow> public|internal [--path /route] [--method POST]';

const USAGE = `${MOVE}
${VISIBILITY}

move        moves the workflow's file to the other project and rewrites every call to it:
            callers in its old project (\`wf\`) call \`other-project/wf\` (over HTTP, so the workflow
            must be public), callers in the target project (\`other-project/wf\`) call \`wf\`, callers
            elsewhere (\`project/wf\`) call \`other-project/wf\`; the workflow's own calls are rewritten
            the same way. Refuses, listing what is in the way, when the target project already has a
            workflow of that name or its route, lacks secrets or env settings the workflow uses, or
            when an internal workflow would have to be called across projects.
visibility  public: sets visibility and adds a webhook trigger (default POST /<workflow>) if it has none.
            internal: removes the webhook trigger; refused while other projects call the workflow.

Both need valid definitions to start from (catalyst validate), validate the whole workspace after
writing and change nothing when the result would not be valid. Comments and formatting are kept.
Exit codes: 0 done, 1 refused, 2 usage error.`;

const TOP_KEYS_BEFORE_VISIBILITY = ['description', 'name'];

function callerList(calls: readonly CallSite[]): string {
  return calls.map((c) => `  ${formatCallSite(c)}`).join('\n');
}

/** env.NAME settings the workflow's expressions read (from the validated model). */
function envUsed(model: Workspace, project: string, workflow: string): string[] {
  const wf = model.projects.find((p) => p.name === project)?.workflows.find((w) => w.name === workflow);
  const names = new Set<string>();
  for (const n of wf?.nodes ?? []) for (const v of Object.values(n.values)) for (const { ref } of valueRefs(v)) if (ref.root === 'env') names.add(ref.name);
  return [...names].sort();
}

async function move(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, {});
  const [ref, to, ...extra] = args.positionals;
  if (!to || extra.length) throw new CliError(`usage: ${MOVE}`);
  const { project: from, workflow: name } = parseWorkflowRef(ref, MOVE);
  const root = findRoot(ctx.cwd);
  const ws = scanWorkspace(root, ctx.cwd);
  const src = projectOrFail(ws, from);
  const wf = workflowOrFail(src, name);
  const dst = projectOrFail(ws, to);
  if (from === to) throw new CliError(`"${from}/${name}" is already in project "${to}"`);
  const model = requireValidWorkspace(root, ctx.cwd, `move ${from}/${name}`);

  const problems: string[] = [];
  const clash = dst.workflows.find((w) => w.name === name);
  if (clash) problems.push(`project "${to}" already has a workflow "${name}" (${clash.file}); rename one of them first`);
  const dstFile = join(dst.dir, 'workflows', basename(wf.path));
  if (!clash && existsSync(dstFile)) problems.push(`${relative(ctx.cwd, dstFile)} already exists`);
  if (wf.visibility === 'public' && wf.route) {
    const taken = dst.workflows.find((w) => w.visibility === 'public' && w.route?.method === wf.route!.method && w.route.path === wf.route!.path);
    if (taken) problems.push(`route ${wf.route.method} ${wf.route.path} is already taken in project "${to}" by workflow "${taken.name}" (${taken.file}); change one of the paths first`);
  }
  const missingSecrets = wf.secrets.filter((s) => !dst.secrets.includes(s));
  if (missingSecrets.length) {
    problems.push(`"${name}" uses secrets that project "${to}" does not declare: ${missingSecrets.join(', ')} (declare them under secrets: in ${dst.file}, and set them in ${to}'s stacks)`);
  }
  const missingEnv = envUsed(model, from, name).filter((e) => !dst.env.includes(e));
  if (missingEnv.length) problems.push(`"${name}" reads env settings that project "${to}" does not set: ${missingEnv.join(', ')} (add them under env: in ${dst.file})`);
  const callers = callersOf(ws, from, name);
  const inProcessCallers = callers.filter((c) => c.project === from);
  if (inProcessCallers.length && wf.visibility !== 'public') {
    problems.push(
      `"${from}/${name}" is internal and called in-process from project "${from}"; after the move these would be calls to another project, which reach only public workflows:\n${callerList(inProcessCallers)}\n  (make it public first: catalyst workflow visibility ${from}/${name} public, or change those callers)`,
    );
  }
  // The workflow's own same-project calls become calls back to its old project: their targets must be public.
  const ownInProcess = wf.calls.filter((c) => c.inProcess);
  const internalTargets = ownInProcess.filter((c) => src.workflows.find((w) => w.name === c.toWorkflow)?.visibility !== 'public');
  if (internalTargets.length) {
    problems.push(
      `"${name}" calls internal workflows of project "${from}" in-process; from project "${to}" it could call only public ones:\n${callerList(internalTargets)}\n  (move them too, or make them public)`,
    );
  }
  if (problems.length) throw new CliError(`cannot move ${from}/${name} to project "${to}":\n- ${problems.join('\n- ')}`, REFUSED);

  const files = new FileSet(ctx.cwd);
  const ownEdits = wf.calls.flatMap((c) => (c.inProcess ? [{ index: c.index, target: `${from}/${c.toWorkflow}` }] : c.toProject === to ? [{ index: c.index, target: c.toWorkflow }] : []));
  const moved = rewriteCalls(files, wf.path, ownEdits, (doc) => {
    // Without an explicit visibility the workflow would take the new project's default.
    if (!wf.declaredVisibility && dst.defaultVisibility !== wf.visibility) setTopLevel(doc, 'visibility', wf.visibility, TOP_KEYS_BEFORE_VISIBILITY);
  });
  files.write(dstFile, moved).delete(wf.path);
  const byFile = new Map<string, CallSite[]>();
  for (const c of callers) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  const rewritten: string[] = [];
  for (const [file, calls] of byFile) {
    const path = resolve(ctx.cwd, file);
    files.write(path, rewriteCalls(files, path, calls.map((c) => ({ index: c.index, target: c.project === to ? name : `${to}/${name}` }))));
    for (const c of calls) rewritten.push(`  ${c.project}/${c.workflow} (node ${c.node}): ${c.target} → ${c.project === to ? name : `${to}/${name}`}`);
  }
  const changes = commitOrFail(files, root);
  printChanges(ctx, changes, [{ from: wf.path, to: dstFile }]);
  for (const c of ownEdits) rewritten.push(`  ${to}/${name} (node ${wf.calls.find((x) => x.index === c.index)!.node}): → ${c.target}`);
  if (rewritten.length) ctx.stdout(`calls rewritten:\n${rewritten.join('\n')}\n`);
  if (wf.visibility === 'public' && wf.route) {
    ctx.stdout(`note: ${wf.route.method} ${wf.route.path} is now served by project "${to}"; clients of ${from}'s URL must switch (deploy ${to} before ${from})\n`);
  }
  return 0;
}

async function visibility(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['path', 'method'] });
  const [ref, value, ...extra] = args.positionals;
  if (extra.length) throw new CliError(`unexpected argument ${JSON.stringify(extra[0])}\nusage: ${VISIBILITY}`);
  const { project, workflow: name } = parseWorkflowRef(ref, VISIBILITY);
  if (value !== 'public' && value !== 'internal') throw new CliError(`say public or internal${value ? `, not ${JSON.stringify(value)}` : ''}\nusage: ${VISIBILITY}`);
  const pathFlag = flagString(args, 'path');
  const methodFlag = flagString(args, 'method');
  if (value === 'internal' && (pathFlag !== undefined || methodFlag !== undefined)) throw new CliError('--path and --method are for making a workflow public');
  const root = findRoot(ctx.cwd);
  const ws = scanWorkspace(root, ctx.cwd);
  const p = projectOrFail(ws, project);
  const wf: IndexedWorkflow = workflowOrFail(p, name);
  requireValidWorkspace(root, ctx.cwd, `change the visibility of ${project}/${name}`);
  if (wf.visibility === value) {
    const asked = value === 'public' && (pathFlag !== undefined || methodFlag !== undefined) ? { method: (methodFlag ?? wf.route?.method ?? 'POST').toUpperCase(), path: pathFlag ?? wf.route?.path } : undefined;
    if (asked && wf.route && (asked.method !== wf.route.method || asked.path !== wf.route.path)) {
      throw new CliError(`${project}/${name} is already public at ${wf.route.method} ${wf.route.path}; to change its route, edit trigger in ${wf.file}`, REFUSED);
    }
    ctx.stdout(`${project}/${name} is already ${value}${wf.route ? ` (${wf.route.method} ${wf.route.path})` : ''}; nothing changed\n`);
    return 0;
  }
  const files = new FileSet(ctx.cwd);
  const text = files.read(wf.path)!;
  let message: string;
  if (value === 'public' && wf.schedule) {
    throw new CliError(`${project}/${name} runs on a schedule, so it stays internal; to also run it over HTTP, add a public workflow that calls it (nodes: [{id: run, type: workflowCall, workflow: ${name}}])`, REFUSED);
  }
  if (value === 'public') {
    const method = (methodFlag ?? 'POST').toUpperCase();
    const path = pathFlag ?? `/${name}`;
    checkRoute(p, method, path, name);
    files.write(
      wf.path,
      editYaml(text, (doc) => {
        setTopLevel(doc, 'visibility', 'public', TOP_KEYS_BEFORE_VISIBILITY);
        setTopLevel(doc, 'trigger', { type: 'webhook', method, path }, ['auth', 'visibility']);
        if (!wf.declaredAuth && !p.defaultAuth) setTopLevel(doc, 'auth', 'none', ['trigger']);
      }),
    );
    message = `${project}/${name} is public: ${method} ${path}${!wf.declaredAuth && !p.defaultAuth ? `\n${OPEN_NOTE.trimEnd()}` : ''}`;
  } else {
    const outside = callersOf(ws, project, name).filter((c) => c.project !== project);
    if (outside.length) {
      throw new CliError(
        `cannot make ${project}/${name} internal: other projects call it, and they can call only public workflows:\n${callerList(outside)}\n(change those callers first)`,
        REFUSED,
      );
    }
    files.write(
      wf.path,
      editYaml(text, (doc) => {
        setTopLevel(doc, 'visibility', 'internal', TOP_KEYS_BEFORE_VISIBILITY);
        if (wf.route) doc.delete('trigger');
      }),
    );
    message = `${project}/${name} is internal${wf.route ? ` (route ${wf.route.method} ${wf.route.path} removed)` : ''}`;
  }
  printChanges(ctx, commitOrFail(files, root));
  ctx.stdout(`${message}\n`);
  return 0;
}

export const command: Command = {
  name: 'workflow',
  summary: 'move a workflow to another project, or change its visibility (rewrites callers)',
  usage: USAGE,
  ...subcommands({ move, visibility }, (what) => `${what === undefined ? 'say what to do' : `unknown action ${JSON.stringify(what)}`}: move or visibility\nusage:\n${MOVE}\n${VISIBILITY}`),
};
