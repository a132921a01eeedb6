import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { computeAffected } from '../../gitops/affected.ts';
import { CI_EXCLUDED_ENVS, CI_EXCLUDED_TARGETS, ciFiles } from '../../gitops/ci.ts';
import { flagBool, flagString, parseArgs } from '../args.ts';
import { CliError, subcommands, type Command, type CommandContext } from '../types.ts';

const USAGE = `catalyst ci init [--provider github] [--force] [--check] [--branch <name>]
catalyst ci affected --base <commit> [--head <commit>] [--json | --format github]

init      writes .github/workflows/catalyst-pr.yml and catalyst-deploy.yml (see docs/gitops.md):
          pull requests: npm test, catalyst validate, pulumi preview of the affected stacks as a PR
          comment; pushes to the branch: pulumi up per stack, environments in order, callees before
          callers, production behind the GitHub environment "production", then catalyst report.
  --provider github   the CI system (only GitHub Actions for now)
  --force             overwrite existing workflow files that differ
  --check             write nothing; exit 1 when the files are missing or differ (for CI)
  --branch <name>     the deploy branch (default main)
affected  the projects and stacks changed between two commits (work tree changes are not counted),
          stacks in deploy order; local stacks are left out.
  --base <commit>     e.g. the pull request's base commit
  --head <commit>     default HEAD
  --json              {"base", "head", "projects", "stacks": [{name, project, env, target, reasons}], ...}
  --format github     lines for $GITHUB_OUTPUT: matrix={"include":[{stack,target}]} and count=<n>`;

async function init(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['provider', 'branch'], booleans: ['force', 'check'] });
  if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}"`);
  const provider = flagString(args, 'provider') ?? 'github';
  if (provider !== 'github') throw new CliError(`--provider ${provider} is not supported yet; use --provider github (GitHub Actions)`);
  const branch = flagString(args, 'branch') ?? 'main';
  if (!/^[A-Za-z0-9._/-]+$/.test(branch)) throw new CliError(`--branch "${branch}" is not a branch name`);
  const { files, view } = ciFiles({ repo: ctx.cwd, branch });
  const state = files.map((f) => {
    const abs = join(ctx.cwd, f.path);
    const existing = existsSync(abs) ? readFileSync(abs, 'utf8') : null;
    return { ...f, abs, status: existing === null ? 'missing' : existing === f.content ? 'current' : 'differs' };
  });
  if (flagBool(args, 'check')) {
    const stale = state.filter((s) => s.status !== 'current');
    for (const s of stale) ctx.stderr(`${s.path}: ${s.status === 'missing' ? 'missing' : 'out of date'}\n`);
    if (stale.length) {
      ctx.stderr('regenerate with `npx catalyst ci init --force` and commit the result\n');
      return 1;
    }
    ctx.stdout(`ok: ${files.length} workflow file(s) are current\n`);
    return 0;
  }
  const blocked = state.filter((s) => s.status === 'differs');
  if (blocked.length && !flagBool(args, 'force')) {
    throw new CliError(`${blocked.map((b) => b.path).join(', ')} already exist${blocked.length === 1 ? 's' : ''} with other content; overwrite with --force (your edits there are lost)`, 1);
  }
  for (const s of state) {
    if (s.status === 'current') {
      ctx.stdout(`unchanged ${s.path}\n`);
      continue;
    }
    mkdirSync(dirname(s.abs), { recursive: true });
    writeFileSync(s.abs, s.content);
    ctx.stdout(`${s.status === 'missing' ? 'wrote' : 'overwrote'} ${s.path}\n`);
  }
  ctx.stdout(`deploy order: ${view.deploys.map((d) => `${d.stack}${d.environment === 'production' ? ' (production)' : ''}`).join(' → ')}\n`);
  if (view.excluded.length) ctx.stdout(`not deployed from CI (local): ${view.excluded.join(', ')}\n`);
  ctx.stdout(`next: add the secrets and the "production" environment in GitHub (docs/gitops.md), then commit .github/workflows\n`);
  return 0;
}

async function affected(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['base', 'head', 'format'], booleans: ['json'] });
  if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}"`);
  const base = flagString(args, 'base');
  if (!base) throw new CliError('--base <commit> is required, e.g. --base origin/main');
  const format = flagString(args, 'format') ?? (flagBool(args, 'json') ? 'json' : 'text');
  if (!['json', 'text', 'github'].includes(format)) throw new CliError(`--format must be text, json or github (got "${format}")`);
  const r = await computeAffected(ctx.cwd, { base, head: flagString(args, 'head'), excludeEnvs: CI_EXCLUDED_ENVS, excludeTargets: CI_EXCLUDED_TARGETS });
  for (const w of r.warnings) ctx.stderr(`warning: ${w}\n`);
  if (format === 'json') {
    ctx.stdout(`${JSON.stringify({ base: r.base, head: r.head, shared: r.changes.shared.length > 0, projects: r.projects, stacks: r.stacks, changes: r.changes }, null, 2)}\n`);
  } else if (format === 'github') {
    const include = r.stacks.map((s) => ({ stack: s.name, target: s.target ?? 'unknown' }));
    ctx.stdout(`matrix=${JSON.stringify({ include })}\ncount=${include.length}\n`);
  } else {
    for (const s of r.stacks) ctx.stdout(`${s.name}\t${s.reasons.join(', ')}\n`);
    if (r.stacks.length === 0) ctx.stderr('no stack is affected\n');
  }
  return 0;
}

export const command: Command = {
  name: 'ci',
  summary: 'generate the CI pipeline (GitHub Actions); list the stacks a change affects',
  usage: USAGE,
  ...subcommands({ init, affected }, (sub) =>
    sub ? `unknown subcommand "ci ${sub}": use \`catalyst ci init\` or \`catalyst ci affected\`` : 'use `catalyst ci init` or `catalyst ci affected --base <commit>`',
  ),
};
