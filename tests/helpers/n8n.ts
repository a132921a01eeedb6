/**
 * n8n as a test oracle: the real n8n (installed by scripts/setup-n8n.sh, linked as .tools/n8n) run on
 * 127.0.0.1 with a throw-away user folder, offline (no telemetry, version checks, templates or
 * community packages). One n8n per test file: `startN8n` imports every workflow and credential the file
 * needs in one go, publishes the workflows, starts the server and waits until it serves; `webhook` sends
 * a request to a production webhook; `stop` ends the process and deletes the folder.
 * A missing n8n install fails loudly (never skips): run `bash scripts/setup-n8n.sh`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/cli/commands/dev.ts';
import { collectLines, REPO, runAsync } from './codegen.ts';

export const N8N_VERSION = '2.40.7';
/** Where scripts/setup-n8n.sh installs n8n; CATALYST_N8N_DIR points elsewhere (e.g. another worktree's). */
const N8N_DIR = process.env.CATALYST_N8N_DIR ?? join(REPO, '.tools', 'n8n');
const N8N_BIN = join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
/** n8n needs Node >= 24: the project's `node` devDependency. */
const NODE = join(REPO, 'node_modules', '.bin', 'node');

/** Throws (with the fix) unless the pinned n8n is installed. */
export function requireN8n(): void {
  const stamp = join(N8N_DIR, 'installed-stamp');
  const installed = existsSync(stamp) && existsSync(N8N_BIN) ? readFileSync(stamp, 'utf8').trim() : '';
  if (installed !== `n8n ${N8N_VERSION}`) {
    throw new Error(`n8n ${N8N_VERSION} is not installed in ${N8N_DIR} (found: ${installed || 'nothing'}): run "bash scripts/setup-n8n.sh" (CI's .ci/run does)`);
  }
  if (!existsSync(NODE)) throw new Error(`the project's Node (${NODE}) is missing: run "npm ci"`);
}

/** A credential as n8n's `import:credentials` reads it: `data` in plain text is encrypted on import. */
export interface N8nCredential {
  id: string;
  name: string;
  type: string;
  data: Record<string, unknown>;
}

export interface N8nResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: unknown;
  text: string;
}

export interface RunningN8n {
  url: string;
  /** Every log line so far. */
  lines: string[];
  /** Log lines showing n8n tried to reach the internet (a failed host-name lookup). */
  offlineViolations(): string[];
  /** Send a request to the production webhook `path` (the Webhook node's path, without /webhook/). */
  webhook(path: string, init?: WebhookInit): Promise<N8nResponse>;
  stop(): Promise<void>;
}

