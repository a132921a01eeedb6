import { CliError } from './types.ts';
import { closest } from '../shared/suggest.ts';

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | string[]>;
}

export interface FlagSpec {
  /** Flags that take a value (`--out dir` or `--out=dir`). */
  values?: string[];
  /** Flags that may be repeated; their values collect into an array. */
  multi?: string[];
  /** Boolean flags (`--json`). */
  booleans?: string[];
}

/** A small, strict argv parser: unknown flags are errors (with a suggestion), never ignored. */
export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const values = new Set([...(spec.values ?? []), ...(spec.multi ?? [])]);
  const multi = new Set(spec.multi ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const out: ParsedArgs = { positionals: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (booleans.has(name)) {
      if (eq !== -1) throw new CliError(`--${name} takes no value`);
      out.flags[name] = true;
      continue;
    }
    if (values.has(name)) {
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        i++;
      }
      if (value === undefined || (eq === -1 && value.startsWith('--'))) {
        throw new CliError(`--${name} needs a value`);
      }
      if (multi.has(name)) {
        const prev = out.flags[name];
        out.flags[name] = [...(Array.isArray(prev) ? prev : []), value];
      } else out.flags[name] = value;
      continue;
    }
    const known = [...values, ...booleans];
    const hint = closest(name, known);
    throw new CliError(`unknown option --${name}${hint ? ` (did you mean --${hint}?)` : ''}`);
  }
  return out;
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

export function flagList(args: ParsedArgs, name: string): string[] {
  const v = args.flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
