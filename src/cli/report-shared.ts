/**
 * What `catalyst report` and `catalyst monitor` share: their flags, turning them into settings, and
 * running one round (probe → history → write report files) with terminal progress.
 */
import { isAbsolute, join, relative } from 'node:path';
import { DriftResolver, repoState } from '../report/drift.ts';
import { HistoryStore } from '../report/history.ts';
import { loadDeploys, loadStacks, type StackSelection } from '../report/inputs.ts';
import { findPulumi, type PulumiCli } from '../report/pulumi.ts';
import { writeReport, type WrittenFiles } from '../report/render.ts';
import { type Report, runRound, type Summary } from '../report/report.ts';
import { loadSettingsFile, mergeSettings, parseDuration, type ReportSettings, type SettingsFile } from '../report/settings.ts';
import type { DeployHistory, StackInfo, Status } from '../report/types.ts';
import { type FlagSpec, flagBool, flagList, flagString, type ParsedArgs, parseArgs } from './args.ts';
import { UserError } from '../shared/errors.ts';
import { CliError, type CommandContext } from './types.ts';

export const DEFAULT_OUT_DIR = join('.catalyst', 'report');
export const DEFAULT_HISTORY = join('.catalyst', 'history.jsonl');

export const COMMON_FLAGS: Required<Pick<FlagSpec, 'values' | 'multi' | 'booleans'>> = {
  values: ['outputs', 'env', 'out', 'history', 'config', 'timeout', 'slow', 'error-rate', 'min-requests', 'samples', 'concurrency', 'fail-on'],
  multi: ['stack'],
  booleans: ['no-deploys', 'no-history'],
};

export const COMMON_USAGE = `Stacks (default: every stacks/Pulumi.<project>.<env>.yaml, outputs read with the pulumi CLI):
  --stack <project.env>    only this stack (repeatable)
  --env <env>              only stacks of this environment
  --outputs <file.json>    read outputs from a file { "<stack>": <outputs> } instead of pulumi

Output:
  --out <dir>              where index.html, report.json, report.md go (default ${DEFAULT_OUT_DIR})
  --history <file>         probe history file (default ${DEFAULT_HISTORY})
  --no-history             do not read or write the history file
  --no-deploys             skip \`pulumi stack history\` (deployment history shows "unavailable")
  --fail-on <level>        exit 1 when a stack is down (down) or down/degraded (degraded);
                           default never: the exit code does not depend on status

Probing and thresholds (flags override --config <file.yaml|json>):
  --timeout <dur>          per-request deadline (default 5s; bare number = ms)
  --slow <dur>             median /health latency above this is degraded (default 1s)
  --error-rate <percent>   /metrics error rate above this is degraded (default 5)
  --min-requests <n>       ignore the error rate below this many requests (default 20)
  --samples <n>            /health samples per stack (default 3)
  --concurrency <n>        stacks probed at once (default 64)
`;

export type FailOn = 'never' | 'down' | 'degraded';

export interface ReportCliOptions {
  selection: StackSelection;
  settings: ReportSettings;
  outDir: string;
  historyPath: string | null;
  deploys: boolean;
  failOn: FailOn;
}

function resolvePath(cwd: string, p: string): string {
  return isAbsolute(p) ? p : join(cwd, p);
}

function intFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max} (got "${v}")`);
  return Number(v);
}

function durationFlag(args: ParsedArgs, name: string, bareUnit: 'ms' | 's', min: number, max: number): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const ms = parseDuration(v, bareUnit);
  if (ms === null || ms < min || ms > max) {
    throw new CliError(`--${name} must be a duration from ${min} ms to ${max / 1000} s, e.g. 500ms, 5s or 2m (got "${v}")`);
  }
  return ms;
}

/** How `monitor` and `dashboard` stop: ctx.signal when given; otherwise one aborted by SIGINT/SIGTERM (handlers removed by dispose). */
export function stopSignal(ctx: CommandContext): { signal: AbortSignal; dispose: () => void } {
  if (ctx.signal) return { signal: ctx.signal, dispose: () => {} };
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/** Resolves when {@link stopSignal} aborts (its handlers removed). */
export async function waitForStop(ctx: CommandContext): Promise<void> {
  const { signal, dispose } = stopSignal(ctx);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  dispose();
}

/** `--interval <dur>` of `monitor` and `dashboard`: 10ms to 24h, a bare number is seconds. */
export function intervalFlag(args: ParsedArgs, defaultMs: number): number {
  const text = flagString(args, 'interval');
  const ms = text === undefined ? defaultMs : parseDuration(text, 's');
  if (ms === null || ms < 10 || ms > 86_400_000) throw new CliError(`--interval must be a duration from 10ms to 24h, e.g. 30s or 5m (got "${text}")`);
  return ms;
}

export function parseCommon(argv: string[], ctx: CommandContext, extra: FlagSpec = {}): { args: ParsedArgs; options: ReportCliOptions } {
  const args = parseArgs(argv, {
    values: [...COMMON_FLAGS.values, ...(extra.values ?? [])],
    multi: [...COMMON_FLAGS.multi, ...(extra.multi ?? [])],
    booleans: [...COMMON_FLAGS.booleans, ...(extra.booleans ?? [])],
  });
  if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}" (stacks are named with --stack <project.env>)`);
  const failOn = flagString(args, 'fail-on') ?? 'never';
  if (failOn !== 'never' && failOn !== 'down' && failOn !== 'degraded') throw new CliError(`--fail-on must be never, down or degraded (got "${failOn}")`);
  const errorRateText = flagString(args, 'error-rate');
  let errorRatePercent: number | undefined;
  if (errorRateText !== undefined) {
    errorRatePercent = Number(errorRateText.replace(/%$/, ''));
    if (!/^\d+(\.\d+)?%?$/.test(errorRateText) || errorRatePercent > 100) throw new CliError(`--error-rate must be a percentage from 0 to 100 (got "${errorRateText}")`);
  }
  const flags: Partial<ReportSettings> = {};
  const set = <K extends keyof ReportSettings>(k: K, v: ReportSettings[K] | undefined) => {
    if (v !== undefined) flags[k] = v;
  };
  set('timeoutMs', durationFlag(args, 'timeout', 'ms', 50, 120_000));
  set('slowMs', durationFlag(args, 'slow', 'ms', 1, 120_000));
  set('errorRatePercent', errorRatePercent);
  set('minRequests', intFlag(args, 'min-requests', 1, 1_000_000_000));
  set('samples', intFlag(args, 'samples', 1, 20));
  set('concurrency', intFlag(args, 'concurrency', 1, 512));
  const configPath = flagString(args, 'config');
  const file: SettingsFile = configPath ? loadSettingsFile(resolvePath(ctx.cwd, configPath)) : {};
  const outputs = flagString(args, 'outputs');
  const pulumi: PulumiCli = { bin: findPulumi(ctx.cwd, ctx.env), cwd: ctx.cwd, env: ctx.env };
  return {
    args,
    options: {
      selection: {
        cwd: ctx.cwd,
        outputsFile: outputs,
        stacks: flagList(args, 'stack'),
        env: flagString(args, 'env'),
        pulumi,
      },
      settings: mergeSettings(file, flags),
      outDir: resolvePath(ctx.cwd, flagString(args, 'out') ?? DEFAULT_OUT_DIR),
      historyPath: flagBool(args, 'no-history') ? null : resolvePath(ctx.cwd, flagString(args, 'history') ?? DEFAULT_HISTORY),
      deploys: !flagBool(args, 'no-deploys'),
      failOn,
    },
  };
}

export function loadReportStacks(options: ReportCliOptions): Promise<StackInfo[]> {
  return loadStacks(options.selection);
}

export function startDeploys(options: ReportCliOptions, stacks: readonly StackInfo[]): Promise<Map<string, DeployHistory>> {
  if (!options.deploys) {
    return Promise.resolve(new Map(stacks.map((s) => [s.name, { available: false, reason: 'skipped (--no-deploys)', entries: [] }])));
  }
  return loadDeploys(options.selection.pulumi, stacks.map((s) => s.name));
}

export function loadHistory(options: ReportCliOptions, ctx: CommandContext): HistoryStore | null {
  if (!options.historyPath) return null;
  let store: HistoryStore;
  try {
    store = HistoryStore.load(options.historyPath);
  } catch (err) {
    throw new CliError(`cannot read the history file ${options.historyPath}: ${(err as NodeJS.ErrnoException).code ?? 'read error'} (fix it or pass --history <file> / --no-history)`);
  }
  if (store.skipped) ctx.stderr(`warning: skipped ${store.skipped} unreadable line(s) in ${options.historyPath}; they are dropped on the next write\n`);
  return store;
}

