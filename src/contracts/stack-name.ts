/**
 * Stack names and stack config files: a stack is `<project>.<env>` (e.g. `support-bot.prod`) and its
 * config lives in `stacks/Pulumi.<project>.<env>.yaml` (`stackConfigDir: stacks` in Pulumi.yaml).
 * Every stage that names, lists or parses stacks uses this file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../shared/errors.ts';

/** A project name as it appears in a stack name (lower-case letters, digits and `-`). */
const PROJECT = '[a-z][a-z0-9-]*';
/** An environment name (letters, digits, `_` and `-`). */
const ENV = '[A-Za-z0-9_-]+';

/** `<project>.<env>`; groups 1 and 2 are the project and the environment. */
export const STACK_NAME_RE = new RegExp(`^(${PROJECT})\\.(${ENV})$`);
/** `Pulumi.<project>.<env>.yaml` (or `.yml`); groups 1 and 2 are the project and the environment. */
export const STACK_FILE_RE = new RegExp(`^Pulumi\\.(${PROJECT})\\.(${ENV})\\.ya?ml$`);
/** The same file as a repository path (`stacks/Pulumi.<project>.<env>.yaml`). */
export const STACK_PATH_RE = new RegExp(`^stacks/${STACK_FILE_RE.source.slice(1)}`);

/** What the message of a bad stack name says a stack name is. */
export const STACK_NAME_RULE = 'the project is lower-case letters, digits and -, the environment letters, digits, _ and -';

/** A stack name or the stacks of an environment are not usable (bad name, missing stack, a call cycle). */
export class StackError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'StackError';
  }
}

export interface StackFile {
  /** `<project>.<env>` */
  name: string;
  project: string;
  env: string;
  /** The config file: absolute, or relative to `base` when one was given. */
  file: string;
}

/** The project and environment of a stack name, or null when it is not `<project>.<env>`. */
export function parseStackName(name: string): { project: string; env: string } | null {
  const m = STACK_NAME_RE.exec(name);
  return m ? { project: m[1], env: m[2] } : null;
}

/** Stacks declared in `<root>/stacks/Pulumi.<project>.<env>.yaml`, sorted by name. */
export function listStackFiles(root: string, base?: string): StackFile[] {
  const dir = join(root, 'stacks');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => STACK_FILE_RE.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const file = join(dir, m[0]);
      return { name: `${m[1]}.${m[2]}`, project: m[1], env: m[2], file: base === undefined ? file : relative(base, file) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
