/**
 * `deploy`: a no-op deploy. `catalyst up --env local` once (deploys the example projects as local
 * processes), then again with nothing changed, timed; and proof that nothing was rebuilt or restarted:
 * every local app keeps its pid, and Pulumi's last update of every stack reports only unchanged
 * resources (`pulumi stack history`).
 *
 * It runs in an isolated copy of the repository (a temp dir: src/, templates/, projects/, stacks/,
 * Pulumi.yaml, package.json, bin/ copied; node_modules/, .tools/ and the venv cache .cache/ linked) with
 * its own file backend and free ports (catalyst:port), so it neither touches the checkout's
 * .pulumi-state and running apps nor collides with anyone else's. Everything is destroyed at the end.
 * When it cannot run (no engine, `catalyst up` fails), it records exactly why and no numbers.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pulumiBinary, pulumiEnv } from '../src/pulumi/pulumi.ts';
import { exec, freePort, median, NODE, ROOT, round, tempDir, versionOf, type Bench, type BenchOutcome } from './lib/common.ts';
import { getStatus } from './lib/python.ts';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);

const COPY = ['src', 'templates', 'projects', 'stacks', 'bin', 'schemas', 'Pulumi.yaml', 'package.json'];
const LINK = ['node_modules', '.tools', '.cache'];

interface StackState {
  stack: string;
  pid: number | null;
  alive: boolean;
  url: string | null;
}

/** The isolated workspace; returns its local stacks and the ports given to them. */
function makeWorkspace(ws: string, ports: number[]): { stacks: string[]; ports: Record<string, number> } {
  for (const p of COPY) if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(ws, p), { recursive: true, filter: (src) => !src.includes('__pycache__') });
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  // The file backend's directory (older `catalyst up` versions did not create it themselves).
  mkdirSync(join(ws, '.pulumi-state'), { recursive: true });
  for (const p of LINK) if (existsSync(join(ROOT, p))) symlinkSync(join(ROOT, p), join(ws, p));
  const stacks: string[] = [];
  const given: Record<string, number> = {};
  for (const f of readdirSync(join(ws, 'stacks')).sort()) {
    const m = /^Pulumi\.([a-z0-9-]+)\.local\.ya?ml$/.exec(f);
    if (!m) continue;
    const stack = `${m[1]}.local`;
    const port = ports[stacks.length];
    stacks.push(stack);
    given[stack] = port;
    const file = join(ws, 'stacks', f);
    const text = readFileSync(file, 'utf8');
    if (!/^config:\s*$/m.test(text) || /catalyst:port:/.test(text)) throw new Error(`cannot set a port in ${f}`);
    writeFileSync(file, text.replace(/^config:\s*$/m, `config:\n  catalyst:port: "${port}"`));
  }
  return { stacks, ports: given };
}

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // The workspace's own file backend and the documented local passphrase (pulumiEnv), nothing inherited.
  for (const k of ['PULUMI_BACKEND_URL', 'PULUMI_CONFIG_PASSPHRASE', 'PULUMI_CONFIG_PASSPHRASE_FILE', 'PULUMI_ACCESS_TOKEN']) delete env[k];
  return env;
}

async function catalyst(ws: string, args: string[], timeoutMs = 30 * 60_000) {
  return exec(NODE, [join(ws, 'bin', 'catalyst.js'), ...args], { cwd: ws, env: childEnv(), timeoutMs });
}

function tail(text: string, n = 40): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

