/**
 * Runs the report's probe engine (src/report/probe.ts probeAll, with the report's default settings)
 * over the targets in a JSON file and prints `BENCH_JSON {…}`: wall time of probeAll, this process's
 * CPU time and peak RSS, the RSS before probing, and how many targets were classified healthy /
 * degraded / down (src/report/classify.ts), by kind.
 *
 *   node bench/lib/probe-child.ts <targets.json>          # probe
 *   node bench/lib/probe-child.ts <targets.json> --idle   # load the same modules, probe nothing
 */
import { readFileSync } from 'node:fs';
import { classify } from '../../src/report/classify.ts';
import { probeAll } from '../../src/report/probe.ts';
import { DEFAULT_SETTINGS } from '../../src/report/settings.ts';

const [file, mode] = process.argv.slice(2);
const targets = JSON.parse(readFileSync(file, 'utf8')) as { name: string; url: string; kind: string }[];
const rssBeforeKb = Math.round(process.memoryUsage().rss / 1024);
const byKind: Record<string, Record<string, number>> = {};
let wallMs = 0;
if (mode !== '--idle') {
  const t0 = performance.now();
  const results = await probeAll(targets, { timeoutMs: DEFAULT_SETTINGS.timeoutMs, samples: DEFAULT_SETTINGS.samples, concurrency: DEFAULT_SETTINGS.concurrency });
  wallMs = performance.now() - t0;
  results.forEach((r, i) => {
    const status = classify(r, DEFAULT_SETTINGS, null).status;
    const kind = targets[i].kind;
    byKind[kind] ??= {};
    byKind[kind][status] = (byKind[kind][status] ?? 0) + 1;
  });
}
const ru = process.resourceUsage();
process.stdout.write(`BENCH_JSON ${JSON.stringify({ wallMs, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssKb: ru.maxRSS, rssBeforeKb, byKind, settings: DEFAULT_SETTINGS })}\n`);
