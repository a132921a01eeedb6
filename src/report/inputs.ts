/**
 * Where the stacks come from: an outputs file (`--outputs`, for CI and tests), or the Pulumi CLI for
 * the stacks in `stacks/` (or those named with `--stack`). Also collects deployment histories.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { emptyStack, isStackName, readOutputsMap, readStackOutputs, splitStackName } from './contract.ts';
import { mapLimit } from './probe.ts';
import { listStackFiles } from '../contracts/stack-name.ts';
import { deployHistory, type PulumiCli, readStackOutputsWithPulumi } from './pulumi.ts';
import type { DeployHistory, StackInfo } from './types.ts';
import { InputError } from './errors.ts';


export interface StackSelection {
  cwd: string;
  /** `--outputs <file.json>`, as the user wrote it (resolved against cwd; messages show it as given). */
  outputsFile?: string;
  /** `--stack` names; empty = every stack (file keys, or stacks/). */
  stacks: readonly string[];
  /** `--env`: keep only stacks of this environment. */
  env?: string;
  pulumi: PulumiCli;
  /** Pulumi CLI calls at once. */
  concurrency?: number;
}

export const PULUMI_CONCURRENCY = 8;

function readOutputsFile(cwd: string, file: string): StackInfo[] {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch {
    throw new InputError(`cannot read the outputs file ${file} (check the --outputs path)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return readOutputsMap(data);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${file}: ${err.message}`);
    throw err;
  }
}

export async function loadStacks(sel: StackSelection): Promise<StackInfo[]> {
  const bad = sel.stacks.filter((s) => !isStackName(s) || !s.includes('.'));
  if (bad.length) throw new InputError(`invalid stack name ${JSON.stringify(bad[0])}: expected <project>.<env>, e.g. support-bot.prod`);
  const envOk = (name: string) => !sel.env || splitStackName(name).env === sel.env;
  let infos: StackInfo[];
  if (sel.outputsFile) {
    const all = readOutputsFile(sel.cwd, sel.outputsFile);
    if (sel.stacks.length) {
      const have = new Set(all.map((s) => s.name));
      const missing = sel.stacks.filter((s) => !have.has(s));
      if (missing.length) throw new InputError(`stack ${missing[0]} is not in ${sel.outputsFile} (it has: ${[...have].slice(0, 10).join(', ') || 'no stacks'})`);
      const wanted = new Set(sel.stacks);
      infos = all.filter((s) => wanted.has(s.name));
    } else infos = all;
    infos = infos.filter((s) => envOk(s.name));
  } else {
    const names = (sel.stacks.length ? [...new Set(sel.stacks)].sort() : listStackFiles(sel.cwd).map((s) => s.name)).filter(envOk);
    if (names.length && !sel.pulumi.bin) {
      throw new InputError('the pulumi CLI is needed to read stack outputs and was not found (no .tools/pulumi/bin/pulumi, not on PATH): run scripts/setup-engine.sh or install pulumi, or pass --outputs <file.json>');
    }
    infos = await mapLimit(names, sel.concurrency ?? PULUMI_CONCURRENCY, async (name) => {
      const r = await readStackOutputsWithPulumi(sel.pulumi, name);
      return 'error' in r ? emptyStack(name, `stack outputs unavailable: ${r.error}`) : readStackOutputs(name, r.data);
    });
  }
  if (infos.length === 0) {
    const where = sel.outputsFile ? `in ${sel.outputsFile}` : 'in stacks/ (no Pulumi.<project>.<env>.yaml files)';
    throw new InputError(`no stacks to report on ${where}${sel.env ? ` for env "${sel.env}"` : ''}; pass --stack <project>.<env> or --outputs <file.json>`);
  }
  return infos;
}

/** Deployment history of every stack (bounded concurrency); never throws. */
export async function loadDeploys(pulumi: PulumiCli, names: readonly string[], concurrency = PULUMI_CONCURRENCY): Promise<Map<string, DeployHistory>> {
  const list = await mapLimit(names, concurrency, (n) => deployHistory(pulumi, n));
  return new Map(names.map((n, i) => [n, list[i]]));
}
