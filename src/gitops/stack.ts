/**
 * What the GitOps commands need around one stack: validating its name, its config file, its target,
 * and a Pulumi runner (injectable for tests, like the engine commands' `runnerFactory`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { pulumiEnv, runnerFactory } from '../pulumi/pulumi.ts';
import type { PulumiAccess } from '../pulumi/history.ts';
import { listStackFiles, STACK_NAME_RE, StackError } from '../contracts/stack-name.ts';

/** The shared runner seam of src/pulumi/pulumi.ts (tests replace `create`). */
export const gitopsRunner = runnerFactory;

/** Checks `<project>.<env>`; the error lists the stacks that exist. */
export function checkStackName(repo: string, stack: string | undefined): { stack: string; project: string; env: string } {
  const known = listStackFiles(repo).map((s) => s.name);
  const list = known.length ? `stacks here: ${known.join(', ')}` : 'no stacks/Pulumi.<project>.<env>.yaml files here yet';
  if (!stack) throw new StackError(`name a stack, e.g. support-bot.prod (${list})`);
  const m = STACK_NAME_RE.exec(stack);
  if (!m) throw new StackError(`"${stack}" is not a stack name: stacks are named <project>.<env>, e.g. support-bot.prod (${list})`);
  return { stack, project: m[1], env: m[2] };
}

/** Path of stacks/Pulumi.<stack>.yaml (or .yml), or null when there is none. */
export function stackConfigFile(repo: string, stack: string): string | null {
  for (const ext of ['yaml', 'yml']) {
    const f = join(repo, 'stacks', `Pulumi.${stack}.${ext}`);
    if (existsSync(f)) return f;
  }
  return null;
}

/** `catalyst:target` from a stack config file, or null (missing file, key or unreadable YAML). */
export function stackTarget(file: string | null): string | null {
  if (!file) return null;
  try {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> } | null;
    const t = doc?.config?.['catalyst:target'];
    return typeof t === 'string' ? t : null;
  } catch {
    return null;
  }
}

/** Runner + environment for Pulumi on one stack of the repository. */
export function pulumiAccess(repo: string, stack: string | undefined, baseEnv: NodeJS.ProcessEnv): PulumiAccess {
  return { runner: gitopsRunner.create(repo, baseEnv), repo, env: pulumiEnv(repo, stack, baseEnv) };
}
