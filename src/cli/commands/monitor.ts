import { formatChange, sleep, type StatusEntry, statusChanges } from '../../report/monitor.ts';
import type { Report } from '../../report/report.ts';
import { flagString } from '../args.ts';
import {
  COMMON_USAGE,
  displayPath,
  exitCodeFor,
  intervalFlag,
  loadHistory,
  parseCommon,
  reportRound,
  RoundInputs,
  statusMap,
  stopSignal,
  summaryText,
} from '../report-shared.ts';
import { CliError, type Command } from '../types.ts';

export const DEFAULT_INTERVAL_MS = 60_000;
export const DEFAULT_REFRESH_EVERY = 10;

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`--${flag} must be a whole number ≥ 1 (got "${text}")`);
  return Number(text);
}

export const command: Command = {
  name: 'monitor',
  summary: 'probe every deployment on an interval, rewriting the report and printing status changes',
  usage: `Usage: catalyst monitor [options]

Runs a report round every --interval: probes, appends to the probe history, rewrites the report
files and prints each status change as it happens. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
Stack outputs and deployment histories are re-read every --refresh-every rounds.
See docs/report.md.

  --interval <dur>         time between round starts (default 60s; bare number = seconds)
  --rounds <n>             stop after n rounds (default: run until stopped)
  --refresh-every <n>      re-read stack outputs and deployment history every n rounds (default ${DEFAULT_REFRESH_EVERY})

${COMMON_USAGE}
Exit codes: 0 stopped, 1 --fail-on level reached in the last round, 2 usage or input error.
`,
  async run(argv, ctx) {
    const { args, options } = parseCommon(argv, ctx, { values: ['interval', 'rounds', 'refresh-every'] });
    const intervalMs = intervalFlag(args, DEFAULT_INTERVAL_MS);
    const rounds = positiveInt(flagString(args, 'rounds'), 'rounds');
    const refreshEvery = positiveInt(flagString(args, 'refresh-every'), 'refresh-every') ?? DEFAULT_REFRESH_EVERY;

    const inputs = await RoundInputs.open(options, ctx, refreshEvery);
    const history = loadHistory(options, ctx);
    const { signal, dispose } = stopSignal(ctx);
    let prev = new Map<string, StatusEntry>();
    let last: Report | null = null;
    let round = 0;
    ctx.stdout(`catalyst monitor: ${inputs.stacks.length} stacks every ${intervalMs / 1000} s → ${displayPath(ctx, options.outDir)} (Ctrl-C to stop)\n`);
    try {
      while (!signal.aborted) {
        const t0 = Date.now();
        await inputs.next();
        let report: Report;
        try {
          report = (await reportRound(options, ctx, { stacks: inputs.stacks, deploys: inputs.deploys, history, drift: inputs.drift, signal })).report;
        } catch (err) {
          if (signal.aborted) break;
          throw err;
        }
        round++;
        const next = statusMap(report);
        const now = new Date(report.generatedAt);
        const changes = statusChanges(prev, next);
        for (const c of changes) {
          if (round > 1 || c.to !== 'healthy') ctx.stdout(`${formatChange(c, now)}\n`);
        }
        if (round === 1 || changes.length) ctx.stdout(`round ${round}: ${summaryText(report.summary)}\n`);
        prev = next;
        last = report;
        if (rounds !== undefined && round >= rounds) break;
        if (!(await sleep(Math.max(0, intervalMs - (Date.now() - t0)), signal))) break;
      }
    } finally {
      dispose();
    }
    ctx.stdout(`catalyst monitor: stopped after ${round} round${round === 1 ? '' : 's'}\n`);
    return last ? exitCodeFor(options.failOn, last.summary) : 0;
  },
};
