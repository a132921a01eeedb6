/**
 * `npm run bench [-- <name> …]`: runs the benchmarks (all, or the named ones) one after another; each
 * prints its tables and targets and writes bench/results/<name>.json. See docs/BENCHMARKS.md.
 *
 *   node bench/run.ts                 # all
 *   node bench/run.ts app calls       # some
 *   node bench/run.ts --list
 *
 * Exit status: 0 when every benchmark ran or recorded why it could not (a missed target is a result,
 * not a failure); 1 when one crashed (its result file records the error).
 */
import { relative } from 'node:path';
import { bench as app } from './app.ts';
import { bench as calls } from './calls.ts';
import { bench as coldstart } from './coldstart.ts';
import { bench as dashboard } from './dashboard.ts';
import { bench as deploy } from './deploy.ts';
import { bench as generate } from './generate.ts';
import { bench as js } from './js.ts';
import { bench as report } from './report.ts';
import { formatTable, gitState, machineInfo, ROOT, round, stopAll, targetsTable, writeResult, type Bench, type BenchOutcome, type BenchResult } from './lib/common.ts';
import { loadavg } from 'node:os';

const BENCHES: Bench[] = [app, calls, coldstart, generate, deploy, report, dashboard, js];

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--list') || argv.includes('--help') || argv.includes('-h')) {
    for (const b of BENCHES) process.stdout.write(`${b.name.padEnd(10)} ${b.summary}\n`);
    process.stdout.write('\nusage: npm run bench [-- <name> …]   (results: bench/results/<name>.json)\n');
    return 0;
  }
  const unknown = argv.filter((a) => !BENCHES.some((b) => b.name === a));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${BENCHES.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const selected = argv.length ? BENCHES.filter((b) => argv.includes(b.name)) : BENCHES;
  let crashed = 0;
  const summary: string[] = [];
  for (const b of selected) {
    const machine = machineInfo();
    const startedAt = new Date().toISOString();
    const git = gitState();
    const t0 = performance.now();
    process.stdout.write(`\n=== bench ${b.name}: ${b.summary}\n    (machine: ${machine.cores} cores, load average ${machine.loadAverage1m})\n`);
    const log = (line: string) => process.stdout.write(`    ${line}\n`);
    let outcome: BenchOutcome;
    try {
      outcome = await b.run(log);
    } catch (err) {
      crashed++;
      const e = err as Error;
      outcome = { status: 'not-run', reason: `crashed: ${e.stack ?? e.message}`, method: '', settings: {}, versions: {}, metrics: {}, targets: [], tables: [], notes: [] };
    } finally {
      await stopAll();
    }
    const result: BenchResult = {
      name: b.name,
      command: `npm run bench -- ${b.name}`,
      startedAt,
      git,
      durationS: round((performance.now() - t0) / 1000, 1),
      machine,
      loadAverage1mAtEnd: round(loadavg()[0], 2),
      ...outcome,
    };
    const file = writeResult(result);
    process.stdout.write('\n');
    if (outcome.status === 'not-run') process.stdout.write(`NOT RUN: ${outcome.reason}\n\n`);
    for (const t of outcome.tables) process.stdout.write(`${formatTable(t)}\n\n`);
    if (outcome.targets.length) process.stdout.write(`${formatTable(targetsTable(outcome.targets))}\n\n`);
    for (const n of outcome.notes) process.stdout.write(`note: ${n}\n`);
    process.stdout.write(`→ ${relative(ROOT, file)} (${result.durationS} s)\n`);
    const met = outcome.targets.filter((t) => t.met === true).length;
    summary.push(`${b.name.padEnd(10)} ${outcome.status === 'ok' ? `${met}/${outcome.targets.length} targets met` : `not run: ${outcome.reason?.split('\n')[0]}`}`);
  }
  process.stdout.write(`\n=== summary\n${summary.join('\n')}\n`);
  return crashed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
