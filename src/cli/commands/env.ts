import { runEnv, type EnvAction } from '../../pulumi/env.ts';
import { offlineNotice, tryResolveEngine } from '../../pulumi/engine.ts';
import { MIN_PULUMI_VERSION, runnerFactory } from '../../pulumi/pulumi.ts';
import { flagBool, flagList, flagString, parseArgs } from '../args.ts';
import { CliError, type Command, type CommandContext } from '../types.ts';

/** Tests replace the runner (src/pulumi/pulumi.ts); the CLI uses the real engine. */
export { runnerFactory };

const SUMMARY: Record<EnvAction, string> = {
  up: 'pulumi up every stack of an environment, callees first',
  preview: 'pulumi preview every stack of an environment',
  down: 'pulumi destroy every stack of an environment, callers first',
  outputs: 'stack outputs of every stack of an environment, as one JSON object',
};

function envCommand(action: EnvAction): Command {
  const extra = action === 'preview' ? ' [--expect-no-changes]' : action === 'outputs' ? ' [--json]' : '';
  return {
    name: action,
    summary: SUMMARY[action],
    usage: `catalyst ${action} --env <env> [--project <name> …]${extra}

Runs over the stacks stacks/Pulumi.<project>.<env>.yaml in dependency order (projects called over HTTP
deploy before their callers${action === 'down' ? '; destroy runs in reverse' : ''}). Uses the \`pulumi\` on PATH
(v${MIN_PULUMI_VERSION} or newer, with its language host beside it), else the engine scripts/setup-engine.sh
built (then with the offline settings: docs/engine.md); the file backend in .pulumi-state unless
PULUMI_BACKEND_URL is set; and for *.local stacks the documented development passphrase.`,
    async run(argv: string[], ctx: CommandContext) {
      const booleans = action === 'preview' ? ['expect-no-changes'] : action === 'outputs' ? ['json'] : [];
      const args = parseArgs(argv, { values: ['env'], multi: ['project'], booleans });
      const env = flagString(args, 'env');
      if (!env) throw new CliError(`--env is required, e.g. catalyst ${action} --env local`);
      if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}"`);
      const runner = runnerFactory.create(ctx.cwd, ctx.env);
      const engine = tryResolveEngine(ctx.cwd, ctx.env);
      const notice = engine && offlineNotice(ctx.cwd, engine, ctx.env);
      if (notice && action !== 'outputs') ctx.stderr(notice);
      const r = await runEnv(action, {
        repo: ctx.cwd,
        env,
        runner,
        baseEnv: ctx.env,
        stdout: ctx.stdout,
        stderr: ctx.stderr,
        expectNoChanges: flagBool(args, 'expect-no-changes'),
        only: flagList(args, 'project'),
      });
      if (action === 'outputs') ctx.stdout(`${JSON.stringify(r.outputs, null, 2)}\n`);
      return r.ok ? 0 : r.interrupted ? 130 : 1;
    },
  };
}

export const commands: Command[] = (['up', 'preview', 'down', 'outputs'] as const).map(envCommand);
