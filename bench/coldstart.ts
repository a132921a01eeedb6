/**
 * `coldstart`: time from process start to the first successful GET /health, and the import time of the
 * app module (`python -X importtime`), for the generated billing app vs. the hand-written baseline
 * (bench/baseline/billing). Same interpreter, venv and uvicorn command line; runs alternate between the
 * two; medians. "Cold" means a new process: the OS file cache and the bytecode caches are warm (one
 * untimed run of each first), as on any restart of a deployed service.
 */
import { join } from 'node:path';
import { exec, freePort, median, round, sleep, stop, stopAll, tempDir, type Bench, type BenchOutcome } from './lib/common.ts';
import { appPython, copyBaseline, generateInto, getStatus, pythonVersions, serverEnv, spawnServer, UVICORN_FLAGS, type ServerSpec } from './lib/python.ts';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);

/** Spawn the server and poll /health every `pollMs` until it answers 200; ms from spawn to that answer. */
async function timeToHealthy(spec: ServerSpec, pollMs: number, timeoutMs = 60_000): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnServer(spec, port);
  try {
    for (;;) {
      if ((await getStatus(`http://127.0.0.1:${port}/health`, 2000)) === 200) return performance.now() - t0;
      if (child.exitCode !== null) throw new Error(`${spec.label} exited (${child.exitCode}) before answering /health; see ${spec.logFile}`);
      if (performance.now() - t0 > timeoutMs) throw new Error(`${spec.label} did not answer /health within ${timeoutMs} ms`);
      await sleep(pollMs);
    }
  } finally {
    await stop(child);
  }
}

/** `python -X importtime -c "import <module>"`: total of the `self` column (µs) and the module's cumulative. */
async function importTime(python: string, dir: string, module: string): Promise<{ totalUs: number; moduleCumulativeUs: number; modules: number }> {
  const r = await exec(python, ['-X', 'importtime', '-c', `import ${module}`], { cwd: dir, env: serverEnv({}) });
  if (r.code !== 0) throw new Error(`import ${module} failed in ${dir}:\n${r.stderr.slice(-2000)}`);
  let totalUs = 0;
  let moduleCumulativeUs = 0;
  let modules = 0;
  for (const line of r.stderr.split('\n')) {
    const m = /^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)/.exec(line);
    if (!m) continue;
    totalUs += Number(m[1]);
    modules++;
    if (m[4] === module) moduleCumulativeUs = Number(m[2]);
  }
  return { totalUs, moduleCumulativeUs, modules };
}

