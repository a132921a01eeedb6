import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { writeApp, type GeneratedApp } from '../../codegen/index.ts';
import { defaultVenvCache, ensureVenv, findPython } from '../../codegen/python-env.ts';
import type { ProjectModel } from '../../definitions/model.ts';
import { UserError } from '../../shared/errors.ts';
import { flagBool, flagString, parseArgs } from '../args.ts';
import { CliError, type Command } from '../types.ts';
import { generateForCli, loadProjectForCli } from './generate.ts';

/** A free TCP port on the loopback interface. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function gitVersion(cwd: string): { commit?: string; dirty?: string } {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return {};
  const status = spawnSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.status === 0 ? String(status.stdout.trim() !== '') : undefined };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll GET /ready until 200; false when the process exits first or the time is up. */
async function waitReady(url: string, child: ChildProcess, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null && !signal?.aborted) {
    try {
      const r = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

interface DevState {
  child?: ChildProcess;
  app: GeneratedApp;
  project: ProjectModel;
}

export const command: Command = {
  name: 'dev',
  summary: 'run a project\'s generated app locally; regenerate and restart on every definition change',
  usage: `catalyst dev <project name or project directory> [--port N] [--once] [--no-watch]

Generates the app into .catalyst/dev/<project>, installs its requirements into a cached virtualenv
(.cache/venvs/<hash>, or $CATALYST_CACHE_DIR/venvs), and runs it on 127.0.0.1 with the project's env settings (your environment
overrides them; secrets come from your environment). Watches the project directory: a valid change
regenerates the app and restarts it; an invalid one is reported and the running app keeps serving.
  --port N     port to listen on (default 8000; 0 picks a free one)
  --once       exit after the app first answers /ready (a smoke check)
  --no-watch   run without watching for changes
Stop with Ctrl-C.`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['port'], booleans: ['once', 'no-watch'] });
    if (args.positionals.length !== 1) throw new CliError('give one project: catalyst dev <project name or directory>');
    const portFlag = flagString(args, 'port') ?? '8000';
    if (!/^\d+$/.test(portFlag) || Number(portFlag) > 65535) throw new CliError(`--port must be a port number, got "${portFlag}"`);
    const python = findPython(ctx.env);
    const loaded = loadProjectForCli(args.positionals[0], ctx);
    const state: DevState = { project: loaded.project, app: generateForCli(loaded.project, loaded.workspace) };
    const appDir = join(ctx.cwd, '.catalyst', 'dev', state.project.name);
    writeApp(state.app, appDir);
    ctx.stdout(`generated ${state.project.name} → ${relative(ctx.cwd, appDir)} (${state.app.contentHash.slice(0, 12)})\n`);

    const requirements = state.app.files.get('requirements.txt')!;
    const started = Date.now();
    const cache = ctx.env.CATALYST_CACHE_DIR ? join(resolve(ctx.cwd, ctx.env.CATALYST_CACHE_DIR), 'venvs') : defaultVenvCache(ctx.cwd);
    const venv = await ensureVenv(requirements, cache, { python, log: (l) => ctx.stdout(`${l}\n`) });
    ctx.stdout(`virtualenv ${relative(ctx.cwd, venv.dir)} ${venv.created ? `built in ${((Date.now() - started) / 1000).toFixed(1)}s` : '(cached)'}\n`);

    const port = Number(portFlag) === 0 ? await freePort() : Number(portFlag);
    const url = `http://127.0.0.1:${port}`;
    const git = gitVersion(ctx.cwd);
    const childEnv = (project: ProjectModel): NodeJS.ProcessEnv => ({
      ...Object.fromEntries(Object.entries(project.env).map(([k, v]) => [k, String(v)])),
      ...ctx.env,
      PORT: String(port),
      CATALYST_HOST: '127.0.0.1',
      ...(git.commit ? { CATALYST_GIT_COMMIT: git.commit } : {}),
      ...(git.dirty ? { CATALYST_GIT_DIRTY: git.dirty } : {}),
    });

    const controller = new AbortController();
    const signal = ctx.signal ?? controller.signal;
    const onSignal = () => controller.abort();
    if (!ctx.signal) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }

    const start = async (): Promise<boolean> => {
      const child = spawn(venv.python, ['-m', 'app'], { cwd: appDir, env: childEnv(state.project), stdio: ['ignore', 'pipe', 'pipe'] });
      state.child = child;
      child.stdout!.on('data', (d: Buffer) => ctx.stdout(d.toString()));
      child.stderr!.on('data', (d: Buffer) => ctx.stdout(d.toString()));
      const ok = await waitReady(url, child, 30_000, signal);
      if (ok) {
        const routes = state.project.workflows.flatMap((w) => (w.trigger.type === 'webhook' ? [`${w.trigger.method} ${url}${w.trigger.path}`] : []));
        ctx.stdout(`ready: ${url} (content hash ${state.app.contentHash.slice(0, 12)})\n${routes.map((r) => `  ${r}\n`).join('')}`);
      } else if (!signal.aborted) {
        await sleep(50);
        const how = child.exitCode !== null ? `exited with code ${child.exitCode}` : 'did not become ready within 30s';
        ctx.stderr(`the app ${how}; see its log above${child.exitCode === 78 ? ' (a missing secret or a malformed setting: set it in your environment)' : ''}\n`);
        await stop(child);
      }
      return ok;
    };

    let watcher: FSWatcher | undefined;
    try {
      const ok = await start();
      if (flagBool(args, 'once') || signal.aborted) return ok ? 0 : 1;
      if (!flagBool(args, 'no-watch')) {
        let timer: NodeJS.Timeout | undefined;
        let chain = Promise.resolve();
        const reload = async () => {
          let next;
          try {
            const l = loadProjectForCli(state.project.dir, ctx);
            next = { project: l.project, app: generateForCli(l.project, l.workspace) };
          } catch (err) {
            ctx.stderr(`${err instanceof UserError ? err.message : String(err)}\n(still serving the previous version)\n`);
            return;
          }
          if (next.app.contentHash === state.app.contentHash && state.child?.exitCode === null) return;
          ctx.stdout(`change detected: regenerating ${next.project.name}\n`);
          await stop(state.child);
          state.project = next.project;
          state.app = next.app;
          writeApp(state.app, appDir);
          if (await start()) ctx.stdout(`reloaded ${state.project.name} (${state.app.contentHash.slice(0, 12)})\n`);
        };
        watcher = watch(state.project.dir, { recursive: true }, () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            chain = chain.then(reload);
          }, 150);
        });
        ctx.stdout(`watching ${relative(ctx.cwd, state.project.dir) || '.'} for changes (Ctrl-C to stop)\n`);
      }
      await new Promise<void>((r) => {
        if (signal.aborted) r();
        else signal.addEventListener('abort', () => r(), { once: true });
      });
      return 0;
    } finally {
      watcher?.close();
      await stop(state.child);
      if (!ctx.signal) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }
  },
};
