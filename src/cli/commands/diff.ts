import { computeAffected } from '../../gitops/affected.ts';
import { type Change, type ChangeSummary, stackImpact } from '../../gitops/changes.ts';
import { currentOutputs, deployedCommit, loadDeployments } from '../../pulumi/history.ts';
import { commitsBetween, isAncestor, shortSha } from '../../gitops/index.ts';
import { checkStackName, pulumiAccess } from '../../gitops/stack.ts';
import { flagBool, flagString, parseArgs } from '../args.ts';
import { CliError, type Command, type CommandContext } from '../types.ts';

const LETTER: Record<Change['status'], string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R', untracked: '?' };

function fileLine(c: Change): string {
  return `      ${LETTER[c.status]} ${c.path}${c.uncommitted ? '  (uncommitted)' : ''}\n`;
}

/** Human-readable change summary (one section per group). */
export function formatSummary(s: ChangeSummary, stackProject: string | null): string {
  let out = '';
  if (s.shared.length) {
    out += '  all projects (shared code):\n';
    for (const c of s.shared) out += fileLine(c);
  }
  for (const p of s.projects) {
    const bits = [p.workflows.length ? `workflows ${p.workflows.join(', ')}` : '', p.settings ? 'project.yaml' : ''].filter(Boolean).join('; ');
    out += `  project ${p.project}${p.project === stackProject ? ' (this stack)' : ''}${bits ? `: ${bits}` : ''}\n`;
    for (const c of p.files) out += fileLine(c);
  }
  for (const st of s.stackConfigs) {
    out += `  stack config ${st.stack}:\n`;
    for (const c of st.files) out += fileLine(c);
  }
  if (s.other.length) out += `  not deployed (docs, tests, …): ${s.other.length} file(s)\n`;
  return out;
}

async function deployedFrom(stack: string, ctx: CommandContext, from: string | undefined): Promise<{ commit: string; dirty: boolean | null; source: string }> {
  if (from) return { commit: from, dirty: null, source: '--from' };
  const p = pulumiAccess(ctx.cwd, stack, ctx.env);
  const outputs = await currentOutputs(p, stack);
  if (outputs?.version?.commit) return { commit: outputs.version.commit, dirty: outputs.version.dirty, source: 'stack outputs (version)' };
  const list = await loadDeployments(p, stack, { limit: 20, outputs: false });
  const d = list.deployments.find((x) => x.kind === 'update' && x.result === 'succeeded' && deployedCommit(x));
  if (d) return { commit: deployedCommit(d)!, dirty: d.git.dirty, source: `stack history (#${d.stackVersion})` };
  throw new CliError(`no deployed commit recorded for ${stack} (no version output, no git.head in its history); compare with --from <commit>`, 1);
}

export const command: Command = {
  name: 'diff',
  summary: 'which projects and workflows changed since a stack was deployed',
  usage: `catalyst diff <project.env> [--from <commit>] [--json] [--exit-code]

Compares the commit a stack runs (its \`version\` output, else the newest deployment in its history)
with HEAD, plus uncommitted changes (flagged), and maps the changed files to projects and workflows:
  projects/<p>/workflows/<w>.yaml  workflow w of project p
  projects/<p>/…                   project p
  stacks/Pulumi.<p>.<env>.yaml     that stack's config
  src/, templates/, package.json, package-lock.json, Pulumi.yaml
                                   all projects (shared code)
  --from <commit>   compare from this commit instead of asking pulumi
  --json            {"stack", "deployed", "head", "commits", "changes", "affected", ...}
  --exit-code       exit 1 when the stack is affected (like git diff --exit-code)`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['from'], booleans: ['json', 'exit-code'] });
    if (args.positionals.length > 1) throw new CliError(`unexpected argument "${args.positionals[1]}"`);
    const { stack, project } = checkStackName(ctx.cwd, args.positionals[0]);
    const deployed = await deployedFrom(stack, ctx, flagString(args, 'from'));
    const r = await computeAffected(ctx.cwd, { base: deployed.commit, uncommitted: true });
    const commits = await commitsBetween(ctx.cwd, r.base, r.head);
    const ancestor = await isAncestor(ctx.cwd, r.base, r.head);
    const impact = stackImpact(stack, r.changes);
    const uncommitted = [...r.changes.shared, ...r.changes.projects.flatMap((p) => p.files), ...r.changes.stackConfigs.flatMap((s) => s.files), ...r.changes.other].filter((c) => c.uncommitted).length;
    if (flagBool(args, 'json')) {
      const out = {
        stack,
        deployed: { commit: r.base, dirty: deployed.dirty, source: deployed.source },
        head: r.head,
        deployedIsAncestor: ancestor,
        commits,
        uncommittedFiles: uncommitted,
        changes: r.changes,
        affected: impact,
        affectedProjects: r.projects,
        warnings: r.warnings,
      };
      ctx.stdout(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      ctx.stdout(`${stack}: deployed ${shortSha(r.base)} (${deployed.source}) → HEAD ${shortSha(r.head)}, ${commits.length} commit(s)${uncommitted ? ` + ${uncommitted} uncommitted file(s)` : ''}\n`);
      if (deployed.dirty) ctx.stdout('  note: it was deployed from a dirty tree; what was uncommitted then is not known\n');
      if (!ancestor) ctx.stdout(`  note: ${shortSha(r.base)} is not an ancestor of HEAD (deployed from another branch?)\n`);
      for (const w of r.warnings) ctx.stderr(`warning: ${w}\n`);
      const text = formatSummary(r.changes, project);
      ctx.stdout(text || '  no changes\n');
      ctx.stdout(
        impact.affected
          ? `${stack} is affected (${impact.reasons.join(', ')}): deploy it with \`catalyst up --env ${stack.slice(stack.indexOf('.') + 1)}\`\n`
          : `${stack} is not affected: its deployment would not change\n`,
      );
    }
    return flagBool(args, 'exit-code') && impact.affected ? 1 : 0;
  },
};
