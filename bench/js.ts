/**
 * `js`: the per-call cost of JavaScript nodes in a generated app (mini-racer, one V8 context per process).
 *
 * bench/python/js_harness.py, in the generated js-nodes app with its venv, awaits the generated node
 * functions one call at a time in interleaved rounds: `translated` (a transform whose expressions were
 * compiled to Python), `jsexpr` (the same values from a javascript node: how an imported expression the
 * translator cannot express runs) and `code` (a small Code node over $input.all()). Judged on CPU time per
 * call (process_time), as `calls` is: wall-clock on this shared machine includes time the process is
 * preempted by others. Also reported: the first call of a fresh engine (V8 context + Luxon + prelude).
 */
import { join } from 'node:path';
import { exec, FIXTURES, ROOT, round, tempDir, type Bench, type BenchOutcome } from './lib/common.ts';
import { appPython, generateInto, pythonVersions, serverEnv } from './lib/python.ts';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);

interface HarnessOut {
  answer: unknown;
  firstCallMs: number;
  memoryLimitMb: number;
  wallUs: Record<string, number[]>;
  cpuUs: Record<string, number[]>;
  medianWallUs: Record<string, number>;
  minWallUs: Record<string, number>;
  medianCpuUs: Record<string, number>;
}

export const bench: Bench = {
  name: 'js',
  summary: 'JavaScript nodes: per-call cost of a small Code node and of an engine-evaluated expression vs. a translated one',
  async run(log): Promise<BenchOutcome> {
    const rounds = num('BENCH_JS_ROUNDS', 7);
    const n = num('BENCH_JS_N', 3000);
    const tmp = tempDir('js');
    try {
      const app = generateInto(join(FIXTURES, 'js-nodes'), tmp.dir);
      const python = await appPython(app.requirements, log);
      const versions = await pythonVersions(python);
      const mr = await exec(python, ['-c', 'import importlib.metadata as m, py_mini_racer; print(m.version("mini-racer"), py_mini_racer.MiniRacer().v8_version())']);
      log(`harness: ${rounds} rounds × ${n} calls of translated, jsexpr, code`);
      const r = await exec(python, [join(ROOT, 'bench', 'python', 'js_harness.py'), '--rounds', String(rounds), '--n', String(n)], { cwd: app.dir, env: serverEnv({ PYTHONPATH: app.dir }), timeoutMs: 30 * 60_000 });
      if (r.code !== 0) throw new Error(`js harness failed (exit ${r.code}):\n${r.stderr.split('\n').slice(-20).join('\n')}`);
      const h = JSON.parse(r.stdout.trim().split('\n').pop()!) as HarnessOut;
      const code = round(h.medianCpuUs.code, 1);
      const row = (label: string, k: string) => [label, round(h.medianCpuUs[k], 2), round(h.medianWallUs[k], 2), round(h.minWallUs[k], 2)];
      const [mrVersion, v8] = mr.stdout.trim().split(' ');
      return {
        status: 'ok',
        method:
          `js_harness.py in the generated js-nodes app (its venv): ${rounds} interleaved rounds of ${n} awaited calls of each node function, one at a time; ` +
          'per call = elapsed / n; CPU = process_time, judged; wall = perf_counter, reported. The three nodes compute the same answer (checked).',
        settings: { rounds, n },
        versions: { ...versions, 'mini-racer': mrVersion ?? null, v8: v8 ?? null },
        metrics: { answer: h.answer, firstCallMs: round(h.firstCallMs, 1), memoryLimitMb: h.memoryLimitMb, medianCpuUs: h.medianCpuUs, medianWallUs: h.medianWallUs, minWallUs: h.minWallUs, rounds: { cpuUs: h.cpuUs, wallUs: h.wallUs } },
        targets: [{ id: 'code-node', description: 'a small Code node, per call (CPU)', threshold: '< 200 µs', value: code, met: code < 200 }],
        tables: [
          {
            title: 'Per call, one at a time (µs; medians over rounds)',
            columns: ['node', 'CPU median', 'wall median', 'wall min'],
            rows: [row('translated expression (Python)', 'translated'), row('expression run as JavaScript', 'jsexpr'), row('small Code node (JavaScript)', 'code')],
          },
        ],
        notes: [`first call of a fresh engine (V8 context, Luxon, prelude; once per app process): ${round(h.firstCallMs, 1)} ms`],
      };
    } finally {
      tmp.cleanup();
    }
  },
};
