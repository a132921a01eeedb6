/**
 * `generate`: `catalyst validate` and `catalyst generate` on synthetic projects of 10, 100 and 1,000
 * workflows (bench/lib/synth.ts, written to a temp dir), each command in a fresh Node process
 * (bench/lib/cli-child.ts): wall time, CPU time and peak RSS; how they grow with the number of
 * workflows (least-squares line, and the per-workflow cost of 100→1,000 vs. 10→100).
 * `catalyst help` in the same harness is the fixed cost every command pays (Node start + CLI modules).
 */
import { join } from 'node:path';
import { exec, linearFit, median, NODE, ROOT, round, tempDir, type Bench, type BenchOutcome, type Table, type Target } from './lib/common.ts';
import { writeSynthProject } from './lib/synth.ts';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);

interface Sample {
  wallMs: number;
  cmdMs: number;
  cpuMs: number;
  maxRssKb: number;
}

async function runCli(cwd: string, args: string[]): Promise<Sample> {
  const r = await exec(NODE, [join(ROOT, 'bench', 'lib', 'cli-child.ts'), cwd, ...args], { cwd, timeoutMs: 10 * 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (r.code !== 0 || !line) throw new Error(`catalyst ${args.join(' ')} failed in ${cwd} (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
  const j = JSON.parse(line.slice('BENCH_JSON '.length)) as { ms: number; cpuMs: number; maxRssKb: number };
  return { wallMs: r.ms, cmdMs: j.ms, cpuMs: j.cpuMs, maxRssKb: j.maxRssKb };
}

const med = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));

export const bench: Bench = {
  name: 'generate',
  summary: 'catalyst validate / generate for 10, 100, 1,000 workflows: time, memory, growth',
  async run(log): Promise<BenchOutcome> {
    const sizes = (process.env.BENCH_GENERATE_SIZES ?? '10,100,1000').split(',').map(Number);
    const reps = num('BENCH_GENERATE_REPS', 5);
    const tmp = tempDir('generate');
    try {
      const roots = new Map<number, string>();
      for (const n of sizes) {
        const root = join(tmp.dir, `ws-${n}`);
        writeSynthProject(root, n);
        roots.set(n, root);
      }
      const commands = {
        validate: (n: number) => ['validate', 'projects'],
        generate: (n: number) => ['generate', 'synth', '--out', join(tmp.dir, `out-${n}`)],
      };
      const samples: Record<string, Map<number, Sample[]>> = { validate: new Map(), generate: new Map(), help: new Map([[0, []]]) };
      for (const n of sizes) for (const c of ['validate', 'generate']) samples[c].set(n, []);
      // One untimed pass (file caches), then rounds over every size and command, order alternating.
      for (const n of sizes) for (const [, args] of Object.entries(commands)) await runCli(roots.get(n)!, args(n));
      for (let r = 0; r < reps; r++) {
        const order = r % 2 ? [...sizes].reverse() : sizes;
        samples.help.get(0)!.push(await runCli(tmp.dir, ['help']));
        for (const n of order) {
          for (const [c, args] of Object.entries(commands)) {
            const s = await runCli(roots.get(n)!, args(n));
            samples[c].get(n)!.push(s);
            log(`round ${r + 1}/${reps}: ${c} ${n} workflows: wall ${Math.round(s.wallMs)} ms, CPU ${Math.round(s.cpuMs)} ms, max RSS ${Math.round(s.maxRssKb / 1024)} MiB`);
          }
        }
      }

      const metrics: Record<string, unknown> = {};
      const rows: Table['rows'] = [];
      const growthRows: Table['rows'] = [];
      const targets: Target[] = [];
      const help = samples.help.get(0)!;
      metrics.help = { wallMs: round(med(help, 'wallMs'), 1), cpuMs: round(med(help, 'cpuMs'), 1), maxRssMiB: round(med(help, 'maxRssKb') / 1024, 1) };
      rows.push(['help (fixed cost)', 0, round(med(help, 'wallMs'), 1), round(med(help, 'cmdMs'), 1), round(med(help, 'cpuMs'), 1), round(med(help, 'maxRssKb') / 1024, 1)]);
      for (const c of ['validate', 'generate'] as const) {
        const per: Record<string, unknown> = {};
        for (const n of sizes) {
          const xs = samples[c].get(n)!;
          per[n] = {
            wallMs: round(med(xs, 'wallMs'), 1),
            commandMs: round(med(xs, 'cmdMs'), 1),
            cpuMs: round(med(xs, 'cpuMs'), 1),
            maxRssMiB: round(med(xs, 'maxRssKb') / 1024, 1),
            runs: xs.map((x) => ({ wallMs: round(x.wallMs, 1), commandMs: round(x.cmdMs, 1), cpuMs: round(x.cpuMs, 1), maxRssMiB: round(x.maxRssKb / 1024, 1) })),
          };
          rows.push([c, n, round(med(xs, 'wallMs'), 1), round(med(xs, 'cmdMs'), 1), round(med(xs, 'cpuMs'), 1), round(med(xs, 'maxRssKb') / 1024, 1)]);
        }
        const ns = sizes;
        const fitOf = (k: keyof Sample, scale = 1) => linearFit(ns, ns.map((n) => med(samples[c].get(n)!, k) / scale));
        const cpuFit = fitOf('cpuMs');
        const wallFit = fitOf('wallMs');
        const memFit = fitOf('maxRssKb', 1024);
        // Per-workflow cost of each step between sizes: equal for linear growth, rising for superlinear.
        const at = (n: number) => med(samples[c].get(n)!, 'cpuMs');
        const steps = ns.slice(1).map((n, i) => ({ from: ns[i], to: n, cpuMsPerWorkflow: round((at(n) - at(ns[i])) / (n - ns[i]), 3) }));
        const growth = steps.length >= 2 && steps[0].cpuMsPerWorkflow > 0 ? round(steps[steps.length - 1].cpuMsPerWorkflow / steps[0].cpuMsPerWorkflow, 2) : null;
        per.fit = {
          cpu: { interceptMs: round(cpuFit.intercept, 1), msPerWorkflow: round(cpuFit.slope, 3), r2: round(cpuFit.r2, 4) },
          wall: { interceptMs: round(wallFit.intercept, 1), msPerWorkflow: round(wallFit.slope, 3), r2: round(wallFit.r2, 4) },
          memory: { interceptMiB: round(memFit.intercept, 1), kibPerWorkflow: round(memFit.slope * 1024, 1), r2: round(memFit.r2, 4) },
          steps,
          lastStepOverFirstStep: growth,
        };
        metrics[c] = per;
        growthRows.push([c, round(cpuFit.intercept, 1), round(cpuFit.slope, 3), round(cpuFit.r2, 4), ...steps.map((s) => s.cpuMsPerWorkflow), growth, round(memFit.slope * 1024, 1)]);
        if (ns.includes(100)) {
          const cpu100 = round(med(samples[c].get(100)!, 'cpuMs'), 1);
          const wall100 = round(med(samples[c].get(100)!, 'wallMs'), 1);
          targets.push({
            id: `${c}-100`,
            description: `catalyst ${c}, 100 workflows (wall, whole process; CPU ${cpu100} ms)`,
            threshold: '< 1000 ms',
            value: wall100,
            met: wall100 < 1000,
          });
        }
        if (growth !== null) {
          targets.push({
            id: `${c}-linear`,
            description: `catalyst ${c}: linear growth (CPU ms per workflow, ${steps[steps.length - 1].from}→${steps[steps.length - 1].to} ÷ ${steps[0].from}→${steps[0].to})`,
            threshold: '<= 1.5',
            value: growth,
            met: growth <= 1.5,
          });
        }
      }
      return {
        status: 'ok',
        method:
          `Synthetic project (bench/lib/synth.ts) with N workflows, N in ${sizes.join(', ')}: transform → condition → respond/respond, half public, every fourth calling the previous one in-process. ` +
          'Each command runs in a fresh Node process (bench/lib/cli-child.ts runs src/cli/main.ts like bin/catalyst.js does): wall = spawn → exit, measured by the parent; ' +
          'command = inside the child, main() only; CPU = user + system time of the child (process.resourceUsage); max RSS = peak resident memory of the child. ' +
          `One untimed pass, then ${reps} rounds over all sizes (order alternating); medians. ` +
          'The 100-workflow target is judged on wall time (what a user waits for). CPU time is reported next to it: it can exceed wall (V8 compiles and collects garbage on other threads), and on a busy machine wall exceeds CPU (preemption). ' +
          'Growth: least-squares line through the medians, and the CPU cost per workflow of each step between sizes (equal steps ⇒ linear).',
        settings: { sizes, reps },
        versions: { node: process.version },
        metrics,
        targets,
        tables: [
          { title: 'Per command and size (medians)', columns: ['command', 'workflows', 'wall ms', 'command ms', 'CPU ms', 'max RSS MiB'], rows },
          {
            title: 'Growth (CPU time)',
            columns: ['command', 'fixed ms', 'ms / workflow (fit)', 'R²', ...sizes.slice(1).map((n, i) => `ms/wf ${sizes[i]}→${n}`), 'last ÷ first step', 'RSS KiB / workflow'],
            rows: growthRows,
          },
        ],
        notes: [],
      };
    } finally {
      tmp.cleanup();
    }
  },
};
