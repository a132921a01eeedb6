/**
 * The `local` target's implementation: run a generated app as a detached process on this machine.
 *
 * Loaded by the dynamic provider (./provider.ts) with `await import()` inside each provider method,
 * so this module may import freely; it holds no module-level state.
 *
 * - start: ensure the cached venv (src/codegen/python-env.ts), start `python -m app` detached on
 *   127.0.0.1:<port> with the plain env + secret env + PORT, write `<runDir>/app.pid` and
 *   `<runDir>/app.log`, and wait for `GET /health` = 200. If the app exits or does not become
 *   healthy in time, stop it and fail with the log tail (secret values masked).
 * - stop: SIGTERM the process group, SIGKILL after a grace period, wait for the port to close,
 *   remove the pid and log files (and the run directory when empty).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ensureVenv } from '../../../codegen/python-env.ts';
import { stableJson } from '../../../shared/json.ts';
import { files, isAppProcess, portInUse, sleep, stopProcess } from '../../../shared/process.ts';

/** The provider (./provider.ts) loads this module at run time and asks it whether a pid is still the app. */
export { isAppProcess };

export interface LocalAppInputs {
  stack: string;
  project: string;
  /** Generated app directory (content-addressed). */
  appDir: string;
  contentHash: string;
  host: string;
  port: number;
  /** Plain environment (no secrets). */
  env: Record<string, string>;
  /** Secret environment (a secret input: Pulumi stores it encrypted). */
  secretEnv: Record<string, string>;
  /** `.catalyst/run/<stack>` (absolute). */
  runDir: string;
  /** Cache directory of the Python virtual environments (absolute). */
  venvDir: string;
  /** How long to wait for /health after the process started, ms. */
  startTimeoutMs: number;
}

export interface LocalAppOutputs extends LocalAppInputs {
  pid: number;
  url: string;
  pidFile: string;
  logFile: string;
  python: string;
}

/** Inputs whose change restarts the app (with the new inputs, as a replacement). */
export const RESTART_KEYS = ['appDir', 'contentHash', 'env', 'secretEnv', 'host', 'port'] as const;

/** Variables of the deploying environment the app may see (never PULUMI_*, never the passphrase). */
// The last two: the generated app's test-only fast clock (schedules), which tests set in the deploying
// environment; `catalyst:env` may not set them, so no deployed app (and no other target) ever gets them.
const PASS_THROUGH_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'CATALYST_TEST_CLOCK_SPEED', 'CATALYST_TEST_CLOCK_ORIGIN'];

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.status === 200;
  } catch {
    return false;
  }
}

/** The last lines of the log with every secret value masked. */
export function logTail(logFile: string, secrets: Record<string, string>, lines = 40): string {
  let text = '';
  try {
    const buf = readFileSync(logFile);
    text = buf.subarray(Math.max(0, buf.length - 16_384)).toString('utf8');
  } catch {
    return '(no log output)';
  }
  for (const v of Object.values(secrets)) if (v && v.length >= 4) text = text.split(v).join('[secret]');
  const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
  return tail || '(no log output)';
}

async function waitPortFree(host: string, port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await portInUse(host, port))) await sleep(100);
}

function readPid(pidFile: string): number | undefined {
  try {
    const n = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

function removeRunFiles(runDir: string, keepLog: boolean): void {
  const f = files(runDir);
  rmSync(f.pidFile, { force: true });
  if (!keepLog) rmSync(f.logFile, { force: true });
  try {
    if (existsSync(runDir) && readdirSync(runDir).length === 0) rmdirSync(runDir);
  } catch {
    /* not empty or already gone */
  }
}

/** The app's environment: an allowlist of the deploying environment, then plain, secret, PORT. */
export function processEnv(inputs: LocalAppInputs, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASS_THROUGH_ENV) if (base[k] !== undefined) env[k] = base[k]!;
  Object.assign(env, inputs.env, inputs.secretEnv);
  env.PORT = String(inputs.port);
  env.CATALYST_HOST = inputs.host;
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  return env;
}

/** Start the app and wait until it is healthy; on failure nothing is left running. */
export async function startApp(inputs: LocalAppInputs): Promise<LocalAppOutputs> {
  const { pidFile, logFile } = files(inputs.runDir);
  const url = `http://${inputs.host}:${inputs.port}`;
  mkdirSync(inputs.runDir, { recursive: true });
  // A process left behind by an interrupted run of this stack holds the port: stop it.
  const stale = readPid(pidFile);
  if (stale !== undefined) await stopProcess(stale);
  if (await portInUse(inputs.host, inputs.port)) {
    throw new Error(
      `local: port ${inputs.port} on ${inputs.host} is already in use by another process; stop it, or give this stack another port: ` +
        `pulumi config set catalyst:port <port> --stack ${inputs.stack}`,
    );
  }
  const requirements = readFileSync(join(inputs.appDir, 'requirements.txt'), 'utf8');
  const { python } = await ensureVenv(requirements, inputs.venvDir);
  const log = openSync(logFile, 'w', 0o600);
  let pid: number;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  try {
    const child = spawn(python, ['-m', 'app'], { cwd: inputs.appDir, env: processEnv(inputs), detached: true, stdio: ['ignore', log, log] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    child.once('exit', (code, signal) => {
      exited = { code, signal };
    });
    child.unref();
    pid = child.pid!;
  } finally {
    closeSync(log);
  }
  writeFileSync(pidFile, `${pid}\n`, { mode: 0o600 });
  const deadline = Date.now() + inputs.startTimeoutMs;
  let ok = false;
  while (Date.now() < deadline) {
    if (exited) break;
    if (await healthy(url)) {
      ok = true;
      break;
    }
    await sleep(200);
  }
  if (!ok) {
    await stopProcess(pid);
    removeRunFiles(inputs.runDir, true);
    const why = exited ? `exited (${exited.signal ?? `code ${exited.code}`}) before it became healthy` : `did not answer GET ${url}/health with 200 within ${Math.round(inputs.startTimeoutMs / 1000)}s`;
    throw new Error(`local: ${inputs.project} (${inputs.stack}) ${why}. Last lines of ${logFile}:\n${logTail(logFile, inputs.secretEnv)}`);
  }
  return { ...inputs, pid, url, pidFile, logFile, python };
}

/** Stop the app and remove its files; leaves nothing running, listening or on disk. */
export async function stopApp(outs: Pick<LocalAppOutputs, 'pid' | 'runDir' | 'host' | 'port'>): Promise<void> {
  const { pidFile } = files(outs.runDir);
  for (const pid of new Set([outs.pid, readPid(pidFile)])) if (pid !== undefined) await stopProcess(pid);
  await waitPortFree(outs.host, outs.port);
  removeRunFiles(outs.runDir, false);
}

/** Which restart-relevant inputs differ between the running app and the new inputs. */
export function changedKeys(olds: Partial<LocalAppInputs>, news: LocalAppInputs): string[] {
  return RESTART_KEYS.filter((k) => stableJson(olds[k]) !== stableJson(news[k]));
}