export async function driftResolver(ctx: CommandContext): Promise<DriftResolver> {
  return new DriftResolver(ctx.cwd, await repoState(ctx.cwd, ctx.env), ctx.env);
}

/**
 * What a repeating command (monitor, dashboard) probes with: the stacks, their deployment histories and
 * the drift resolver, read once and re-read every `refreshEvery` rounds. A re-read that fails with a user
 * error keeps the previous inputs and says so; `also` re-reads more alongside (the dashboard's dependencies).
 */
export class RoundInputs {
  private round = 0;
  private readonly options: ReportCliOptions;
  private readonly ctx: CommandContext;
  private readonly refreshEvery: number;
  stacks: StackInfo[];
  deploys: Promise<Map<string, DeployHistory>>;
  drift: DriftResolver;

  private constructor(options: ReportCliOptions, ctx: CommandContext, refreshEvery: number, stacks: StackInfo[], drift: DriftResolver) {
    this.options = options;
    this.ctx = ctx;
    this.refreshEvery = refreshEvery;
    this.stacks = stacks;
    this.deploys = startDeploys(options, stacks);
    this.drift = drift;
  }

  static async open(options: ReportCliOptions, ctx: CommandContext, refreshEvery: number): Promise<RoundInputs> {
    const stacks = await loadReportStacks(options);
    return new RoundInputs(options, ctx, refreshEvery, stacks, await driftResolver(ctx));
  }

  /** Call at the start of each round: re-reads when a refresh is due. */
  async next(also?: () => void): Promise<void> {
    if (this.round++ === 0 || (this.round - 1) % this.refreshEvery !== 0) return;
    try {
      const stacks = await loadReportStacks(this.options);
      const drift = await driftResolver(this.ctx);
      this.stacks = stacks;
      this.deploys = startDeploys(this.options, stacks);
      this.drift = drift;
      also?.();
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      this.ctx.stderr(`warning: could not re-read the stacks (${err.message}); keeping the previous list\n`);
    }
  }
}

/** A progress line on stderr, only on a terminal; cleared when done. */
export function progress(ctx: CommandContext): { update: (done: number, total: number) => void; clear: () => void } {
  if (!ctx.isTTY) return { update: () => {}, clear: () => {} };
  let last = 0;
  let shown = false;
  return {
    update: (done, total) => {
      const t = Date.now();
      if (done !== total && t - last < 100) return;
      last = t;
      shown = true;
      ctx.stderr(`\rprobing ${done}/${total} stacks…\x1b[K`);
    },
    clear: () => {
      if (shown) ctx.stderr('\r\x1b[K');
      shown = false;
    },
  };
}

export interface RoundInput {
  stacks: readonly StackInfo[];
  deploys: Promise<Map<string, DeployHistory>>;
  history: HistoryStore | null;
  drift: DriftResolver;
  signal?: AbortSignal;
}

export async function reportRound(options: ReportCliOptions, ctx: CommandContext, input: RoundInput): Promise<{ report: Report; files: WrittenFiles }> {
  const bar = progress(ctx);
  try {
    const report = await runRound({ ...input, settings: options.settings, onProgress: bar.update });
    return { report, files: writeReport(options.outDir, report) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && typeof e.path === 'string') {
      throw new CliError(`cannot write ${displayPath(ctx, e.path)}: ${e.code} (check --out and --history)`);
    }
    throw err;
  } finally {
    bar.clear();
  }
}

export function summaryText(s: Summary): string {
  return `${s.total} stack${s.total === 1 ? '' : 's'}: ${s.down} down, ${s.degraded} degraded, ${s.healthy} healthy`;
}

export function displayPath(ctx: CommandContext, path: string): string {
  const rel = relative(ctx.cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function exitCodeFor(failOn: FailOn, s: Summary): number {
  if (failOn === 'down' && s.down > 0) return 1;
  if (failOn === 'degraded' && s.down + s.degraded > 0) return 1;
  return 0;
}

export function statusMap(report: Report): Map<string, { status: Status; reason: string }> {
  return new Map(report.stacks.map((s) => [s.name, { status: s.status, reason: s.reason }]));
}
