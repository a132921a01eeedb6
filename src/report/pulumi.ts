/**
 * What the report reads through the Pulumi CLI: the stack list (from `stacks/`), each stack's
 * outputs (`pulumi stack output --json`) and its update history (`pulumi stack history --json`).
 * The binary, its environment (state backend, offline settings), the runner that runs it
 * (readOnlyRunner) and the stack list are Catalyst's shared ones (src/pulumi); the history is parsed by
 * src/pulumi/history.ts. `--show-secrets` is
 * never passed. Every call has a hard timeout; when the CLI is missing or fails, callers get a
 * reason, not an exception.
 */
import { pulumiBinary, pulumiEnv, readOnlyRunner } from '../pulumi/pulumi.ts';
import { parseHistory } from '../pulumi/history.ts';
import type { DeployEntry, DeployHistory } from './types.ts';
import { firstLine } from '../shared/text.ts';

export const DEPLOYS_SHOWN = 10;
const PULUMI_TIMEOUT_MS = 60_000;

/** The repository's pinned engine (.tools/pulumi/bin/pulumi), else `pulumi` from PATH; null when neither exists. */
export function findPulumi(cwd: string, env: NodeJS.ProcessEnv): string | null {
  try {
    return pulumiBinary(cwd, env);
  } catch {
    return null;
  }
}

/** The Pulumi CLI the report reads through (src/pulumi runs it): its binary (null: not found), the repository, the environment. */
export interface PulumiCli {
  bin: string | null;
  cwd: string;
  env: NodeJS.ProcessEnv;
}


async function pulumiJson(p: PulumiCli, stack: string, args: string[]): Promise<{ data: unknown } | { error: string }> {
  if (!p.bin) return { error: 'pulumi CLI not found (no .tools/pulumi/bin/pulumi, not on PATH)' };
  const r = await readOnlyRunner(p.bin, PULUMI_TIMEOUT_MS)([...args, '--stack', stack, '--non-interactive'], { cwd: p.cwd, env: pulumiEnv(p.cwd, stack, p.env) });
  if (r.code !== 0) return { error: `pulumi ${args.slice(0, 2).join(' ')} failed: ${firstLine(r.stderr || r.stdout, { max: 200, empty: 'no error output', keepLabel: true })}` };
  try {
    return { data: JSON.parse(r.stdout) as unknown };
  } catch {
    return { error: `pulumi ${args.slice(0, 2).join(' ')} printed no JSON` };
  }
}

export async function readStackOutputsWithPulumi(p: PulumiCli, stack: string): Promise<{ data: unknown } | { error: string }> {
  return pulumiJson(p, stack, ['stack', 'output', '--json']);
}

/**
 * `pulumi stack history --json` (an array of updates: version, kind, startTime, message, environment,
 * config, result, endTime, resourceChanges) → the entries the report shows, newest first, at most
 * DEPLOYS_SHOWN. Only version, kind, result, times, `git.head`, `git.dirty` and resource-change
 * counts are kept.
 */
export function parseStackHistory(data: unknown): DeployEntry[] {
  return parseHistory(data)
    .slice(0, DEPLOYS_SHOWN)
    .map((d) => ({
      version: d.stackVersion,
      kind: d.kind,
      result: d.result,
      startTime: d.startTime,
      endTime: d.endTime,
      commit: d.git.commit,
      dirty: d.git.dirty,
      ...(d.author ? { author: d.author } : {}),
      resourceChanges: d.resourceChanges,
    }));
}

export async function deployHistory(p: PulumiCli, stack: string): Promise<DeployHistory> {
  const r = await pulumiJson(p, stack, ['stack', 'history', '--json', '--page-size', String(DEPLOYS_SHOWN)]);
  if ('error' in r) return { available: false, reason: r.error, entries: [] };
  try {
    return { available: true, reason: null, entries: parseStackHistory(r.data) };
  } catch (err) {
    return { available: false, reason: (err as Error).message, entries: [] };
  }
}
