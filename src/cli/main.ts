import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UserError } from '../shared/errors.ts';
import { closest } from '../shared/suggest.ts';
import { escapeControls } from '../shared/text.ts';
import type { Command, CommandContext } from './types.ts';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

/**
 * Every module in src/cli/commands exports `command: Command` (or `commands: Command[]`). Discovery by directory listing means
 * adding a command touches only its own file.
 */
export async function loadCommands(): Promise<Map<string, Command>> {
  const files = readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  const commands = new Map<string, Command>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(commandsDir, file)).href)) as { command?: Command; commands?: Command[] };
    for (const c of [...(mod.command ? [mod.command] : []), ...(mod.commands ?? [])]) commands.set(c.name, c);
  }
  return commands;
}

async function loadCommand(name: string): Promise<Command | undefined> {
  const file = join(commandsDir, `${name}.ts`);
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { command?: Command };
  return mod.command?.name === name ? mod.command : undefined;
}

function helpText(commands: Map<string, Command>): string {
  const width = Math.max(...[...commands.keys()].map((n) => n.length));
  const lines = [...commands.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'catalyst: workflow definitions → generated FastAPI apps → Pulumi stacks',
    '',
    'Usage: catalyst <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `catalyst help <command>` for a command\'s options.',
    '',
  ].join('\n');
}

/** `catalyst --version`: Catalyst's version, the Pulumi SDK it pins, and the engine it would run. */
async function versionText(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { readFileSync } = await import('node:fs');
  const { PULUMI_VERSION, MIN_PULUMI_VERSION, resolveEngine, versionProbe } = await import('../pulumi/engine.ts');
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
  let engine: string;
  try {
    const e = resolveEngine(cwd, env);
    const v = e.version ?? versionProbe.read(e.binary) ?? 'unknown';
    engine = `${e.binary} v${v.replace(/^v/, '')} (${e.kind === 'built' ? 'built by scripts/setup-engine.sh' : 'on PATH'}; offline settings ${e.offline ? 'on' : 'off'})`;
  } catch (err) {
    engine = `none usable (${(err as Error).message})`;
  }
  return `catalyst ${pkg.version}\nPulumi SDK @pulumi/pulumi ${PULUMI_VERSION} (needs the pulumi CLI v${MIN_PULUMI_VERSION} or newer)\nPulumi CLI: ${engine}\n`;
}

export async function main(argv: string[], partial: Partial<CommandContext> & { cwd: string }): Promise<number> {
  const ctx: CommandContext = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    ...partial,
  };
  // Every user string the CLI prints goes through here: control characters are escaped (docs/security.md).
  const rawOut = ctx.stdout;
  const rawErr = ctx.stderr;
  ctx.stdout = (t) => rawOut(escapeControls(t));
  ctx.stderr = (t) => rawErr(escapeControls(t));
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    ctx.stdout(await versionText(ctx.cwd, ctx.env));
    return 0;
  }
  // Fast path: `catalyst <name>` loads only src/cli/commands/<name>.ts (the Pulumi SDK and the other
  // commands stay unloaded); help, unknown names and multi-command modules load them all.
  const direct = name && /^[a-z][a-z-]*$/.test(name) ? await loadCommand(name) : undefined;
  const commands = direct ? new Map([[direct.name, direct]]) : await loadCommands();
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    const cmd = topic ? commands.get(topic) : undefined;
    if (topic && !cmd) {
      ctx.stderr(`catalyst: no command "${topic}"\n`);
      return 2;
    }
    ctx.stdout(cmd ? `${cmd.usage.trimEnd()}\n` : helpText(commands));
    return 0;
  }
  const cmd = commands.get(name);
  if (!cmd) {
    const hint = closest(name, commands.keys());
    ctx.stderr(`catalyst: unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}\nRun \`catalyst help\` for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout(`${cmd.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, ctx);
  } catch (err) {
    // The one error boundary: a UserError is the user's to fix (its message, its exit code); anything
    // else is a bug: exit 70, with the detail needed to report it.
    if (err instanceof UserError) {
      ctx.stderr(`catalyst ${name}: ${err.message}\n${err.fix ? `fix: ${err.fix}\n` : ''}`);
      return err.exitCode;
    }
    const e = err as Error;
    ctx.stderr(`catalyst ${name}: internal error: ${e?.message ?? String(err)}\n`);
    if (ctx.env.CATALYST_DEBUG) ctx.stderr(`${e?.stack ?? ''}\n`);
    else ctx.stderr('(set CATALYST_DEBUG=1 for the stack trace, and please report it)\n');
    return 70;
  }
}
