/**
 * Problems of a stack config, and how each is fixed: the exact `pulumi config` command, the message
 * that lists them all, and the error the program throws with them (src/infra/config.ts finds them).
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';

export interface ConfigProblem {
  /** `catalyst:<key>` the problem is about, or null for the stack as a whole. */
  key: string | null;
  message: string;
  /** The command (or edit) that fixes it. */
  fix?: string;
}

/**
 * Thrown by the program when the stack config has problems; the message lists them all. A
 * `pulumi.RunError`, so Pulumi prints the message without a stack trace.
 */
export class StackConfigError extends pulumi.RunError {
  readonly problems: ConfigProblem[];
  constructor(stack: string, problems: ConfigProblem[]) {
    super(formatProblems(stack, problems));
    this.name = 'StackConfigError';
    this.problems = problems;
  }
}

export function formatProblems(stack: string, problems: ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.key ? `${p.key}: ` : ''}${p.message}${p.fix ? `\n      fix: ${p.fix}` : ''}`);
  return `stack ${stack}: ${problems.length} problem(s) in the stack config (stacks/Pulumi.${stack}.yaml):\n${lines.join('\n')}`;
}

/** The shortest secret the generated app accepts (it could not redact a shorter one safely). */
export const MIN_SECRET_LENGTH = 8;

/** A secret key set in plain text: remove it, then set it with --secret. */
export function plainTextSecretProblem(stack: string, key: string): ConfigProblem {
  return { key: `catalyst:${key}`, message: 'is a secret, but the stack config holds it in plain text', fix: `pulumi config rm catalyst:${key} --stack ${stack}; ${setSecretCommand(stack, key)}` };
}

/** A secret value shorter than MIN_SECRET_LENGTH (only its length is known here, never the value). */
export function shortSecretProblem(stack: string, key: string): ConfigProblem {
  return {
    key: `catalyst:${key}`,
    message: `is shorter than ${MIN_SECRET_LENGTH} characters: the app could not redact it from logs and responses safely, and would refuse to start`,
    fix: `${setSecretCommand(stack, key)} (enter a value of at least ${MIN_SECRET_LENGTH} characters)`,
  };
}

/** `pulumi config set` for a plain key. */
export function setCommand(stack: string, key: string, value = '<value>'): string {
  return `pulumi config set catalyst:${key} ${value} --stack ${stack}`;
}

/** `pulumi config set --secret` for a secret (no value on the command line: Pulumi prompts for it). */
export function setSecretCommand(stack: string, name: string): string {
  return `pulumi config set --secret catalyst:${name} --stack ${stack}`;
}

/** The `catalyst:` keys a zod object schema declares (none for other schema kinds). */
export function schemaKeys(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function describeIssue(iss: z.core.$ZodIssue): string {
  if (iss.code === 'unrecognized_keys') return `unknown key(s) ${iss.keys.join(', ')}`;
  return iss.message;
}

/** zod issues of an object of options → problems keyed `catalyst:<path>`. */
export function issuesToProblems(stack: string, issues: readonly z.core.$ZodIssue[], hint?: (key: string) => string | undefined): ConfigProblem[] {
  return issues.map((iss) => {
    const path = iss.path.map(String);
    const key = path.length ? `catalyst:${path.join('.')}` : null;
    const top = path[0];
    const message = describeIssue(iss);
    let fix: string | undefined;
    if (iss.code === 'unrecognized_keys') fix = iss.keys.map((k) => `pulumi config rm catalyst:${k} --stack ${stack}`).join('; ');
    else if (top !== undefined) {
      if (message.includes('--secret')) fix = setSecretCommand(stack, top);
      else if (path.length > 1) fix = `pulumi config set --path 'catalyst:${path.join('.')}' <value> --stack ${stack}`;
      else fix = setCommand(stack, top, hint?.(top) ?? '<value>');
    }
    return { key, message, ...(fix ? { fix } : {}) };
  });
}
