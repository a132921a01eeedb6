import { relative } from 'node:path';
import { FileSet } from '../../definitions/edit.ts';
import { callersOf, findRoot, formatCallSite, scanWorkspace } from '../../definitions/scan.ts';
import { flagBool, parseArgs } from '../args.ts';
import { commitOrFail, printChanges, projectOrFail, REFUSED } from '../projects.ts';
import { CliError, subcommands, type Command, type CommandContext } from '../types.ts';
import { rename, RENAME, RENAME_HELP } from './project-rename.ts';

const DELETE = 'catalyst project delete <name> [--force]';

const USAGE = `${DELETE}
${RENAME}

delete  deletes projects/<name>/ (its project.yaml and workflows). Refused while something still
        refers to the project: its stacks (stacks/Pulumi.<name>.<env>.yaml, i.e. cloud resources that
        may still exist) or workflows of other projects that call it. Destroy the stacks first
        (pulumi destroy -s <name>.<env>, then delete the stack file) and change the callers.
  --force   delete anyway. Stack files are never deleted: the resources they describe must be
            destroyed with \`pulumi destroy\` first. The stacks and callers left dangling are listed;
            \`catalyst validate\` reports the callers until they are fixed.
${RENAME_HELP}
Exit codes: 0 done, 1 refused, 2 usage error.`;

async function del(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { booleans: ['force'] });
  const [name, ...extra] = args.positionals;
  if (!name || extra.length) throw new CliError(`usage: ${DELETE}`);
  const force = flagBool(args, 'force');
  const root = findRoot(ctx.cwd);
  const ws = scanWorkspace(root, ctx.cwd);
  const p = projectOrFail(ws, name);
  const stacks = ws.stacks.filter((s) => s.project === name);
  const callers = callersOf(ws, name).filter((c) => c.project !== name);
  const stackLines = stacks.map((s) => `  stack ${s.name} (${s.file}): destroy it with \`pulumi destroy -s ${s.name}\`, then delete ${s.file}`);
  const callerLines = callers.map((c) => `  ${formatCallSite(c)}`);
  if ((stacks.length || callers.length) && !force) {
    const parts = [`cannot delete project "${name}": it is still referenced`];
    if (stacks.length) parts.push(`stacks (their resources may still be deployed):\n${stackLines.join('\n')}`);
    if (callers.length) parts.push(`callers in other projects:\n${callerLines.join('\n')}`);
    parts.push('resolve these first, or pass --force to delete the project anyway (stack files are kept)');
    throw new CliError(parts.join('\n'), REFUSED);
  }
  const files = new FileSet(ctx.cwd).deleteDir(p.dir);
  const callerFiles = new Set(callers.map((c) => c.file));
  // Problems this deletion is allowed to cause: the callers it was forced past, and an empty workspace.
  const changes = commitOrFail(files, root, { ignore: (d) => callerFiles.has(d.file) || d.message.startsWith('no projects found') });
  printChanges(ctx, changes);
  if (stacks.length) {
    ctx.stdout(`stacks of "${name}" are left in place (their cloud resources are not deleted):\n${stackLines.join('\n')}\n`);
  }
  if (callers.length) {
    ctx.stdout(`these callers now call a project that does not exist; \`catalyst validate\` reports them until they are changed:\n${callerLines.join('\n')}\n`);
  }
  if (!stacks.length && !callers.length) ctx.stdout(`project "${name}" deleted (${relative(ctx.cwd, p.dir)}); \`git status\` shows the change\n`);
  return 0;
}

export const command: Command = {
  name: 'project',
  summary: 'delete or rename a project (callers and stacks follow a rename; refused while deployed)',
  usage: USAGE,
  ...subcommands({ delete: del, rename }, (what) => `${what === undefined ? 'say what to do' : `unknown action ${JSON.stringify(what)}`}: delete, rename\nusage: ${DELETE}\n       ${RENAME}`),
};
