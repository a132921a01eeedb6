import { deployedCommit, type Deployment, loadDeployments, pinnedImage } from '../../pulumi/history.ts';
import { shortSha } from '../../gitops/index.ts';
import { checkStackName, pulumiAccess } from '../../gitops/stack.ts';
import { flagBool, flagString, parseArgs } from '../args.ts';
import { CliError, type Command } from '../types.ts';

const SYMBOL: Record<string, string> = { create: '+', update: '~', delete: '-', replace: '+-' };

/** `+1 ~2 -1`: resource changes without `same`. */
export function formatChanges(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([op, n]) => op !== 'same' && n > 0)
    .map(([op, n]) => (SYMBOL[op] ? `${SYMBOL[op]}${n}` : `${op}:${n}`));
  return parts.length ? parts.join(' ') : 'no changes';
}

/** `repo@sha256:0123456789ab…` for a terminal. */
export function shortImage(image: string | null): string {
  if (!image) return '-';
  const m = /^(.*@sha256:)([0-9a-f]{12})[0-9a-f]{52}$/.exec(image);
  return m ? `${m[1]}${m[2]}…` : image;
}

function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '-';
}

function note(d: Deployment): string {
  const rb = d.outputs?.rolledBackFrom;
  const restored = rb && typeof rb.restoredStackVersion === 'number' ? ` of #${rb.restoredStackVersion}` : '';
  if (d.imageOverride || rb) return `rollback${restored}`;
  return '';
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

export const command: Command = {
  name: 'history',
  summary: 'the deployments of a stack: time, result, changes, git commit, image',
  usage: `catalyst history <project.env> [--limit <n>] [--json]

Lists the updates of a stack, newest first, from \`pulumi stack history\`: when, result, resource
changes, the git commit deployed (the stack's \`version\` output, else the commit Pulumi recorded) with
its dirty flag, and the image that ran (from the outputs each update left, where recorded). Rollbacks
are marked. Pick a commit or version from here for \`catalyst rollback\`.
  --limit <n>   at most n updates (default 20)
  --json        {"stack", "deployments": [...], "snapshots", "warnings"} for machines`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['limit'], booleans: ['json'] });
    if (args.positionals.length > 1) throw new CliError(`unexpected argument "${args.positionals[1]}"`);
    const limitText = flagString(args, 'limit') ?? '20';
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) throw new CliError(`--limit must be a whole number from 1 to 1000 (got "${limitText}")`);
    const { stack } = checkStackName(ctx.cwd, args.positionals[0]);
    const list = await loadDeployments(pulumiAccess(ctx.cwd, stack, ctx.env), stack, { limit: Number(limitText) });
    if (flagBool(args, 'json')) {
      ctx.stdout(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    for (const w of list.warnings) ctx.stderr(`warning: ${w}\n`);
    if (list.deployments.length === 0) {
      ctx.stdout(`${stack}: no deployments yet\n`);
      return 0;
    }
    ctx.stdout(`${stack}: ${list.deployments.length} update(s), newest first\n`);
    const rows = [['#', 'started (UTC)', 'kind', 'result', 'changes', 'commit', 'image', '']];
    for (const d of list.deployments) {
      const dirty = d.outputs?.version?.dirty ?? d.git.dirty;
      rows.push([
        String(d.stackVersion ?? '?'),
        when(d.startTime),
        d.kind,
        d.result,
        formatChanges(d.resourceChanges),
        `${shortSha(deployedCommit(d))}${dirty ? ' dirty' : ''}`,
        shortImage(pinnedImage(d.outputs) ?? d.imageOverride),
        note(d),
      ]);
    }
    ctx.stdout(`${table(rows)}\n`);
    if (list.snapshots === 'none') ctx.stdout('(no outputs recorded for these updates: images unknown)\n');
    return 0;
  },
};