export interface WebhookInit {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Variables that keep n8n off the network and quiet; a test can add its own (e.g. for $env). */
function offlineEnv(folder: string, port: number, brokerPort: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ'];
  const env: NodeJS.ProcessEnv = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  return {
    ...env,
    PATH: `${join(REPO, 'node_modules', 'node', 'bin')}:${process.env.PATH ?? ''}`,
    NO_PROXY: '127.0.0.1,localhost',
    N8N_USER_FOLDER: folder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    N8N_ENCRYPTION_KEY: 'catalyst-n8n-oracle-test-key',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
    N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
    N8N_AI_ENABLED: 'false',
    N8N_PUBLIC_API_DISABLED: 'true',
    EXTERNAL_FRONTEND_HOOKS_URLS: '',
    // n8n 2 always runs Code nodes in a task runner (N8N_RUNNERS_ENABLED is gone); its broker's port
    // (5679 by default) must not collide with another n8n on the machine.
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    // Activate published workflows before the "Editor is now accessible" line (the publication service
    // of n8n 2 activates them later, in the background).
    N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'false',
    // The MCP server registry refreshes itself from api.n8n.io at start.
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_SECURE_COOKIE: 'false',
    N8N_LOG_LEVEL: 'info', // the "Editor is now accessible" line startN8n waits for is info
    N8N_LOG_OUTPUT: 'console',
    NODE_ENV: 'production',
    // n8n's default zone is America/New_York; imported workflows run in UTC (an export has no zone).
    GENERIC_TIMEZONE: 'UTC',
    TZ: 'UTC',
    ...extra,
  };
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runAsync(NODE, [N8N_BIN, ...args], { env, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`n8n ${args.join(' ')} failed (exit ${r.code}, ${r.ms} ms):\n${r.out}`);
  return r.out;
}

/** n8n workflow ids are 16 characters [a-zA-Z0-9]; derive a stable one from an index. */
export function workflowId(i: number): string {
  return `CatalystOracle${String(i).padStart(2, '0')}`;
}

/**
 * Start n8n with these workflows (exports; each gets an id when it has none, and is published) and
 * credentials. Rejects with n8n's output when any step fails or the server is not up within timeoutMs.
 */
export async function startN8n(opts: { workflows: Record<string, unknown>[]; credentials?: N8nCredential[]; env?: Record<string, string>; timeoutMs?: number }): Promise<RunningN8n> {
  requireN8n();
  const folder = mkdtempSync(join(tmpdir(), 'catalyst-n8n-'));
  const port = await freePort();
  const env = offlineEnv(folder, port, await freePort(), opts.env ?? {});
  const workflows = opts.workflows.map((w, i) => ({ ...w, id: typeof w.id === 'string' && w.id ? w.id : workflowId(i), name: String(w.name ?? workflowId(i)), active: false }));
  let child: ChildProcess | undefined;
  let lines: string[] = [];
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    if (opts.credentials?.length) {
      writeFileSync(join(folder, 'credentials.json'), JSON.stringify(opts.credentials));
      await cli(['import:credentials', `--input=${join(folder, 'credentials.json')}`], env);
    }
    writeFileSync(join(folder, 'workflows.json'), JSON.stringify(workflows));
    await cli(['import:workflow', `--input=${join(folder, 'workflows.json')}`], env);
    for (const w of workflows) await cli(['publish:workflow', `--id=${w.id}`], env);

    child = spawn(NODE, [N8N_BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    lines = collectLines(child);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
    // /healthz answers before the published workflows' webhooks are registered; n8n prints this line after.
    while (!lines.some((l) => l.includes('Editor is now accessible via'))) {
      if (child.exitCode !== null) throw new Error(`n8n start exited with ${child.exitCode}:\n${lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`n8n did not become ready on ${url} within ${opts.timeoutMs ?? 180_000} ms:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const inactive = workflows.filter((w) => !lines.some((l) => l.includes('Activated workflow') && l.includes(`(ID: ${w.id})`)));
    if (inactive.length) throw new Error(`n8n did not activate ${inactive.map((w) => `${w.name} (${w.id})`).join(', ')}:\n${lines.join('\n')}`);
    const r = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(5000) });
    if (r.status !== 200) throw new Error(`n8n is not ready (${r.status}):\n${lines.join('\n')}`);
    return {
      url,
      lines,
      offlineViolations: () => lines.filter((l) => /ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(l)),
      stop,
      webhook: async (path, init = {}) => {
        const hasBody = init.body !== undefined;
        const r = await fetch(`${url}/webhook/${path.replace(/^\//, '')}`, {
          method: init.method ?? (hasBody ? 'POST' : 'GET'),
          headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...init.headers },
          body: hasBody ? JSON.stringify(init.body) : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await r.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        return { status: r.status, headers: r.headers, body, text };
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** One call of an n8n extension method: [method, receiver, arguments]. */
export type ExtensionCall = [string, unknown, unknown[]];
/** Its outcome: the value (`undefined: true` for undefined) or the error's message. */
export type ExtensionOutcome = { value: unknown } | { undefined: true } | { error: string };

/** Script (Node or V8) that answers `calls` with `ext(receiver, method, args)`; `ext` must be defined. */
export function extensionScript(calls: ExtensionCall[]): string {
  return `JSON.stringify(${JSON.stringify(calls)}.map(([name, value, args]) => {
  try { const v = ext(value, name, args); return v === undefined ? { undefined: true } : { value: v }; }
  catch (e) { return { error: String(e && e.message) }; }
}))`;
}

/**
 * n8n's own answers to extension method calls: n8n-workflow's `extend` (what n8n's rewritten expressions
 * call) run by the project's Node with the installed n8n's library.
 */
export async function n8nExtensions(calls: ExtensionCall[]): Promise<ExtensionOutcome[]> {
  requireN8n();
  const lib = join(N8N_DIR, 'node_modules', 'n8n-workflow', 'dist', 'cjs', 'extensions', 'expression-extension.js');
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-n8n-ext-'));
  const out = join(dir, 'out.json');
  const script = `const { extend: ext } = require(${JSON.stringify(lib)});\nrequire('node:fs').writeFileSync(${JSON.stringify(out)}, ${extensionScript(calls)});`;
  try {
    writeFileSync(join(dir, 'ext.cjs'), script);
    const r = await runAsync(NODE, [join(dir, 'ext.cjs')], { env: { ...process.env, TZ: 'UTC', LANG: 'C.UTF-8' }, timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`n8n's extension functions failed (exit ${r.code}):\n${r.out}`);
    return JSON.parse(readFileSync(out, 'utf8')) as ExtensionOutcome[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
