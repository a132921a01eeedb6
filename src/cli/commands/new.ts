import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FileSet } from '../../definitions/edit.ts';
import { findRoot, scanWorkspace } from '../../definitions/scan.ts';
import { flagBool, flagString, parseArgs } from '../args.ts';
import {
  checkProjectName,
  checkRoute,
  checkWorkflowName,
  commitOrFail,
  OPEN_NOTE,
  definitionText,
  printChanges,
  projectOrFail,
  REFUSED,
} from '../projects.ts';
import { CliError, subcommands, type Command, type CommandContext } from '../types.ts';

const USAGE = `catalyst new project <name> [--description text] [--public]
catalyst new workflow <project> <name> [--public | --internal] [--path /route] [--method POST] [--description text]

new project   creates projects/<name>/project.yaml and projects/<name>/workflows/
              --public: workflows default to public (defaults.visibility; default internal)
new workflow  creates projects/<project>/workflows/<name>.yaml: a minimal valid workflow with an
              input schema and a respond node that echoes it. Visibility defaults to the project's
              defaults.visibility; a public workflow gets a webhook trigger (default POST /<name>).

Run from the repository (or below it). The whole workspace is validated after writing; when the new
file would not be valid, nothing is written. Exit codes: 0 done, 1 refused (exists, route taken, …),
2 usage error.`;

async function newProject(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['description'], booleans: ['public'] });
  const [name, ...extra] = args.positionals;
  if (!name) throw new CliError(`give the project name\nusage: ${USAGE.split('\n')[0]}`);
  if (extra.length) throw new CliError(`unexpected argument ${JSON.stringify(extra[0])}`);
  checkProjectName(name);
  const root = findRoot(ctx.cwd);
  const dir = join(root, 'projects', name);
  if (existsSync(dir)) throw new CliError(`project "${name}" already exists (${relative(ctx.cwd, dir) || '.'}); choose another name`, REFUSED);
  const files = new FileSet(ctx.cwd);
  files.write(
    join(dir, 'project.yaml'),
    definitionText('../../schemas/project.schema.json', {
      catalyst: 1,
      name,
      description: flagString(args, 'description') ?? '',
      secrets: {},
      env: {},
      defaults: { visibility: flagBool(args, 'public') ? 'public' : 'internal', timeoutMs: 30_000 },
    }),
  );
  // git does not keep empty directories; the placeholder keeps workflows/ in the store.
  files.write(join(dir, 'workflows', '.gitkeep'), '');
  printChanges(ctx, commitOrFail(files, root));
  ctx.stdout(`next: catalyst new workflow ${name} <workflow-name>\n`);
  return 0;
}

async function newWorkflow(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['path', 'method', 'description'], booleans: ['public', 'internal'] });
  const [project, name, ...extra] = args.positionals;
  if (!project || !name) throw new CliError(`give the project and the workflow name\nusage: ${USAGE.split('\n')[1]}`);
  if (extra.length) throw new CliError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (flagBool(args, 'public') && flagBool(args, 'internal')) throw new CliError('give --public or --internal, not both');
  checkWorkflowName(name);
  const root = findRoot(ctx.cwd);
  const ws = scanWorkspace(root, ctx.cwd);
  const p = projectOrFail(ws, project);
  const visibility = flagBool(args, 'public') ? 'public' : flagBool(args, 'internal') ? 'internal' : p.defaultVisibility;
  const existing = ['yaml', 'yml'].map((ext) => join(p.dir, 'workflows', `${name}.${ext}`)).find((f) => existsSync(f));
  if (existing) throw new CliError(`workflow "${project}/${name}" already exists (${relative(ctx.cwd, existing)}); choose another name`, REFUSED);
  const pathFlag = flagString(args, 'path');
  const methodFlag = flagString(args, 'method');
  if (visibility === 'internal' && (pathFlag !== undefined || methodFlag !== undefined)) {
    throw new CliError(`--path and --method are for public workflows; "${project}/${name}" would be internal (add --public)`);
  }
  let trigger: Record<string, string> | undefined;
  if (visibility === 'public') {
    const method = (methodFlag ?? 'POST').toUpperCase();
    const path = pathFlag ?? `/${name}`;
    checkRoute(p, method, path);
    trigger = { type: 'webhook', method, path };
  }
  const file = join(p.dir, 'workflows', `${name}.yaml`);
  const files = new FileSet(ctx.cwd);
  files.write(
    file,
    definitionText('../../../schemas/workflow.schema.json', {
      catalyst: 1,
      name,
      description: flagString(args, 'description') ?? '',
      visibility,
      ...(trigger ? { trigger } : {}),
      ...(trigger && !p.defaultAuth ? { auth: 'none' } : {}),
      input: {
        type: 'object',
        properties: { message: { type: 'string', description: 'any text; the workflow echoes it' } },
        required: ['message'],
      },
      nodes: [{ id: 'reply', type: 'respond', body: { message: '{{ input.message }}' } }],
    }, [['input', 'properties', 'message']]),
  );
  printChanges(ctx, commitOrFail(files, root));
  ctx.stdout(trigger ? `${visibility}: ${trigger.method} ${trigger.path}\n` : `${visibility}: call it from ${project} with \`workflow: ${name}\`\n`);
  if (trigger && !p.defaultAuth) ctx.stdout(OPEN_NOTE);
  return 0;
}

export const command: Command = {
  name: 'new',
  summary: 'create a project or a workflow (valid files, ready to edit)',
  usage: USAGE,
  ...subcommands(
    { project: newProject, workflow: newWorkflow },
    (what) => `${what === undefined ? 'say what to create' : `cannot create ${JSON.stringify(what)}`}: project or workflow\nusage:\n${USAGE.split('\n').slice(0, 2).join('\n')}`,
  ),
};
