/**
 * `app`: a generated app vs. the hand-written FastAPI equivalent (bench/baseline/), under load.
 *
 * Two workflows: `quote` (bench fixture: transform → condition → respond) and billing's `charge`
 * (condition → in-process call of invoice → in-process call of tax, a 1 ms delay, a log node, respond).
 * Every server runs with the same interpreter, venv and uvicorn command line (bench/lib/python.ts
 * UVICORN_FLAGS), on 127.0.0.1, one at a time under load from wrk (a separate process) with fixed
 * connections and duration. Rounds interleave generated and hand-written back to back (order
 * alternating), and each ratio is taken within a round, then the median over rounds is reported: the
 * machine is shared and noisy, so ratios of neighbouring runs are what we compare, not absolute numbers.
 */
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { cpuMs, FIXTURES, median, round, stopAll, tempDir, type Bench, type BenchOutcome, type Target } from './lib/common.ts';
import { appPython, copyBaseline, generateInto, FAST_FLAGS, postJson, pythonVersions, startServer, UVICORN_FLAGS, type Server } from './lib/python.ts';
import { ensureWrk, luaScript, runWrk, type WrkResult } from './lib/wrk.ts';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);

interface Variant {
  key: 'generated' | 'handwritten' | 'generated-quiet' | 'generated-fast';
  label: string;
  judged: boolean;
}

const VARIANTS: Variant[] = [
  { key: 'generated', label: 'generated (defaults: info logs)', judged: true },
  { key: 'handwritten', label: 'hand-written FastAPI', judged: true },
  { key: 'generated-quiet', label: 'generated, CATALYST_LOG_LEVEL=warning (diagnostic)', judged: false },
  { key: 'generated-fast', label: 'generated, uvloop + httptools (the production default)', judged: false },
];

/** One measured wrk run plus the server's CPU time per request during it. */
type Run = WrkResult & { cpuUsPerRequest: number | null };

interface Pair {
  name: string;
  path: string;
  body: unknown;
  describe: string;
  servers: Record<Variant['key'], Server>;
  runs: Record<Variant['key'], Run[]>;
  script: string;
}

function cpuOf(runs: readonly Run[]): number | null {
  const xs = runs.map((x) => x.cpuUsPerRequest).filter((x): x is number => x !== null);
  return xs.length ? round(median(xs), 1) : null;
}