export const bench: Bench = {
  name: 'coldstart',
  summary: 'process start → first /health, and python -X importtime: generated vs. hand-written',
  async run(log): Promise<BenchOutcome> {
    const runs = num('BENCH_COLDSTART_RUNS', 15);
    const importRuns = num('BENCH_COLDSTART_IMPORT_RUNS', 15);
    const pollMs = 5;
    const tmp = tempDir('coldstart');
    try {
      const gen = generateInto('billing', tmp.dir);
      const baseDir = copyBaseline('billing', tmp.dir);
      const python = await appPython(gen.requirements, log);
      const versions = await pythonVersions(python);
      const specs = {
        generated: { label: 'generated', python, appDir: gen.dir, module: 'app.main:app', logFile: join(tmp.dir, 'generated.log') },
        handwritten: { label: 'hand-written', python, appDir: baseDir, module: 'main:app', logFile: join(tmp.dir, 'handwritten.log') },
      } satisfies Record<string, ServerSpec>;
      const mods = { generated: { dir: gen.dir, module: 'app.main' }, handwritten: { dir: baseDir, module: 'main' } };
      const keys = ['generated', 'handwritten'] as const;

      // Untimed first run of each: writes the bytecode caches.
      for (const k of keys) await timeToHealthy(specs[k], pollMs);
      const health: Record<string, number[]> = { generated: [], handwritten: [] };
      for (let i = 0; i < runs; i++) {
        for (const k of i % 2 ? [...keys].reverse() : keys) health[k].push(await timeToHealthy(specs[k], pollMs));
        log(`run ${i + 1}/${runs}: generated ${Math.round(health.generated[i])} ms, hand-written ${Math.round(health.handwritten[i])} ms`);
      }
      const imports: Record<string, { totalUs: number; moduleCumulativeUs: number; modules: number }[]> = { generated: [], handwritten: [] };
      for (let i = 0; i < importRuns; i++) {
        for (const k of i % 2 ? [...keys].reverse() : keys) imports[k].push(await importTime(python, mods[k].dir, mods[k].module));
      }
      const ratioOf = (xs: number[], ys: number[]) => round(median(xs.map((x, i) => x / ys[i])), 3);
      const healthRatio = ratioOf(health.generated, health.handwritten);
      const importRatio = ratioOf(
        imports.generated.map((x) => x.totalUs),
        imports.handwritten.map((x) => x.totalUs),
      );
      const summary = (k: 'generated' | 'handwritten') => ({
        toHealthyMs: { median: round(median(health[k]), 1), min: round(Math.min(...health[k]), 1), max: round(Math.max(...health[k]), 1), runs: health[k].map((x) => round(x, 1)) },
        importTimeMs: {
          median: round(median(imports[k].map((x) => x.totalUs)) / 1000, 1),
          min: round(Math.min(...imports[k].map((x) => x.totalUs)) / 1000, 1),
          runs: imports[k].map((x) => round(x.totalUs / 1000, 1)),
          modules: imports[k][0].modules,
          appModuleCumulativeMs: round(median(imports[k].map((x) => x.moduleCumulativeUs)) / 1000, 1),
        },
      });
      const g = summary('generated');
      const h = summary('handwritten');
      return {
        status: 'ok',
        method:
          `Start → healthy: spawn \`python -m uvicorn <app> ${UVICORN_FLAGS.join(' ')}\` on 127.0.0.1 and GET /health every ${pollMs} ms until 200 (wall time from spawn, measured by the Node parent; ` +
          `includes interpreter start, imports, app construction, lifespan startup, and up to ${pollMs} ms of polling granularity); then SIGTERM. ${runs} runs each, alternating, after one untimed run each (warm bytecode and file caches). ` +
          `Import time: \`python -X importtime -c "import <app module>"\` (app.main for the generated app, main for the baseline), sum of the self column over every module imported, ${importRuns} runs each, alternating. ` +
          'Ratios per adjacent pair, then the median.',
        settings: { runs, importRuns, pollMs, uvicorn: UVICORN_FLAGS.join(' ') },
        versions,
        metrics: { generated: g, handwritten: h, ratios: { toHealthy: healthRatio, importTime: importRatio } },
        targets: [
          { id: 'to-healthy-ratio', description: 'start → first /health, generated / hand-written', threshold: '<= 1.2', value: healthRatio, met: healthRatio <= 1.2 },
          { id: 'importtime-ratio', description: 'import time (-X importtime total), generated / hand-written', threshold: '<= 1.2', value: importRatio, met: importRatio <= 1.2 },
        ],
        tables: [
          {
            title: 'Cold start (ms; medians)',
            columns: ['app', 'start → /health', 'min', 'import time', 'modules imported', 'app module cumulative'],
            rows: [
              ['generated billing', g.toHealthyMs.median, g.toHealthyMs.min, g.importTimeMs.median, g.importTimeMs.modules, g.importTimeMs.appModuleCumulativeMs],
              ['hand-written billing', h.toHealthyMs.median, h.toHealthyMs.min, h.importTimeMs.median, h.importTimeMs.modules, h.importTimeMs.appModuleCumulativeMs],
              ['ratio generated / hand-written', healthRatio, null, importRatio, null, null],
            ],
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
