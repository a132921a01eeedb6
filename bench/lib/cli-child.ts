/**
 * Runs one catalyst CLI command in this process and prints, as the last stdout line,
 * `BENCH_JSON {"code", "ms", "cpuMs", "maxRssKb"}`: the command's own time (after Node started and the
 * CLI module loaded), the CPU time (user + system) of the whole process, and its peak resident memory
 * (process.resourceUsage(): maxRSS in KiB).
 * The command's own output is counted, not printed.
 *
 *   node bench/lib/cli-child.ts <cwd> <catalyst args…>
 */
import { main } from '../../src/cli/main.ts';

const [cwd, ...argv] = process.argv.slice(2);
let outBytes = 0;
let errText = '';
const t0 = performance.now();
const code = await main(argv, { cwd, stdout: (t) => void (outBytes += t.length), stderr: (t) => void (errText += t) });
const ms = performance.now() - t0;
if (code !== 0) process.stderr.write(errText.slice(-4000));
const ru = process.resourceUsage();
process.stdout.write(`BENCH_JSON ${JSON.stringify({ code, ms, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssKb: ru.maxRSS, outBytes })}\n`);
process.exitCode = code;