export const bench: Bench = {
  name: 'app',
  summary: 'generated app vs. hand-written FastAPI: requests/s and p50/p99 under wrk',
  async run(log): Promise<BenchOutcome> {
    const durationS = num('BENCH_APP_DURATION_S', 8);
    const warmupS = num('BENCH_APP_WARMUP_S', 2);
    const rounds = num('BENCH_APP_ROUNDS', 5);
    const connections = num('BENCH_APP_CONNECTIONS', 16);
    const threads = 1;
    const wrkVersion = ensureWrk(log);
    const tmp = tempDir('app');
    try {
      const quote = generateInto(join(FIXTURES, 'quote'), tmp.dir);
      const billing = generateInto('billing', tmp.dir);
      const python = await appPython(billing.requirements, log);
      const versions = { wrk: wrkVersion, ...(await pythonVersions(python)) };

      // billing's secrets (its lookup route takes an API key; the charge route measured here does not).
      const secrets = { BILLING_API_KEY: 'bench-billing-api-key', CATALYST_PEER_KEY: 'bench-billing-peer-key' };
      const start = async (label: string, appDir: string, module: string, env: Record<string, string> = {}, flags: readonly string[] = UVICORN_FLAGS) =>
        startServer({ label, python, appDir, module, env: { ...secrets, ...env }, flags, logFile: join(tmp.dir, `${label.replace(/[^a-z0-9]+/gi, '-')}.log`) });
      const pairs: Pair[] = [];
      const defs = [
        {
          name: 'quote',
          describe: 'transform → condition → respond (bench/fixtures/projects/quote)',
          path: '/quote',
          body: { sku: 'SKU-1', quantity: 12, unitPrice: 9.99 },
          gen: quote.dir,
          base: copyBaseline('quote', tmp.dir),
        },
        {
          name: 'charge',
          describe: 'billing/charge: condition → in-process invoice → in-process tax, 1 ms delay, log, respond',
          path: '/charge',
          body: { customerId: 'cus_42', amount: 42.5, memo: 'bench' },
          gen: billing.dir,
          base: copyBaseline('billing', tmp.dir),
        },
      ];
      for (const d of defs) {
        log(`starting ${d.name}: generated, hand-written, generated (quiet logs), generated (uvloop + httptools)`);
        const servers = {
          generated: await start(`${d.name}-generated`, d.gen, 'app.main:app'),
          handwritten: await start(`${d.name}-handwritten`, d.base, 'main:app'),
          'generated-quiet': await start(`${d.name}-generated-quiet`, d.gen, 'app.main:app', { CATALYST_LOG_LEVEL: 'warning' }),
          'generated-fast': await start(`${d.name}-generated-fast`, d.gen, 'app.main:app', {}, FAST_FLAGS),
        };
        // Same request, same answer: otherwise the comparison would not be of the same work.
        const answers = await Promise.all(Object.values(servers).map((s) => postJson(`${s.url}${d.path}`, d.body)));
        const ref = answers[1];
        for (const [i, a] of answers.entries()) {
          if (a.status !== ref.status || !isDeepStrictEqual(a.body, ref.body)) {
            throw new Error(`${d.name}: ${Object.values(servers)[i].label} answered ${a.status} ${JSON.stringify(a.body)}, the hand-written app ${ref.status} ${JSON.stringify(ref.body)}; they must do the same work`);
          }
        }
        if (ref.status < 200 || ref.status > 299) throw new Error(`${d.name}: the request fails (${ref.status} ${JSON.stringify(ref.body)})`);
        pairs.push({ name: d.name, path: d.path, body: d.body, describe: d.describe, servers, runs: { generated: [], handwritten: [], 'generated-quiet': [], 'generated-fast': [] }, script: luaScript(tmp.dir, d.name, d.body) });
      }

      for (let r = 0; r < rounds; r++) {
        for (const p of pairs) {
          const order = r % 2 === 0 ? VARIANTS : [VARIANTS[1], VARIANTS[0], VARIANTS[3], VARIANTS[2]];
          for (const v of order) {
            const url = `${p.servers[v.key].url}${p.path}`;
            if (warmupS > 0) await runWrk({ url, script: p.script, connections, threads, durationS: warmupS });
            const pid = p.servers[v.key].child.pid;
            const cpu0 = cpuMs(pid);
            const w = await runWrk({ url, script: p.script, connections, threads, durationS });
            const cpu1 = cpuMs(pid);
            const res: Run = { ...w, cpuUsPerRequest: cpu0 !== null && cpu1 !== null && w.requests ? ((cpu1 - cpu0) * 1000) / w.requests : null };
            p.runs[v.key].push(res);
            log(
              `round ${r + 1}/${rounds} ${p.name} ${v.key}: ${Math.round(res.rps)} req/s, p50 ${round(res.p50Ms)} ms, p99 ${round(res.p99Ms)} ms, ` +
                `server CPU ${res.cpuUsPerRequest === null ? '?' : Math.round(res.cpuUsPerRequest)} µs/request${res.errors ? `, ${res.errors} errors` : ''}`,
            );
          }
        }
      }

      const metrics: Record<string, unknown> = {};
      const targets: Target[] = [];
      const rows: (string | number | null)[][] = [];
      const ratioRows: (string | number | null)[][] = [];
      for (const p of pairs) {
        const per: Record<string, unknown> = {};
        for (const v of VARIANTS) {
          const runs = p.runs[v.key];
          const m = {
            rps: round(median(runs.map((x) => x.rps)), 1),
            p50Ms: round(median(runs.map((x) => x.p50Ms)), 3),
            p99Ms: round(median(runs.map((x) => x.p99Ms)), 3),
            cpuUsPerRequest: cpuOf(runs),
            errors: runs.reduce((s, x) => s + x.errors, 0),
            runs: runs.map((x) => ({
              rps: round(x.rps, 1),
              p50Ms: round(x.p50Ms, 3),
              p90Ms: round(x.p90Ms, 3),
              p99Ms: round(x.p99Ms, 3),
              meanMs: round(x.meanMs, 3),
              maxMs: round(x.maxMs, 3),
              requests: x.requests,
              errors: x.errors,
              cpuUsPerRequest: x.cpuUsPerRequest === null ? null : round(x.cpuUsPerRequest, 1),
            })),
          };
          per[v.key] = m;
          rows.push([p.name, v.label, m.rps, m.p50Ms, m.p99Ms, m.cpuUsPerRequest, m.errors]);
        }
        const ratio = (k: Variant['key'], f: (x: Run) => number) => round(median(p.runs[k].map((x, i) => f(x) / f(p.runs.handwritten[i]))), 3);
        const rpsRatio = ratio('generated', (x) => x.rps);
        const p50Ratio = ratio('generated', (x) => x.p50Ms);
        const p99Ratio = ratio('generated', (x) => x.p99Ms);
        const cpuRatio = ratio('generated', (x) => x.cpuUsPerRequest ?? NaN);
        const quiet = { rps: ratio('generated-quiet', (x) => x.rps), p50: ratio('generated-quiet', (x) => x.p50Ms), p99: ratio('generated-quiet', (x) => x.p99Ms), cpu: ratio('generated-quiet', (x) => x.cpuUsPerRequest ?? NaN) };
        const fast = { rps: ratio('generated-fast', (x) => x.rps), p50: ratio('generated-fast', (x) => x.p50Ms), p99: ratio('generated-fast', (x) => x.p99Ms), cpu: ratio('generated-fast', (x) => x.cpuUsPerRequest ?? NaN) };
        // The fast extras against the same generated app on the pure-Python loop and parser, per round.
        const vsPlain = (f: (x: Run) => number) => round(median(p.runs['generated-fast'].map((x, i) => f(x) / f(p.runs.generated[i]))), 3);
        const fastVsPlain = { rps: vsPlain((x) => x.rps), p50: vsPlain((x) => x.p50Ms), p99: vsPlain((x) => x.p99Ms), cpu: vsPlain((x) => x.cpuUsPerRequest ?? NaN) };
        per.ratios = { throughput: rpsRatio, p50: p50Ratio, p99: p99Ratio, cpuPerRequest: cpuRatio, quietLogs: quiet, fastExtras: fast, fastExtrasVsPlain: fastVsPlain };
        metrics[p.name] = { workflow: p.describe, request: { path: p.path, body: p.body }, ...per };
        ratioRows.push([p.name, 'generated / hand-written', rpsRatio, p50Ratio, p99Ratio, cpuRatio]);
        ratioRows.push([p.name, 'generated (warning logs) / hand-written', quiet.rps, quiet.p50, quiet.p99, quiet.cpu]);
        ratioRows.push([p.name, 'generated (uvloop + httptools) / hand-written', fast.rps, fast.p50, fast.p99, fast.cpu]);
        ratioRows.push([p.name, 'generated: uvloop + httptools / asyncio + h11', fastVsPlain.rps, fastVsPlain.p50, fastVsPlain.p99, fastVsPlain.cpu]);
        targets.push({ id: `${p.name}-throughput-ratio`, description: `${p.name}: throughput generated / hand-written`, threshold: '>= 0.95', value: rpsRatio, met: rpsRatio >= 0.95 });
        targets.push({ id: `${p.name}-p99-ratio`, description: `${p.name}: p99 latency generated / hand-written`, threshold: '<= 1.1', value: p99Ratio, met: p99Ratio <= 1.1 });
      }
      return {
        status: 'ok',
        method:
          'Each server: `python -m uvicorn <app> ' + UVICORN_FLAGS.join(' ') + '` on 127.0.0.1 (same venv, same interpreter). ' +
          `Load: wrk -t${threads} -c${connections} -d${durationS}s (after a ${warmupS}s warm-up run), POST with a fixed JSON body; ` +
          `${rounds} rounds, generated and hand-written back to back in each round (order alternating), ratios per round, median over rounds. ` +
          'Both apps answer the request with the same status and body (checked before measuring). The generated app runs with its default settings (info-level JSON logs to stderr, redirected to a file); ' +
          'a third server, the generated app with CATALYST_LOG_LEVEL=warning, is measured alongside as a diagnostic only; ' +
          'a fourth, the generated app with uvicorn\'s fast extras (' + FAST_FLAGS.join(' ') + ': what `python -m app` uses when they are installed, the default), is compared with the same app on asyncio + h11. ' +
          'Server CPU µs/request (utime+stime of the server process from /proc during the measured run, divided by requests) is reported as a noise-resistant cross-check: ' +
          'on a shared machine, throughput moves with what else runs, CPU per request much less.',
        settings: { durationS, warmupS, rounds, connections, threads, uvicorn: UVICORN_FLAGS.join(' '), uvicornFast: FAST_FLAGS.join(' ') },
        versions,
        metrics,
        targets,
        tables: [
          { title: 'Per server (medians over rounds)', columns: ['workflow', 'server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'errors'], rows },
          { title: 'Ratios (per round, median)', columns: ['workflow', 'ratio', 'throughput', 'p50', 'p99', 'server CPU/req'], rows: ratioRows },
        ],
        notes: [],
      };
    } finally {
      await stopAll();
      tmp.cleanup();
    }
  },
};
