import { currentOutputs, loadDeployments } from '../../pulumi/history.ts';
import { gitState, shortSha } from '../../gitops/index.ts';
import { planRollback, type RollbackPlan, runRollback } from '../../gitops/rollback.ts';
import { checkStackName, pulumiAccess, stackConfigFile, stackTarget } from '../../gitops/stack.ts';
import { flagBool, flagString, parseArgs } from '../args.ts';
import { CliError, type Command } from '../types.ts';

function describePlan(plan: RollbackPlan): string {
  const to = plan.to;
  const lines = [
    `rollback ${plan.stack} to deployment #${to.stackVersion ?? '?'} (matched by ${plan.matchedBy})${to.startTime ? ` of ${to.startTime}` : ''}`,
    `  commit:  ${shortSha(plan.commit)}${plan.commit ? ` (${plan.commit})` : ''}`,
  ];
  if (plan.mode === 'image') {
    lines.push(`  image:   ${plan.image}`, `  how:     pulumi up with catalyst:imageOverride set for this run only (no build; stacks/ untouched)`);
  } else {
    lines.push(`  how:     pulumi up from a temporary git worktree of ${shortSha(plan.commit)} (definitions and program of that commit)`);
  }
  lines.push(`  now:     #${plan.from.stackVersion ?? '?'} ${shortSha(plan.from.commit)}${plan.from.imageRef ? ` ${plan.from.imageRef}` : ''}`);
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  name: 'rollback',
  summary: 'redeploy what an earlier deployment of a stack ran, without rebuilding',
  usage: `catalyst rollback <project.env> --to <commit|stack version|content hash> [--dry-run] [--json]
catalyst rollback <project.env> --image <repo@sha256:…> [--dry-run]

Finds the earlier deployment (\`catalyst history <stack>\`): --to is a stack version number (7), a
commit (id, prefix, branch, tag, HEAD~1) or a content hash prefix; the newest successful update
that ran it is used.
- Image targets (cloudrun, fly, render, railway, docker): runs \`pulumi up\` with \`catalyst:imageOverride\`
  set to that deployment's image (pinned by digest) for this one run, through a temporary copy of
  the stack config (--config-file); the image is not rebuilt and stacks/ is not modified.
- The local target (no image), or --rebuild: checks that commit out into a temporary git worktree,
  runs \`pulumi up\` there, and removes the worktree.
The next plain \`catalyst up\` / \`pulumi up\` builds HEAD again and replaces the rollback.
  --to <x>          what to roll back to
  --image <ref>     roll back to this image (when the deployment recorded none)
  --rebuild         rebuild the earlier commit from a worktree (any target)
  --keep-worktree   keep the worktree (local target apps that serve files from it)
  --dry-run         print the plan, run nothing
  --json            print the plan as JSON`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['to', 'image'], booleans: ['dry-run', 'json', 'rebuild', 'keep-worktree'] });
    if (args.positionals.length > 1) throw new CliError(`unexpected argument "${args.positionals[1]}"`);
    const to = flagString(args, 'to');
    const image = flagString(args, 'image');
    if (!to && !image) throw new CliError('say what to roll back to: --to <commit|stack version|content hash> (see `catalyst history <stack>`), or --image <repo@sha256:…>');
    if (image && !/^[a-z0-9][a-z0-9._\-/:]*(@sha256:[0-9a-f]{64}|:[\w][\w.-]{0,127})$/i.test(image)) {
      throw new CliError(`--image must be an image reference, e.g. europe-docker.pkg.dev/p/r/app@sha256:<64 hex> (got "${image}")`);
    }
    if (image && flagBool(args, 'rebuild')) throw new CliError('--image and --rebuild exclude each other');
    const { stack } = checkStackName(ctx.cwd, args.positionals[0]);
    const p = pulumiAccess(ctx.cwd, stack, ctx.env);
    const list = await loadDeployments(p, stack, { limit: 100 });
    for (const w of list.warnings) ctx.stderr(`warning: ${w}\n`);
    const current = await currentOutputs(p, stack);
    const configFile = stackConfigFile(ctx.cwd, stack);
    const plan = await planRollback({
      repo: ctx.cwd,
      stack,
      deployments: list.deployments,
      current,
      target: current?.target ?? stackTarget(configFile),
      to,
      image,
      rebuild: flagBool(args, 'rebuild'),
    });
    if (flagBool(args, 'json')) ctx.stdout(`${JSON.stringify({ ...plan, dryRun: flagBool(args, 'dry-run') }, null, 2)}\n`);
    else ctx.stdout(describePlan(plan));
    if (plan.current) {
      ctx.stdout(`${stack} already runs it: nothing to do\n`);
      return 0;
    }
    if (flagBool(args, 'dry-run')) return 0;
    const tree = await gitState(ctx.cwd);
    if (plan.mode === 'image' && tree?.dirty) {
      ctx.stderr(
        'warning: the work tree has uncommitted changes; the Pulumi program and stack config come from it, and stacks that require a clean tree (catalyst:requireCleanGit, on by default for *.prod) refuse to deploy: commit or stash first\n',
      );
    }
    // With --json, stdout holds only the plan: pulumi's progress and our notes go to stderr.
    const say = flagBool(args, 'json') ? ctx.stderr : ctx.stdout;
    const r = await runRollback(plan, { pulumi: p, configFile, stdout: say, stderr: ctx.stderr, keepWorktree: flagBool(args, 'keep-worktree') });
    if (!r.ok) {
      ctx.stderr(`catalyst rollback: pulumi up failed (exit ${r.code}); see what the stack runs now with \`catalyst history ${stack}\`\n`);
      return 1;
    }
    if (r.worktree) say(`worktree kept at ${r.worktree}; remove it with \`git worktree remove --force ${r.worktree}\`\n`);
    say(`${stack} rolled back to #${plan.to.stackVersion ?? '?'} (${shortSha(plan.commit)}). The next \`catalyst up\` deploys HEAD again.\n`);
    return 0;
  },
};