async function stackStates(ws: string, stacks: string[]): Promise<StackState[]> {
  const out: StackState[] = [];
  for (const stack of stacks) {
    const pidFile = join(ws, '.catalyst', 'run', stack, 'app.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || null : null;
    let alive = false;
    if (pid) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    out.push({ stack, pid, alive, url: null });
  }
  return out;
}

/** resourceChanges of the last update of a stack (e.g. {"same": 5}). */
async function lastChanges(ws: string, stack: string): Promise<Record<string, number>> {
  const r = await exec(pulumiBinary(ws), ['stack', 'history', '--json', '--stack', stack], { cwd: ws, env: pulumiEnv(ws, stack, childEnv()) });
  if (r.code !== 0) throw new Error(`pulumi stack history --stack ${stack} failed: ${tail(r.stderr || r.stdout, 10)}`);
  const list = JSON.parse(r.stdout) as { kind: string; result: string; resourceChanges?: Record<string, number> }[];
  const last = list.find((u) => u.kind === 'update') ?? list[0];
  if (!last) throw new Error(`stack ${stack} has no update history`);
  return last.resourceChanges ?? {};
}

const notRun = (reason: string, extra: Partial<BenchOutcome> = {}): BenchOutcome => ({
  status: 'not-run',
  reason,
  method: 'catalyst up --env local twice in an isolated copy of the repository; the second one timed (see bench/deploy.ts).',
  settings: {},
  versions: {},
  metrics: {},
  targets: [
    { id: 'noop-zero-changes', description: 'second `catalyst up --env local`: Pulumi reports 0 changes', threshold: 'only "same"', value: null, met: null, note: 'not run' },
    { id: 'noop-no-restart', description: 'second `catalyst up --env local`: every local app keeps its pid', threshold: 'pids unchanged', value: null, met: null, note: 'not run' },
  ],
  tables: [],
  notes: [],
  ...extra,
});

export const bench: Bench = {
  name: 'deploy',
  summary: 'no-op deploy: time of a second `catalyst up --env local`; nothing rebuilt or restarted',
  async run(log): Promise<BenchOutcome> {
    const noops = num('BENCH_DEPLOY_NOOPS', 3);
    let binary: string;
    try {
      binary = pulumiBinary(ROOT);
    } catch (err) {
      return notRun(`no Pulumi engine: ${(err as Error).message}`);
    }
    const pulumiVersion = versionOf(binary, ['version']);
    if (!pulumiVersion) return notRun(`the Pulumi engine at ${binary} does not run (\`pulumi version\` failed); rebuild it with scripts/setup-engine.sh`);
    const tmp = tempDir('deploy');
    const ws = join(tmp.dir, 'ws');
    mkdirSync(ws);
    let deployed = false;
    try {
      const { stacks, ports } = makeWorkspace(ws, await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]));
      if (!stacks.length) return notRun('there are no stacks/Pulumi.<project>.local.yaml to deploy');
      log(`isolated workspace ${ws}; stacks ${stacks.map((s) => `${s} (port ${ports[s]})`).join(', ')}`);

      log('first `catalyst up --env local` (creates the stacks, generates the apps, starts them)…');
      const first = await catalyst(ws, ['up', '--env', 'local']);
      deployed = true;
      if (first.code !== 0) {
        return notRun(`the first \`catalyst up --env local\` failed (exit ${first.code}), so there is nothing to re-deploy; its output ends with:\n${tail(`${first.stdout}\n${first.stderr}`)}`, {
          versions: { pulumi: pulumiVersion, node: process.version },
          metrics: { firstUpMs: round(first.ms, 0) },
        });
      }
      log(`first up: ${Math.round(first.ms)} ms`);
      const before = await stackStates(ws, stacks);
      const health: Record<string, number> = {};
      for (const s of stacks) health[s] = await getStatus(`http://127.0.0.1:${ports[s]}/health`, 5000);
      const missing = before.filter((s) => !s.pid || !s.alive);
      if (missing.length) {
        return notRun(`after the first up, no running local app for ${missing.map((s) => s.stack).join(', ')} (no pid file or the process is gone); cannot check restarts`, {
          versions: { pulumi: pulumiVersion, node: process.version },
          metrics: { firstUpMs: round(first.ms, 0), states: before },
        });
      }

      const noopRuns: { ms: number; durations: string[]; changes: Record<string, Record<string, number>>; pidsSame: boolean; healthy: boolean }[] = [];
      for (let i = 0; i < noops; i++) {
        const r = await catalyst(ws, ['up', '--env', 'local']);
        if (r.code !== 0) {
          return notRun(`no-op \`catalyst up --env local\` #${i + 1} failed (exit ${r.code}); its output ends with:\n${tail(`${r.stdout}\n${r.stderr}`)}`, {
            versions: { pulumi: pulumiVersion, node: process.version },
            metrics: { firstUpMs: round(first.ms, 0) },
          });
        }
        const after = await stackStates(ws, stacks);
        const changes: Record<string, Record<string, number>> = {};
        for (const s of stacks) changes[s] = await lastChanges(ws, s);
        const pidsSame = after.every((a, j) => a.alive && a.pid === before[j].pid);
        let healthy = true;
        for (const s of stacks) if ((await getStatus(`http://127.0.0.1:${ports[s]}/health`, 5000)) !== 200) healthy = false;
        const durations = [...`${r.stdout}\n${r.stderr}`.matchAll(/^\s*Duration:\s*(\S+)/gm)].map((m) => m[1]);
        noopRuns.push({ ms: r.ms, durations, changes, pidsSame, healthy });
        log(`no-op up #${i + 1}: ${Math.round(r.ms)} ms (pulumi durations ${durations.join(', ')}); changes ${JSON.stringify(changes)}; pids ${pidsSame ? 'unchanged' : 'CHANGED'}`);
      }
      // Part of every run: the engine's own start (`pulumi stack ls`, the first thing `catalyst up` runs).
      const lsMs: number[] = [];
      for (let i = 0; i < 3; i++) lsMs.push((await exec(binary, ['stack', 'ls', '--json', '--all'], { cwd: ws, env: pulumiEnv(ws, undefined, childEnv()) })).ms);
      const noopMs = round(median(noopRuns.map((r) => r.ms)), 0);
      const onlySame = noopRuns.every((r) => Object.values(r.changes).every((c) => Object.keys(c).every((k) => k === 'same')));
      const allPidsSame = noopRuns.every((r) => r.pidsSame);
      const changesText = JSON.stringify(noopRuns[noopRuns.length - 1].changes);
      return {
        status: 'ok',
        method:
          `Isolated copy of the repository in a temp dir (own file backend, free ports via catalyst:port, shared venv cache); \`catalyst up --env local\` once (not judged), then ${noops} more times with nothing changed, ` +
          'each timed from spawn to exit (the whole CLI: dependency order, one `pulumi up` per stack, each running the Pulumi program, which loads the definitions and generates the apps in memory). ' +
          'After each: the pid file of every local app (.catalyst/run/<stack>/app.pid) compared with the one after the first up and checked alive, GET /health, and `pulumi stack history --json` ' +
          '(resourceChanges of the last update must be only "same"). Finally `catalyst down --env local`.',
        settings: { noops, stacks, ports },
        versions: { pulumi: pulumiVersion, node: process.version },
        metrics: {
          firstUpMs: round(first.ms, 0),
          noopUpMs: noopMs,
          noopRuns: noopRuns.map((r) => ({ ms: round(r.ms, 0), pulumiDurations: r.durations, changes: r.changes, pidsSame: r.pidsSame, healthy: r.healthy })),
          pids: Object.fromEntries(before.map((s) => [s.stack, s.pid])),
          pulumiStackLsMs: round(median(lsMs), 0),
          healthAfterFirstUp: health,
        },
        targets: [
          { id: 'noop-zero-changes', description: 'no-op `catalyst up --env local`: Pulumi reports 0 changes (every stack)', threshold: 'only "same"', value: changesText, met: onlySame },
          { id: 'noop-no-restart', description: 'no-op `catalyst up --env local`: every local app keeps its pid', threshold: 'pids unchanged', value: allPidsSame ? 'unchanged' : 'changed', met: allPidsSame },
        ],
        tables: [
          {
            title: `catalyst up --env local (${stacks.length} stacks)`,
            columns: ['run', 'wall ms', 'pulumi durations', 'changes', 'pids', '/health'],
            rows: [
              ['first (creates everything)', round(first.ms, 0), '', '', '', Object.values(health).every((h) => h === 200) ? '200' : JSON.stringify(health)],
              ...noopRuns.map((r, i) => [`no-op #${i + 1}`, round(r.ms, 0), r.durations.join(', '), JSON.stringify(r.changes), r.pidsSame ? 'unchanged' : 'CHANGED', r.healthy ? '200' : 'not 200']),
              ['no-op median', noopMs, '', '', '', ''],
              ['(`pulumi stack ls` alone: engine start)', round(median(lsMs), 0), '', '', '', ''],
            ],
          },
        ],
        notes: [],
      };
    } finally {
      if (deployed) {
        log('catalyst down --env local (stops the local apps of the isolated workspace)…');
        const down = await catalyst(ws, ['down', '--env', 'local']).catch((e: Error) => ({ code: 1, stdout: '', stderr: e.message }));
        if (down.code !== 0) log(`WARNING: catalyst down failed:\n${tail(`${down.stdout}\n${down.stderr}`, 15)}`);
        // Whatever is still running from this workspace was started by this benchmark: stop it by pid.
        const runDir = join(ws, '.catalyst', 'run');
        const left = existsSync(runDir) ? await stackStates(ws, readdirSync(runDir)) : [];
        for (const s of left.filter((x) => x.pid && x.alive)) {
          log(`stopping leftover app of ${s.stack} (pid ${s.pid})`);
          try {
            process.kill(s.pid!, 'SIGTERM');
          } catch {
            // already gone
          }
        }
      }
      if (!process.env.BENCH_KEEP_TMP) tmp.cleanup();
    }
  },
};
