/**
 * `calls`: the per-call cost of calling a workflow in-process vs. calling the same workflow in another
 * generated app over HTTP (loopback).
 *
 * Method 1 (judged; bench/python/calls_harness.py): inside Python, with the generated runtime, await the
 * generated node functions of the bench fixture calls-caller one call at a time — `inline` (a transform
 * computing the value: no call), `inproc` (workflowCall → tax of the same app) and `overhttp`
 * (workflowCall → calls-callee/tax, a second generated app served by uvicorn) — in interleaved rounds.
 *   in-process adds  = CPU time per call of inproc − inline (median over rounds)
 *   HTTP / in-process = wall time per call of overhttp / inproc (same round; median over rounds)
 * Method 2 (cross-check): end to end, wrk -c1 against the caller app's three routes; the difference of
 * median latencies /inproc − /inline and /overhttp − /inline.
 */
import { join } from 'node:path';
import { exec, FIXTURES, median, ROOT, round, stopAll, tempDir, type Bench, type BenchOutcome } from './lib/common.ts';
import { appPython, generateInto, pythonVersions, serverEnv, startServer, UVICORN_FLAGS } from './lib/python.ts';
import { ensureWrk, luaScript, runWrk } from './lib/wrk.ts';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);

interface HarnessOut {
  logLevel: string;
  rounds: number;
  nLocal: number;
  nHttp: number;
  answer: unknown;
  wallUs: Record<string, number[]>;
  cpuUs: Record<string, number[]>;
  medianWallUs: Record<string, number>;
  medianCpuUs: Record<string, number>;
  minWallUs: Record<string, number>;
  inprocAddsCpuUs: number;
  inprocAddsWallUs: number;
  httpOverInprocWall: number;
}

const r2 = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, 2)]));

