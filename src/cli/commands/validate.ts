import { resolve } from 'node:path';
import { formatDiagnostic } from '../../definitions/diagnostics.ts';
import { loadWorkspace } from '../../definitions/load.ts';
import { flagBool, parseArgs } from '../args.ts';
import { CliError, type Command } from '../types.ts';

export const command: Command = {
  name: 'validate',
  summary: 'check project and workflow definitions; report every problem at once',
  usage: `catalyst validate [path] [--json]

path: a repository (with projects/), a projects directory, or one project directory (default: .)
Prints every problem as file:line:col field: message (fix: …) and exits 1 when there is any;
on success prints a summary and exits 0.
  --json   print {"ok", "diagnostics", "projects"} for machines`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { booleans: ['json'] });
    if (args.positionals.length > 1) throw new CliError('give at most one path');
    const target = resolve(ctx.cwd, args.positionals[0] ?? '.');
    const r = loadWorkspace(target, { base: ctx.cwd });
    const projects = (r.workspace?.projects ?? [])
      .filter((p) => r.selected.includes(p.name))
      .map((p) => ({
        name: p.name,
        workflows: p.workflows.map((w) => ({
          name: w.name,
          visibility: w.visibility,
          ...(w.trigger.type === 'webhook' ? { route: `${w.trigger.method} ${w.trigger.path}` } : {}),
        })),
      }));
    if (flagBool(args, 'json')) {
      ctx.stdout(`${JSON.stringify({ ok: r.diagnostics.length === 0, diagnostics: r.diagnostics, projects }, null, 2)}\n`);
      return r.diagnostics.length ? 1 : 0;
    }
    if (r.diagnostics.length) {
      for (const d of r.diagnostics) ctx.stderr(`${formatDiagnostic(d)}\n`);
      const files = new Set(r.diagnostics.map((d) => d.file)).size;
      ctx.stderr(`\n${r.diagnostics.length} problem(s) in ${files} file(s)\n`);
      return 1;
    }
    const wfs = projects.flatMap((p) => p.workflows);
    const routes = wfs.filter((w) => w.route).length;
    ctx.stdout(`ok: ${projects.length} project(s), ${wfs.length} workflow(s), ${routes} public route(s), ${wfs.length - routes} internal\n`);
    for (const p of projects) {
      ctx.stdout(`  ${p.name}\n`);
      for (const w of p.workflows) ctx.stdout(`    ${w.name.padEnd(24)} ${w.visibility.padEnd(8)} ${w.route ?? ''}\n`.replace(/ +\n$/, '\n'));
    }
    return 0;
  },
};
