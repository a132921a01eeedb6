import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { generateApp, GENERATED_MARKER, writeApp, type GeneratedApp } from '../../codegen/index.ts';
import { CodegenError } from '../../codegen/nodes.ts';
import { DefinitionError, formatDiagnostic } from '../../definitions/diagnostics.ts';
import { loadProjectModel } from '../../definitions/load.ts';
import type { ProjectModel, Workspace } from '../../definitions/model.ts';
import { flagBool, flagString, parseArgs } from '../args.ts';
import { CliError, type Command, type CommandContext } from '../types.ts';

/** Load one project (by name under projects/, or by directory) or throw a CliError listing every problem. */
export function loadProjectForCli(nameOrDir: string, ctx: CommandContext): { project: ProjectModel; workspace: Workspace } {
  try {
    return loadProjectModel(nameOrDir, { cwd: ctx.cwd, base: ctx.cwd });
  } catch (err) {
    if (err instanceof DefinitionError) {
      throw new CliError(`${err.diagnostics.map(formatDiagnostic).join('\n')}\n\n${err.diagnostics.length} problem(s); fix them and run again (catalyst validate shows the same list)`, 1);
    }
    throw err;
  }
}

export function generateForCli(project: ProjectModel, workspace: Workspace): GeneratedApp {
  try {
    return generateApp(project, workspace);
  } catch (err) {
    if (err instanceof CodegenError) throw new CliError(`cannot generate project ${project.name}: ${err.message}`, 1);
    throw err;
  }
}

/** Files of dir (posix paths), skipping what a run adds (caches, venvs, .env). */
function listFiles(dir: string, base = dir, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (['__pycache__', '.venv', 'venv', '.pytest_cache', '.ruff_cache', '.mypy_cache', '.hypothesis', '.env', GENERATED_MARKER].includes(name) || name.endsWith('.pyc')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listFiles(p, base, out);
    else out.push(relative(base, p).split('\\').join('/'));
  }
  return out;
}

/** Paths that differ between the app and what is on disk in dir (missing, changed or stale). */
export function diffAgainstDir(app: GeneratedApp, dir: string): string[] {
  if (!existsSync(dir)) return [...app.files.keys()];
  const diffs = new Set<string>();
  for (const [p, content] of app.files) {
    const f = join(dir, ...p.split('/'));
    if (!existsSync(f) || readFileSync(f, 'utf8') !== content) diffs.add(p);
  }
  for (const p of listFiles(dir)) if (!app.files.has(p)) diffs.add(p);
  return [...diffs].sort();
}

export const command: Command = {
  name: 'generate',
  summary: 'generate the FastAPI app of a project (app, Dockerfile, platform configs)',
  usage: `catalyst generate <project name or project directory> [--out dir] [--check] [--json]

Renders the project's app into --out (default build/<project>), replacing a previous generated app there.
  --out dir   where to write the app: a new or empty directory, or one catalyst generate wrote
              (marked by .catalyst-generated); any other directory is refused, untouched
  --check     write nothing; exit 1 when --out differs from what would be generated (CI)
  --json      print {"project", "out", "files", "contentHash"} (and "changed" with --check)`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['out'], booleans: ['check', 'json'] });
    if (args.positionals.length !== 1) throw new CliError('give one project: catalyst generate <project name or directory>');
    const { project, workspace } = loadProjectForCli(args.positionals[0], ctx);
    const app = generateForCli(project, workspace);
    const out = resolve(ctx.cwd, flagString(args, 'out') ?? join('build', project.name));
    const shown = relative(ctx.cwd, out) || '.';
    if (flagBool(args, 'check')) {
      const changed = diffAgainstDir(app, out);
      if (flagBool(args, 'json')) ctx.stdout(`${JSON.stringify({ project: project.name, out: shown, files: app.files.size, contentHash: app.contentHash, changed }, null, 2)}\n`);
      else if (changed.length) ctx.stderr(`${shown} is out of date (${changed.length} file(s) differ: ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? ', …' : ''}); run catalyst generate ${project.name}${flagString(args, 'out') ? ` --out ${flagString(args, 'out')}` : ''}\n`);
      else ctx.stdout(`${shown} is up to date (${app.contentHash.slice(0, 12)})\n`);
      return changed.length ? 1 : 0;
    }
    try {
      writeApp(app, out);
    } catch (err) {
      if (err instanceof CodegenError) throw new CliError(err.message, 1);
      throw err;
    }
    if (flagBool(args, 'json')) {
      ctx.stdout(`${JSON.stringify({ project: project.name, out: shown, files: app.files.size, contentHash: app.contentHash }, null, 2)}\n`);
      return 0;
    }
    const routes = project.workflows.filter((w) => w.trigger.type === 'webhook').length;
    ctx.stdout(`generated ${project.name} → ${shown} (${app.files.size} files, ${routes} route(s), content hash ${app.contentHash.slice(0, 12)})\n`);
    ctx.stdout(`run it: catalyst dev ${project.name}   or: cd ${shown} && python -m app (see README.md)\n`);
    return 0;
  },
};
