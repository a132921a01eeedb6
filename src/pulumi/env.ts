import { loadWorkspaceOrThrow } from '../definitions/load.ts';
import { ensureFileBackend, PulumiError, pulumiEnv, type PulumiRunner } from './pulumi.ts';
import { reapLocalApp, recoverStack } from './recover.ts';
import { listStackFiles, type StackFile } from '../contracts/stack-name.ts';
import { orderStacks } from './stacks.ts';
import { missingPlugin, PluginError, requiredPlugins, type PluginPin } from './plugins.ts';

function pinsOrNone(repo: string): PluginPin[] {
  try {
    return requiredPlugins(repo);
  } catch {
    return [];
  }
}

export type EnvAction = 'up' | 'preview' | 'down' | 'outputs';

export interface EnvOptions {
  repo: string;
  env: string;
  runner: PulumiRunner;
  baseEnv: NodeJS.ProcessEnv;
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  expectNoChanges?: boolean;
  /** Restrict to these projects (still in dependency order). */
  only?: string[];
}

export interface EnvResult {
  ok: boolean;
  order: string[];
  done: string[];
  failed?: string;
  /** Set when pulumi was interrupted (Ctrl-C): the run stopped there. */
  interrupted?: boolean;
  skipped: string[];
  outputs: Record<string, unknown>;
  /** Set when the failure was a provider plugin Pulumi could not obtain (its message is printed). */
  plugin?: PluginError;
}

async function existingStacks(o: EnvOptions): Promise<Set<string>> {
  const env = pulumiEnv(o.repo, undefined, o.baseEnv);
  ensureFileBackend(env, o.repo);
  const r = await o.runner(['stack', 'ls', '--json'], { cwd: o.repo, env });
  if (r.code !== 0) throw new PulumiError(`pulumi stack ls failed: ${r.stderr.trim() || r.stdout.trim()}`);
  const list = JSON.parse(r.stdout || '[]') as { name: string }[];
  return new Set(list.map((s) => s.name.split('/').pop()!));
}

function argsFor(action: EnvAction, stack: string, o: EnvOptions): string[] {
  switch (action) {
    case 'up':
      return ['up', '--yes', '--non-interactive', '--stack', stack];
    case 'preview':
      return ['preview', '--non-interactive', '--stack', stack, ...(o.expectNoChanges ? ['--expect-no-changes'] : [])];
    case 'down':
      return ['destroy', '--yes', '--non-interactive', '--stack', stack];
    case 'outputs':
      return ['stack', 'output', '--json', '--stack', stack];
  }
}

/**
 * Run one Pulumi action over every stack of an environment, in dependency order (callees first; callers
 * first for `down`). Stops at the first failure and says what was done and what was not.
 */
export async function runEnv(action: EnvAction, o: EnvOptions): Promise<EnvResult> {
  const ws = loadWorkspaceOrThrow(o.repo, { base: o.repo });
  let stacks: StackFile[] = orderStacks(listStackFiles(o.repo), ws, o.env);
  if (o.only?.length) stacks = stacks.filter((s) => o.only!.includes(s.project));
  if (action === 'down') stacks = [...stacks].reverse();
  const order = stacks.map((s) => s.name);
  const result: EnvResult = { ok: true, order, done: [], skipped: [], outputs: {} };
  const existing = await existingStacks(o);
  for (const s of stacks) {
    const env = pulumiEnv(o.repo, s.name, o.baseEnv);
    if (!existing.has(s.name)) {
      if (action === 'down' || action === 'outputs') {
        o.stderr(`${s.name}: not deployed (no such stack in the backend); skipped\n`);
        result.skipped.push(s.name);
        continue;
      }
      o.stderr(`${s.name}: creating the stack in the backend\n`);
      const init = await o.runner(['stack', 'init', s.name, '--secrets-provider', 'passphrase', '--non-interactive'], { cwd: o.repo, env });
      if (init.code !== 0) {
        o.stderr(init.stderr || init.stdout);
        result.ok = false;
        result.failed = s.name;
        break;
      }
    }
    if (action !== 'outputs') o.stderr(`\n== ${action} ${s.name}\n`);
    // An earlier pulumi run that was killed may have left a lock and interrupted creates: clear them.
    if ((action === 'up' || action === 'down') && existing.has(s.name) && !(await recoverStack({ runner: o.runner, repo: o.repo, stack: s.name, env, stderr: o.stderr }))) {
      result.ok = false;
      result.failed = s.name;
      break;
    }
    const r = await o.runner(argsFor(action, s.name, o), { cwd: o.repo, env, passthrough: action !== 'outputs', stdout: o.stdout, stderr: o.stderr });
    if (r.code !== 0) {
      if (action === 'outputs') o.stderr(r.stderr);
      result.ok = false;
      result.failed = s.name;
      if (r.interrupted) result.interrupted = true;
      const missing = missingPlugin(`${r.stdout}\n${r.stderr}`, pinsOrNone(o.repo));
      if (missing) result.plugin = new PluginError(missing, '');
      break;
    }
    if (action === 'outputs') result.outputs[s.name] = JSON.parse(r.stdout || '{}');
    if (action === 'down') await reapLocalApp(o.repo, s.name, o.stderr);
    result.done.push(s.name);
  }
  if (action !== 'outputs') {
    const notDone = order.filter((n) => !result.done.includes(n) && n !== result.failed && !result.skipped.includes(n));
    const verb = { up: 'updated', preview: 'previewed', down: 'destroyed', outputs: 'read' }[action];
    o.stderr(`\n${verb}: ${result.done.join(', ') || '(none)'}`);
    if (result.failed) o.stderr(`; ${result.interrupted ? 'INTERRUPTED' : 'FAILED'}: ${result.failed}; not attempted: ${notDone.join(', ') || '(none)'}`);
    o.stderr('\n');
    if (result.plugin) o.stderr(`${result.plugin.message}\n`);
    if (result.interrupted) o.stderr(`run \`catalyst ${action} --env ${o.env}\` again to finish (it clears what the interruption left behind)\n`);
  }
  return result;
}
