import { relative } from 'node:path';
import { loadWorkspace } from '../../definitions/load.ts';
import { callersOf, findRoot, scanWorkspace, type WorkspaceIndex } from '../../definitions/scan.ts';
import { formatInZone, isTimeZone, nextRuns, parseCron } from '../../shared/cron.ts';
import { flagBool, parseArgs } from '../args.ts';
import { CliError, type Command } from '../types.ts';

const USAGE = `catalyst list [--json]

Lists the projects under projects/: their workflows with visibility, route, the calls they make
(in-process within a project, HTTP to another project), the secrets they use and, for scheduled
workflows, the next three run times (in the schedule's time zone); each project's
declared secrets (names only) and env settings, and the stacks found in stacks/Pulumi.<project>.<env>.yaml.
Works on invalid definitions too (reading what it can); the number of problems is shown
(details: catalyst validate).
  --json   machine-readable: {root, problems, projects: [...], orphanStacks: [...]}`;

export interface ListOutput {
  root: string;
  /** Number of validation problems (catalyst validate lists them). */
  problems: number;
  projects: {
    name: string;
    description: string;
    file: string;
    defaultVisibility: 'public' | 'internal';
    secrets: string[];
    env: string[];
    stacks: { name: string; env: string; file: string }[];
    workflows: {
      name: string;
      file: string;
      visibility: 'public' | 'internal';
      route: { method: string; path: string } | null;
      /** Scheduled workflows: the expression, its zone and the next three runs (ISO 8601 in that zone); `error` when it does not parse. */
      schedule?: { cron: string; timezone: string; next: string[]; error?: string };
      calls: { node: string; target: string; project: string; workflow: string; mode: 'in-process' | 'http' }[];
      calledBy: { project: string; workflow: string; node: string; mode: 'in-process' | 'http' }[];
      secrets: string[];
    }[];
  }[];
  /** Stack files whose project does not exist (e.g. after `catalyst project delete --force`). */
  orphanStacks: { name: string; env: string; file: string }[];
}

function scheduleOf(s: { cron: string; timezone: string }, now: number): NonNullable<ListOutput['projects'][number]['workflows'][number]['schedule']> {
  try {
    if (!isTimeZone(s.timezone)) throw new Error(`"${s.timezone}" is not an IANA time zone`);
    return { ...s, next: nextRuns(parseCron(s.cron), s.timezone, now, 3).map((t) => formatInZone(t, s.timezone)) };
  } catch (e) {
    return { ...s, next: [], error: (e as Error).message };
  }
}

export function listWorkspace(ws: WorkspaceIndex, problems: number, cwd: string, now = Date.now()): ListOutput {
  const mode = (inProcess: boolean) => (inProcess ? 'in-process' : 'http') as 'in-process' | 'http';
  const names = new Set(ws.projects.map((p) => p.name));
  return {
    root: relative(cwd, ws.root) || '.',
    problems,
    projects: ws.projects.map((p) => ({
      name: p.name,
      description: p.description,
      file: p.file,
      defaultVisibility: p.defaultVisibility,
      secrets: p.secrets,
      env: p.env,
      stacks: ws.stacks.filter((s) => s.project === p.name).map(({ name, env, file }) => ({ name, env, file })),
      workflows: p.workflows.map((w) => ({
        name: w.name,
        file: w.file,
        visibility: w.visibility,
        route: w.visibility === 'public' && w.route ? w.route : null,
        ...(w.schedule ? { schedule: scheduleOf(w.schedule, now) } : {}),
        calls: w.calls.map((c) => ({ node: c.node, target: c.target, project: c.toProject, workflow: c.toWorkflow, mode: mode(c.inProcess) })),
        calledBy: callersOf(ws, p.name, w.name).map((c) => ({ project: c.project, workflow: c.workflow, node: c.node, mode: mode(c.inProcess) })),
        secrets: w.secrets,
      })),
    })),
    orphanStacks: ws.stacks.filter((s) => !names.has(s.project)).map(({ name, env, file }) => ({ name, env, file })),
  };
}

function human(out: ListOutput): string {
  const lines: string[] = [];
  for (const p of out.projects) {
    lines.push(`${p.name}${p.description ? `  ${p.description}` : ''}`);
    lines.push(`  secrets: ${p.secrets.join(', ') || '(none)'}`);
    lines.push(`  stacks:  ${p.stacks.map((s) => s.name).join(', ') || '(none)'}`);
    const width = Math.max(8, ...p.workflows.map((w) => w.name.length));
    if (p.workflows.length === 0) lines.push('  (no workflows)');
    for (const w of p.workflows) {
      const route = w.route ? `${w.route.method} ${w.route.path}` : w.schedule ? `schedule ${w.schedule.cron}` : '';
      const calls = w.calls.map((c) => `${c.target} (${c.mode === 'http' ? 'HTTP' : 'in-process'})`).join(', ');
      const tail = [calls ? `calls ${calls}` : '', w.secrets.length ? `secrets ${w.secrets.join(', ')}` : ''].filter(Boolean).join('; ');
      lines.push(`  ${w.name.padEnd(width)}  ${w.visibility.padEnd(8)}  ${route.padEnd(20)}  ${tail}`.trimEnd());
      if (w.schedule) lines.push(`  ${''.padEnd(width)}  next runs (${w.schedule.timezone}): ${w.schedule.error ? `none (${w.schedule.error})` : w.schedule.next.join(', ')}`);
    }
  }
  if (out.projects.length === 0) lines.push('no projects (create one with `catalyst new project <name>`)');
  for (const s of out.orphanStacks) lines.push(`stack ${s.name} (${s.file}) belongs to no project: run \`pulumi destroy -s ${s.name}\`, then delete the file`);
  if (out.problems) lines.push(`${out.problems} problem(s) in the definitions; run \`catalyst validate\` for the list`);
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  name: 'list',
  summary: 'list projects, workflows, routes, calls, secrets and stacks',
  usage: USAGE,
  async run(argv, ctx) {
    const args = parseArgs(argv, { booleans: ['json'] });
    if (args.positionals.length) throw new CliError(`unexpected argument ${JSON.stringify(args.positionals[0])}\nusage: ${USAGE.split('\n')[0]}`);
    const root = findRoot(ctx.cwd);
    const ws = scanWorkspace(root, ctx.cwd);
    const problems = ws.projects.length ? loadWorkspace(root, { base: ctx.cwd }).diagnostics.length : 0;
    const out = listWorkspace(ws, problems, ctx.cwd);
    ctx.stdout(flagBool(args, 'json') ? `${JSON.stringify(out, null, 2)}\n` : human(out));
    return 0;
  },
};
