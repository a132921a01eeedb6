/**
 * What the report reads through the Pulumi CLI: the stack list (from `stacks/`), each stack's
 * outputs (`pulumi stack output --json`) and its update history (`pulumi stack history --json`).
 * `--show-secrets` is never passed. When the CLI is missing or fails, callers get a reason, not an
 * exception.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run } from './drift.ts';
import type { DeployEntry, DeployHistory } from './types.ts';

export const STACK_FILE_RE = /^Pulumi\.([A-Za-z0-9][A-Za-z0-9_-]*)\.([A-Za-z0-9][A-Za-z0-9_-]*)\.ya?ml$/;
export const DEPLOYS_SHOWN = 10;
const PULUMI_TIMEOUT_MS = 60_000;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `pulumi` from PATH, else `.tools/pulumi/bin/pulumi` in the repository; null when neither exists. */
export function findPulumi(cwd: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, 'pulumi'))) return join(dir, 'pulumi');
  }
  const local = join(cwd, '.tools', 'pulumi', 'bin', 'pulumi');
  return executable(local) ? local : null;
}

/** Stack names from `stacks/Pulumi.<project>.<env>.yaml`, sorted. */
export function listStackFiles(cwd: string): string[] {
  let files: string[];
  try {
    files = readdirSync(join(cwd, 'stacks'));
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const f of files) {
    const m = STACK_FILE_RE.exec(f);
    if (m) names.add(`${m[1]}.${m[2]}`);
  }
  return [...names].sort();
}

export interface PulumiRunner {
  bin: string | null;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The first line of a CLI error, bounded (Pulumi's own message, never a value we read). */
function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'no error output';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

async function pulumiJson(p: PulumiRunner, args: string[]): Promise<{ data: unknown } | { error: string }> {
  if (!p.bin) return { error: 'pulumi CLI not found (not on PATH, no .tools/pulumi/bin/pulumi)' };
  const r = await run(p.bin, [...args, '--non-interactive'], { cwd: p.cwd, env: p.env, timeoutMs: PULUMI_TIMEOUT_MS });
  if (!r.ok) return { error: `pulumi ${args.slice(0, 2).join(' ')} failed: ${firstLine(r.stderr || r.stdout)}` };
  try {
    return { data: JSON.parse(r.stdout) as unknown };
  } catch {
    return { error: `pulumi ${args.slice(0, 2).join(' ')} printed no JSON` };
  }
}

export async function readStackOutputsWithPulumi(p: PulumiRunner, stack: string): Promise<{ data: unknown } | { error: string }> {
  return pulumiJson(p, ['stack', 'output', '--json', '--stack', stack]);
}

const WORD_RE = /^[a-z][a-z-]{0,30}$/;
const HEX_RE = /^[0-9a-f]{7,64}$/;

function isoOrNull(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/**
 * Parses `pulumi stack history --json` (an array of updates: version, kind, startTime, message,
 * environment, config, result, endTime, resourceChanges). Only the fields the report shows are read;
 * `message` and `config` never are. Newest first, at most DEPLOYS_SHOWN.
 */
export function parseStackHistory(data: unknown): DeployEntry[] {
  if (!Array.isArray(data)) throw new Error('expected a JSON array of updates');
  const out: DeployEntry[] = [];
  for (const u of data) {
    if (typeof u !== 'object' || u === null) continue;
    const o = u as Record<string, unknown>;
    const env = typeof o.environment === 'object' && o.environment !== null ? (o.environment as Record<string, unknown>) : {};
    const changes: Record<string, number> = {};
    if (typeof o.resourceChanges === 'object' && o.resourceChanges !== null) {
      for (const [op, n] of Object.entries(o.resourceChanges as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (WORD_RE.test(op) && typeof n === 'number' && Number.isInteger(n) && n >= 0) changes[op] = n;
      }
    }
    const head = typeof env['git.head'] === 'string' ? env['git.head'].toLowerCase() : null;
    out.push({
      version: typeof o.version === 'number' && Number.isInteger(o.version) ? o.version : null,
      kind: typeof o.kind === 'string' && WORD_RE.test(o.kind) ? o.kind : 'unknown',
      result: typeof o.result === 'string' && WORD_RE.test(o.result) ? o.result : 'in-progress',
      startTime: isoOrNull(o.startTime),
      endTime: isoOrNull(o.endTime),
      commit: head && HEX_RE.test(head) ? head : null,
      dirty: env['git.dirty'] === 'true' ? true : env['git.dirty'] === 'false' ? false : null,
      resourceChanges: changes,
    });
  }
  const key = (e: DeployEntry) => (e.startTime ? Date.parse(e.startTime) : 0);
  return out.sort((a, b) => (b.version ?? 0) - (a.version ?? 0) || key(b) - key(a)).slice(0, DEPLOYS_SHOWN);
}

export async function deployHistory(p: PulumiRunner, stack: string): Promise<DeployHistory> {
  const r = await pulumiJson(p, ['stack', 'history', '--json', '--stack', stack, '--page-size', String(DEPLOYS_SHOWN)]);
  if ('error' in r) return { available: false, reason: r.error, entries: [] };
  try {
    return { available: true, reason: null, entries: parseStackHistory(r.data) };
  } catch (err) {
    return { available: false, reason: `unexpected pulumi stack history output: ${(err as Error).message}`, entries: [] };
  }
}
