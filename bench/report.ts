/**
 * `report`: the report's probe engine (src/report/probe.ts `probeAll`, default settings) over 300
 * loopback endpoints served by a fake fleet in another process (bench/lib/fleet.ts): most answer at
 * once, some slowly, some never (hang until the deadline), some are down (connection refused).
 * Each run is a fresh Node process (bench/lib/probe-child.ts): wall time of probeAll, CPU time, peak RSS,
 * and the status each endpoint was classified with. An idle run (same modules, no probing) gives the
 * memory the probing itself adds.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec, median, NODE, ROOT, round, stop, stopAll, tempDir, track, type Bench, type BenchOutcome } from './lib/common.ts';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);

interface ProbeOut {
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  rssBeforeKb: number;
  byKind: Record<string, Record<string, number>>;
  settings: { timeoutMs: number; samples: number; concurrency: number; slowMs: number };
}

async function probeChild(file: string, idle = false): Promise<ProbeOut> {
  const r = await exec(NODE, [join(ROOT, 'bench', 'lib', 'probe-child.ts'), file, ...(idle ? ['--idle'] : [])], { timeoutMs: 10 * 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (r.code !== 0 || !line) throw new Error(`probe child failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line.slice('BENCH_JSON '.length)) as ProbeOut;
}

export const bench: Bench = {
  name: 'report',
  summary: 'probing 300 loopback endpoints (some slow, some down): wall time and peak memory',
  async run(log): Promise<BenchOutcome> {
    const counts = { ok: num('BENCH_REPORT_OK', 240), slow: num('BENCH_REPORT_SLOW', 20), hang: num('BENCH_REPORT_HANG', 20), down: num('BENCH_REPORT_DOWN', 20) };
    const slowMs = 1500;
    const reps = num('BENCH_REPORT_REPS', 3);
    const total = counts.ok + counts.slow + counts.hang + counts.down;
    const tmp = tempDir('report');
    try {
      const fleet = track(spawn(NODE, [join(ROOT, 'bench', 'lib', 'fleet.ts'), String(counts.ok), String(counts.slow), String(counts.hang), String(counts.down), String(slowMs)], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const targets = await new Promise<unknown[]>((resolve, reject) => {
        let buf = '';
        fleet.stdout!.setEncoding('utf8').on('data', (d: string) => {
          buf += d;
          const line = buf.split('\n').find((l) => l.startsWith('FLEET '));
          if (line) resolve((JSON.parse(line.slice(6)) as { targets: unknown[] }).targets);
        });
        fleet.on('exit', (code) => reject(new Error(`fleet exited (${code}) before listening`)));
      });
      const file = join(tmp.dir, 'targets.json');
      writeFileSync(file, JSON.stringify(targets));
      log(`fleet: ${total} endpoints (${counts.ok} ok, ${counts.slow} slow ${slowMs} ms, ${counts.hang} hanging, ${counts.down} down)`);

      const idle = await probeChild(file, true);
      const runs: ProbeOut[] = [];
      for (let r = 0; r < reps; r++) {
        const o = await probeChild(file);
        runs.push(o);
        log(`run ${r + 1}/${reps}: ${Math.round(o.wallMs)} ms, CPU ${Math.round(o.cpuMs)} ms, max RSS ${Math.round(o.maxRssKb / 1024)} MiB (idle ${Math.round(idle.maxRssKb / 1024)} MiB)`);
      }
      fleet.stdin!.end();
      await stop(fleet);

      const s = runs[0].settings;
      const wallMs = round(median(runs.map((x) => x.wallMs)), 0);
      const cpuMs = round(median(runs.map((x) => x.cpuMs)), 0);
      const maxRssMiB = round(median(runs.map((x) => x.maxRssKb)) / 1024, 1);
      const idleRssMiB = round(idle.maxRssKb / 1024, 1);
      // Documented bound (src/report/probe.ts): a target costs at most samples × timeout, the run about
      // ceil(targets / concurrency) × that.
      const boundMs = Math.ceil(total / s.concurrency) * s.samples * s.timeoutMs;
      // The floor the design allows: a hanging endpoint costs one full deadline.
      const floorMs = counts.hang ? s.timeoutMs : counts.slow ? s.samples * slowMs : 0;
      const expected: Record<string, string> = { ok: 'healthy', slow: 'degraded', hang: 'down', down: 'down' };
      const misclassified = runs.map((r) => Object.entries(r.byKind).reduce((n, [kind, st]) => n + Object.entries(st).filter(([status]) => status !== expected[kind]).reduce((m, [, c]) => m + c, 0), 0));
      const worstMis = Math.max(...misclassified);
      return {
        status: 'ok',
        method:
          `A fake fleet (bench/lib/fleet.ts, its own Node process) serves ${total} endpoints on 127.0.0.1: ${counts.ok} answer /health, /version and /metrics at once, ${counts.slow} answer after ${slowMs} ms, ` +
          `${counts.hang} accept and never answer, ${counts.down} refuse connections. bench/lib/probe-child.ts (a fresh Node process per run) calls probeAll with the report's defaults ` +
          `(timeout ${s.timeoutMs} ms, ${s.samples} /health samples, concurrency ${s.concurrency}; /version and /metrics too) and classifies every result. ` +
          `Wall = probeAll only; CPU and max RSS = the whole child process; "idle" = the same child loading the same modules without probing. ${reps} runs, medians.`,
        settings: { ...counts, slowMs, reps, probe: s },
        versions: { node: process.version },
        metrics: {
          wallMs,
          cpuMs,
          maxRssMiB,
          idleMaxRssMiB: idleRssMiB,
          probingAddsMiB: round(maxRssMiB - idleRssMiB, 1),
          designFloorMs: floorMs,
          documentedBoundMs: boundMs,
          byKind: runs[0].byKind,
          misclassified,
          runs: runs.map((r) => ({ wallMs: round(r.wallMs, 0), cpuMs: round(r.cpuMs, 0), maxRssMiB: round(r.maxRssKb / 1024, 1) })),
        },
        targets: [
          { id: 'bounded', description: `probeAll wall time within the documented bound (ceil(${total}/${s.concurrency}) × ${s.samples} × ${s.timeoutMs} ms)`, threshold: `<= ${boundMs} ms`, value: wallMs, met: wallMs <= boundMs },
          { id: 'classified', description: 'endpoints classified as expected (ok → healthy, slow → degraded, hanging/down → down), worst run', threshold: '0 wrong', value: worstMis, met: worstMis === 0 },
        ],
        tables: [
          {
            title: `Probing ${total} endpoints (medians of ${reps} runs)`,
            columns: ['wall ms', 'design floor ms (one hanging deadline)', 'CPU ms', 'max RSS MiB', 'idle RSS MiB', 'probing adds MiB'],
            rows: [[wallMs, floorMs, cpuMs, maxRssMiB, idleRssMiB, round(maxRssMiB - idleRssMiB, 1)]],
          },
          {
            title: 'Classification (first run)',
            columns: ['endpoint kind', 'count', 'healthy', 'degraded', 'down'],
            rows: Object.entries(counts).map(([k, n]) => [k, n, runs[0].byKind[k]?.healthy ?? 0, runs[0].byKind[k]?.degraded ?? 0, runs[0].byKind[k]?.down ?? 0]),
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