export const bench: Bench = {
  name: 'calls',
  summary: 'in-process vs. HTTP sub-workflow call: per-call cost',
  async run(log): Promise<BenchOutcome> {
    const rounds = num('BENCH_CALLS_ROUNDS', 7);
    const nLocal = num('BENCH_CALLS_N_LOCAL', 10000);
    const nHttp = num('BENCH_CALLS_N_HTTP', 500);
    const e2eDurationS = num('BENCH_CALLS_E2E_DURATION_S', 5);
    const e2eRounds = num('BENCH_CALLS_E2E_ROUNDS', 3);
    const wrkVersion = ensureWrk(log);
    const tmp = tempDir('calls');
    try {
      const callee = generateInto(join(FIXTURES, 'calls-callee'), tmp.dir);
      const caller = generateInto(join(FIXTURES, 'calls-caller'), tmp.dir);
      const python = await appPython(caller.requirements, log);
      const versions = { wrk: wrkVersion, ...(await pythonVersions(python)) };
      const calleeServer = await startServer({ label: 'calls-callee', python, appDir: callee.dir, module: 'app.main:app', logFile: join(tmp.dir, 'callee.log') });
      const peerEnv = { CATALYST_PEER_CALLS_CALLEE_URL: calleeServer.url };

      const harness = async (logLevel: string): Promise<HarnessOut> => {
        log(`harness (log level ${logLevel}): ${rounds} rounds × ${nLocal} inline + ${nLocal} in-process + ${nHttp} HTTP calls`);
        const r = await exec(
          python,
          [join(ROOT, 'bench', 'python', 'calls_harness.py'), '--rounds', String(rounds), '--n-local', String(nLocal), '--n-http', String(nHttp), '--log-level', logLevel],
          // Its JSON logs (one line per in-process run at info) go to a file, as a server's would.
          { cwd: caller.dir, env: serverEnv({ ...peerEnv, PYTHONPATH: caller.dir }), timeoutMs: 30 * 60_000 },
        );
        if (r.code !== 0) throw new Error(`calls harness failed (exit ${r.code}):\n${r.stderr.split('\n').slice(-20).join('\n')}`);
        return JSON.parse(r.stdout.trim().split('\n').pop()!) as HarnessOut;
      };
      const judged = await harness('info');
      const quiet = await harness('warning');

      // Cross-check end to end: the caller app itself, one request at a time.
      log(`end to end: wrk -c1 on /inline, /inproc, /overhttp of the caller app, ${e2eRounds} rounds × ${e2eDurationS}s`);
      const callerServer = await startServer({ label: 'calls-caller', python, appDir: caller.dir, module: 'app.main:app', env: peerEnv, logFile: join(tmp.dir, 'caller.log') });
      const script = luaScript(tmp.dir, 'calls', { amount: 42.5 });
      const routes = ['inline', 'inproc', 'overhttp'] as const;
      const p50s: Record<string, number[]> = { inline: [], inproc: [], overhttp: [] };
      const means: Record<string, number[]> = { inline: [], inproc: [], overhttp: [] };
      for (let r = 0; r < e2eRounds; r++) {
        for (const route of r % 2 ? [...routes].reverse() : routes) {
          await runWrk({ url: `${callerServer.url}/${route}`, script, connections: 1, threads: 1, durationS: 1 });
          const w = await runWrk({ url: `${callerServer.url}/${route}`, script, connections: 1, threads: 1, durationS: e2eDurationS });
          if (w.errors) throw new Error(`/${route} answered ${w.errors} errors under wrk`);
          p50s[route].push(w.p50Ms * 1000);
          means[route].push(w.meanMs * 1000);
        }
      }
      const e2e = {
        p50LatencyUs: Object.fromEntries(routes.map((k) => [k, round(median(p50s[k]), 1)])),
        meanLatencyUs: Object.fromEntries(routes.map((k) => [k, round(median(means[k]), 1)])),
        inprocMinusInlineUs: round(median(p50s.inproc.map((x, i) => x - p50s.inline[i])), 1),
        overhttpMinusInlineUs: round(median(p50s.overhttp.map((x, i) => x - p50s.inline[i])), 1),
        rounds: { p50Us: p50s, meanUs: means },
      };

      const adds = round(judged.inprocAddsCpuUs, 2);
      const ratio = round(judged.httpOverInprocWall, 1);
      const row = (label: string, h: HarnessOut, k: string) => [label, h.logLevel, round(h.medianWallUs[k], 2), round(h.minWallUs[k], 2), round(h.medianCpuUs[k], 2)];
      return {
        status: 'ok',
        method:
          'calls_harness.py (in the generated calls-caller app, its venv): awaits the generated node functions one call at a time in interleaved rounds ' +
          `(${rounds} rounds; ${nLocal} calls per round in-process and inline, ${nHttp} over HTTP, after a warm-up): inline = a transform computing the value (no call); ` +
          'inproc = workflowCall to tax of the same app (input validated with its model, its run awaited); overhttp = workflowCall to calls-callee/tax, a second generated app ' +
          `(uvicorn ${UVICORN_FLAGS.join(' ')}) on 127.0.0.1, through the runtime's shared httpx client (keep-alive). ` +
          '"in-process adds" = CPU time per call of inproc minus inline (process_time; wall-clock on this shared machine includes time the process is preempted by others, so it is reported but not judged). ' +
          '"HTTP / in-process" = wall time per call of overhttp divided by inproc in the same round (wall-clock both, since the HTTP call\'s cost is mostly in the other process and the kernel). ' +
          'Judged at the apps\' default log level (info: every workflow run writes one JSON log line); the warning-level run is a diagnostic. ' +
          `Cross-check: wrk -t1 -c1 -d${e2eDurationS}s on the caller app's /inline, /inproc, /overhttp (${e2eRounds} rounds): differences of mean latency.`,
        settings: { rounds, nLocal, nHttp, e2eDurationS, e2eRounds, uvicorn: UVICORN_FLAGS.join(' ') },
        versions,
        metrics: {
          answer: judged.answer,
          info: { medianWallUs: r2(judged.medianWallUs), minWallUs: r2(judged.minWallUs), medianCpuUs: r2(judged.medianCpuUs), inprocAddsCpuUs: adds, inprocAddsWallUs: round(judged.inprocAddsWallUs, 2), httpOverInprocWall: ratio, rounds: { wallUs: judged.wallUs, cpuUs: judged.cpuUs } },
          warning: {
            medianWallUs: r2(quiet.medianWallUs),
            minWallUs: r2(quiet.minWallUs),
            medianCpuUs: r2(quiet.medianCpuUs),
            inprocAddsCpuUs: round(quiet.inprocAddsCpuUs, 2),
            inprocAddsWallUs: round(quiet.inprocAddsWallUs, 2),
            httpOverInprocWall: round(quiet.httpOverInprocWall, 1),
            rounds: { wallUs: quiet.wallUs, cpuUs: quiet.cpuUs },
          },
          endToEnd: e2e,
        },
        targets: [
          { id: 'inprocess-adds', description: 'in-process call adds per call (CPU, vs. inline)', threshold: '< 20 µs', value: adds, met: adds < 20 },
          { id: 'http-over-inprocess', description: 'HTTP call / in-process call (wall, per call)', threshold: '>= 100×', value: ratio, met: ratio >= 100 },
        ],
        tables: [
          {
            title: 'Per call, one at a time (µs; medians over rounds)',
            columns: ['call', 'log level', 'wall median', 'wall min', 'CPU median'],
            rows: [
              row('inline (no call)', judged, 'inline'),
              row('in-process workflowCall', judged, 'inproc'),
              row('HTTP workflowCall (caller side CPU only)', judged, 'overhttp'),
              row('inline (no call)', quiet, 'inline'),
              row('in-process workflowCall', quiet, 'inproc'),
              row('HTTP workflowCall (caller side CPU only)', quiet, 'overhttp'),
            ],
          },
          {
            title: 'Derived (per round, median)',
            columns: ['log level', 'in-process adds, CPU µs', 'in-process adds, wall µs', 'HTTP / in-process (wall)'],
            rows: [
              ['info', adds, round(judged.inprocAddsWallUs, 2), ratio],
              ['warning', round(quiet.inprocAddsCpuUs, 2), round(quiet.inprocAddsWallUs, 2), round(quiet.httpOverInprocWall, 1)],
            ],
          },
          {
            title: 'Cross-check end to end (wrk -c1, p50 latency µs)',
            columns: ['/inline', '/inproc', '/overhttp', 'inproc − inline', 'overhttp − inline'],
            rows: [[e2e.p50LatencyUs.inline, e2e.p50LatencyUs.inproc, e2e.p50LatencyUs.overhttp, e2e.inprocMinusInlineUs, e2e.overhttpMinusInlineUs]],
          },
        ],
        notes: [],
      };
    } finally {
      await stopAll();
      tmp.cleanup();
    }
  },
};
