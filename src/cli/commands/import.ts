import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { PROJECT_NAME } from '../../definitions/schema.ts';
import { formatReport, importN8n, readExports, writeProject, type ImportReport } from '../../n8n/index.ts';
import { flagBool, flagList, flagString, parseArgs } from '../args.ts';
import { CliError, type Command } from '../types.ts';

/** Exit codes: 0 imported cleanly; 1 not written (errors; see the report); 3 written with stubs or refused exports. */
export const EXIT_PARTIAL = 3;

export const command: Command = {
  name: 'import',
  subcommands: ['n8n'],
  summary: 'import n8n workflow exports as a Catalyst project (with a report of what changed)',
  usage: `catalyst import n8n <file.json|dir>... --project <name> [--into projects/] [--allow-partial]
                [--report <file>] [--json] [--force] [--rewrite-url <from>=<to>]... [--dry-run]

Converts n8n workflow exports (every *.json in a directory) into one project: project.yaml (the secrets
the n8n credentials need) and one workflow per trigger. Files imported together resolve each other's
Execute Workflow nodes by id or name. The result is validated, then moved into <into>/<project> at once;
on any error nothing changes. See docs/n8n-import.md for what maps to what.

  --project <name>        the project to create (lower-case letters, digits, -)
  --into <dir>            the projects directory (default: projects)
  --allow-partial         write even when some nodes cannot be imported: they become stubs that fail at
                          run time with the reason (a code node raising, or a 501 response); exports that
                          cannot be imported at all are left out. Without it, any error writes nothing.
  --report <file>         also write the report: JSON when the file ends in .json, else the summary text
  --json                  print the report as JSON instead of the summary
  --force                 replace an existing project directory
  --rewrite-url <f>=<t>   replace the URL prefix <f> by <t> in HTTP nodes (repeatable; e.g. for tests)
  --dry-run               convert and report, write nothing

Exit codes: 0 imported cleanly; 1 nothing written (errors, see the report); 2 usage error;
3 written, but with stubs or refused exports (--allow-partial).`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['project', 'into', 'report'], multi: ['rewrite-url'], booleans: ['allow-partial', 'json', 'force', 'dry-run'] });
    const [format, ...paths] = args.positionals;
    if (format !== 'n8n') throw new CliError(format ? `unknown import format "${format}" (supported: n8n)` : 'give the format and the files: catalyst import n8n <file.json|dir> --project <name>');
    if (paths.length === 0) throw new CliError('give at least one n8n export (a .json file or a directory of them)');
    const project = flagString(args, 'project');
    if (!project) throw new CliError('--project <name> is required (the project to create)');
    if (!PROJECT_NAME.test(project)) throw new CliError(`project name "${project}" is invalid: lower-case letters, digits and -, 2–40 characters, e.g. support-bot`);
    const rewrites = flagList(args, 'rewrite-url').map((r): [string, string] => {
      const eq = r.indexOf('=');
      if (eq <= 0) throw new CliError(`--rewrite-url takes <from>=<to>, got "${r}"`);
      return [r.slice(0, eq), r.slice(eq + 1)];
    });
    const allowPartial = flagBool(args, 'allow-partial');

    const exports = readExports(paths, ctx.cwd);
    const result = importN8n(exports, project, { allowPartial, urlRewrites: rewrites });
    const report: ImportReport = result.report;
    const into = resolve(ctx.cwd, flagString(args, 'into') ?? 'projects');
    let target: string | undefined;
    if (result.writable && !flagBool(args, 'dry-run')) {
      target = writeProject(into, project, result.files, { force: flagBool(args, 'force') });
      report.written = true;
    }

    const reportFile = flagString(args, 'report');
    if (reportFile) {
      const path = resolve(ctx.cwd, reportFile);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, path.endsWith('.json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, { verbose: true }));
    }
    if (flagBool(args, 'json')) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else ctx.stdout(formatReport(report));

    const s = report.summary;
    if (target) {
      if (!flagBool(args, 'json')) ctx.stdout(`wrote ${relative(ctx.cwd, target) || target} (${s.workflows} workflow(s)); check it with \`catalyst validate ${relative(ctx.cwd, target) || target}\`\n`);
      return s.errors > 0 || s.refused > 0 ? EXIT_PARTIAL : 0;
    }
    if (flagBool(args, 'dry-run')) return s.errors > 0 ? 1 : 0;
    ctx.stderr(
      result.conversion.workflows.length === 0
        ? 'catalyst import: nothing could be imported; nothing written\n'
        : `catalyst import: ${s.errors} error(s); nothing written (fix them, or pass --allow-partial to write stubs that fail at run time)\n`,
    );
    return 1;
  },
};
