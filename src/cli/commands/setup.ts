import { offlineNotice, resolveEngine, versionProbe } from '../../pulumi/engine.ts';
import { installPlugins, requiredPlugins } from '../../pulumi/plugins.ts';
import { pulumiEnv, runnerFactory } from '../../pulumi/pulumi.ts';
import { parseArgs } from '../args.ts';
import { CliError, type Command } from '../types.ts';

export const command: Command = {
  name: 'setup',
  summary: 'install the Pulumi provider plugins the program needs, at the versions package.json pins',
  usage: `catalyst setup

Finds the Pulumi CLI (docs/engine.md, "Which engine"), then runs
\`pulumi plugin install resource <name> <version>\` for every provider plugin of the @pulumi/* packages
in package.json, at the pinned versions. Pulumi also fetches a missing plugin on first use; this
command does it up front (for example before going offline). Where a plugin cannot be obtained it
names the plugin, its version and the command that gets it.`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: [], booleans: [] });
    if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}"`);
    const engine = resolveEngine(ctx.cwd, ctx.env);
    const version = engine.version ?? versionProbe.read(engine.binary) ?? 'unknown version';
    ctx.stdout(`Pulumi CLI: ${engine.binary} (v${version.replace(/^v/, '')}${engine.kind === 'built' ? ', built by scripts/setup-engine.sh' : ''})\n`);
    const notice = offlineNotice(ctx.cwd, engine, ctx.env);
    if (notice) ctx.stderr(notice);
    const plugins = requiredPlugins(ctx.cwd);
    ctx.stdout(`Provider plugins (${plugins.map((p) => `${p.name} ${p.version}`).join(', ')}):\n`);
    const failed = await installPlugins({ runner: runnerFactory.create(ctx.cwd, ctx.env), repo: ctx.cwd, env: pulumiEnv(ctx.cwd, undefined, ctx.env), plugins, stdout: ctx.stdout });
    if (failed.length) throw new CliError(failed.map((e) => e.message).join('\ncatalyst setup: '), 1);
    ctx.stdout(`ready: ${plugins.map((p) => `${p.name} ${p.version}`).join(', ')} (\`pulumi plugin ls\` lists them)\n`);
    return 0;
  },
};
