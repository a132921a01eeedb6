import { performance } from 'node:perf_hooks';
import { renderJson } from '../../report/render.ts';
import {
  COMMON_USAGE,
  displayPath,
  driftResolver,
  exitCodeFor,
  loadHistory,
  loadReportStacks,
  parseCommon,
  reportRound,
  startDeploys,
  summaryText,
} from '../report-shared.ts';
import { flagBool } from '../args.ts';
import { CliError, type Command } from '../types.ts';

export const command: Command = {
  name: 'report',
  summary: 'probe every deployment and write a status report (HTML, JSON, Markdown)',
  usage: `Usage: catalyst report [options]

Probes each stack's /health (a few samples), /version and /metrics, compares the deployed commit
with the repository's HEAD, reads the deployment history (pulumi stack history), appends the round
to the probe history, and writes <out>/index.html, <out>/report.json and <out>/report.md.
See docs/report.md.

${COMMON_USAGE}
  --json                   print report.json to stdout (the summary line goes to stderr)

Exit codes: 0 done (whatever the statuses, unless --fail-on), 1 --fail-on level reached,
2 usage or input error.
`,
  async run(argv, ctx) {
    const { args, options } = parseCommon(argv, ctx, { booleans: ['json'] });
    const json = flagBool(args, 'json');
    const started = performance.now();
    const stacks = await loadReportStacks(options);
    const history = loadHistory(options, ctx);
    const round = reportRound(options, ctx, {
      stacks,
      deploys: startDeploys(options, stacks),
      history,
      drift: await driftResolver(ctx),
      signal: ctx.signal,
    });
    const { report, files } = await round.catch((err: unknown) => {
      if (ctx.signal?.aborted) throw new CliError('cancelled; no report written', 130);
      throw err;
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const line = `catalyst report: ${summaryText(report.summary)} (${seconds} s) → ${displayPath(ctx, files.html)}\n`;
    if (json) {
      ctx.stdout(renderJson(report));
      ctx.stderr(line);
    } else {
      ctx.stdout(line);
    }
    return exitCodeFor(options.failOn, report.summary);
  },
};
