import { UserError } from '../shared/errors.ts';

/** The contract every CLI command implements. Commands are thin: parse args, call the library, print. */
export interface CommandContext {
  /** Working directory the command acts on (injectable for tests). */
  cwd: string;
  /** Standard output / error writers (injectable for tests). */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment variables (injectable for tests). */
  env: NodeJS.ProcessEnv;
  /** True when stdout is an interactive terminal (progress output). */
  isTTY: boolean;
  /** Aborted on SIGINT/SIGTERM for long-running commands (monitor, dev). */
  signal?: AbortSignal;
}

export interface Command {
  /** First word on the command line, e.g. `validate` or `new`. */
  name: string;
  /** One line for `catalyst help`. */
  summary: string;
  /** Full usage text for `catalyst help <name>` and `--help`. */
  usage: string;
  /** The words that may follow the command's name (`stack init`), when it has subcommands. */
  subcommands?: string[];
  /** Returns the process exit code. Throws a UserError (src/shared/errors.ts) for what the user can fix. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/** A user error found by a command itself (a bad flag, a refused change); a usage error (exit 2) unless said otherwise. */
export class CliError extends UserError {
  constructor(message: string, exitCode = 2) {
    super(message, { exitCode });
    this.name = 'CliError';
  }
}

type Run = (args: string[], ctx: CommandContext) => Promise<number>;

/**
 * The `subcommands` and `run` of a command made of subcommands: `run` hands the rest of the line to
 * the subcommand named first, else throws the usage error `unknown(word)` says (word: undefined when
 * none was given).
 */
export function subcommands(handlers: Record<string, Run>, unknown: (word: string | undefined) => string): Pick<Command, 'subcommands' | 'run'> {
  return {
    subcommands: Object.keys(handlers),
    async run(argv, ctx) {
      const [word, ...rest] = argv;
      if (word !== undefined && Object.hasOwn(handlers, word)) return handlers[word](rest, ctx);
      throw new CliError(unknown(word));
    },
  };
}
