/**
 * Differential runs: the same n8n exports run by n8n (the oracle, tests/helpers/n8n.ts) and by the app
 * `catalyst import n8n` makes of them (real uvicorn), side by side, with one loopback stand-in for the
 * external APIs both call. `send` gives the same request to both and returns what each answered and
 * what each sent upstream, normalised (see `observe`) so a test compares them with one `toEqual`.
 *
 * Adding a case: put the export in the file's list, route its upstream URLs to the stand-in (`rewrite`
 * + the stand-in's handler), then `await expectSame(side, {...})` — see tests/integration/n8n-oracle.test.ts.
 *
 * Normalisations (each is a difference by design, documented in docs/n8n-import.md "Checked against n8n"):
 * - n8n serves production webhooks under /webhook/<path>; the app at /<path>.
 * - A failed run: n8n answers 500 {"message": "Error in workflow"}, the app 500/502/504 with its error
 *   envelope; both become { status: 'workflow failed' } (the app's envelope is kept in `detail`, for
 *   failure messages and written-down differences; comparisons leave it out).
 * - Content-Type: only the media type is compared (n8n adds "; charset=utf-8").
 * - Upstream requests: method, path with query, and the body (parsed when JSON); of the headers only
 *   those a case names (`upstreamHeaders`), since user agents and connection headers differ.
 * - The URL prefixes the import rewrites (--rewrite-url) are rewritten the same way in n8n's copy of the
 *   export (as text, anywhere in it).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { call, requirePython, startApp, startStub, testPythonJs, TEST_VERSION, type RunningApp, type Stub } from './codegen.ts';
import { requireN8n, startN8n, type N8nCredential, type RunningN8n } from './n8n.ts';

export type ImportStatus = 'clean' | 'partial' | 'refused';

export interface SideRequest {
  method?: string;
  /** The Webhook node's path, with an optional query string (`centroid?vectors=[1]`). */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * For workflows that answer before they run (n8n's "respond immediately"): wait (up to 20 s) until
   * n8n has sent this many upstream requests before settling, so a slow run is not read as no request.
   */
  n8nUpstream?: number;
}

export interface UpstreamRequest {
  method: string;
  url: string;
  body: unknown;
  headers?: Record<string, string>;
}

/** One side's answer, normalised. */
export interface Observed {
  status: number | 'workflow failed';
  contentType: string;
  body: unknown;
  upstream: UpstreamRequest[];
  /** The app's error envelope for a failed run (not compared with n8n). */
  detail?: unknown;
}

export interface SideBySide {
  n8n: RunningN8n;
  app: RunningApp;
  stub: Stub;
  /** The import's report text (for failure messages). */
  importOutput: string;
  /** How the import classified an export (its file name). */
  status(file: string): ImportStatus;
  send(req: SideRequest): Promise<{ n8n: Observed; app: Observed }>;
  stop(): Promise<void>;
}

export interface SideBySideOptions {
  /** n8n exports: file name → parsed JSON. */
  exports: Record<string, Record<string, unknown>>;
  /** The stand-in for every external API both sides call. */
  upstream: (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;
  /** URL prefix in the exports → path prefix on the stand-in (`https://api.x.com` → `/x`). */
  rewrite?: Record<string, string>;
  /**
   * The app's secrets (environment) and the n8n credentials holding the same values; a function gets
   * the stand-in's URL (for credentials that hold a base URL, e.g. openAiApi's `url`).
   */
  secrets?: Record<string, string>;
  credentials?: N8nCredential[] | ((upstreamUrl: string) => N8nCredential[]);
  /** Import with --allow-partial (stubs for what cannot be imported); the default insists on a clean import. */
  allowPartial?: boolean;
  /** Upstream request headers to compare (lower case). */
  upstreamHeaders?: string[];
  /** How long to wait for upstream calls made after the answer (n8n's "respond immediately"). */
  settleMs?: number;
}

const project = 'oracle';

function rewriteText(json: Record<string, unknown>, rewrite: [string, string][]): Record<string, unknown> {
  let text = JSON.stringify(json);
  for (const [from, to] of rewrite) text = text.split(from).join(to);
  return JSON.parse(text) as Record<string, unknown>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function observe(status: number, contentType: string | null, body: unknown, upstream: UpstreamRequest[], side: 'n8n' | 'app'): Observed {
  const media = (contentType ?? '').split(';')[0].trim();
  // The app's failure answers carry its error envelope ({error, message, requestId, workflow, node}).
  const envelope = typeof body === 'object' && body !== null && 'error' in body && 'requestId' in body && 'workflow' in body;
  const failed = side === 'n8n' ? status === 500 && JSON.stringify(body) === '{"message":"Error in workflow"}' : status >= 500 && envelope;
  if (failed) return { status: 'workflow failed', contentType: '', body: null, upstream, ...(side === 'app' ? { detail: body } : {}) };
  return { status, contentType: media, body, upstream };
}

/** Import the exports, start the app and n8n on them, with the stand-in both call. */
/**
 * Send one request to both sides and expect the app to answer as n8n did. The app's error envelope
 * (`detail`, which n8n has no counterpart of) is left out of the comparison and shown in the message;
 * `view` narrows what is compared (e.g. upstream requests without their bodies).
 */
export async function expectSame(side: SideBySide, req: SideRequest, view: (o: Observed) => unknown = (o) => o): Promise<{ n8n: Observed; app: Observed }> {
  const r = await side.send(req);
  const { detail, ...app } = r.app;
  const why = detail ? `; the app's error: ${JSON.stringify(detail)}` : '';
  expect(view(app), `${req.method ?? 'GET'} ${req.path}: the app (received) differs from n8n (expected)${why}`).toEqual(view(r.n8n));
  return r;
}

export async function startSideBySide(opts: SideBySideOptions): Promise<SideBySide> {
  requireN8n();
  requirePython();
  const python = await testPythonJs();
  const stub = await startStub(opts.upstream);
  const rewrite = Object.entries(opts.rewrite ?? {}).map(([from, path]): [string, string] => [from, `${stub.url}${path}`]);
  const root = mkdtempSync(join(tmpdir(), 'catalyst-oracle-'));
  let n8n: RunningN8n | undefined;
  let app: RunningApp | undefined;
  const stop = async () => {
    await Promise.all([app?.stop(), n8n?.stop()]);
    await stub.close();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const dir = join(root, 'exports');
    mkdirSync(dir);
    for (const [name, json] of Object.entries(opts.exports)) writeFileSync(join(dir, name), JSON.stringify(json));
    let importOutput = '';
    const code = await main(
      ['import', 'n8n', dir, '--project', project, '--into', join(root, 'projects'), ...rewrite.flatMap(([f, t]) => ['--rewrite-url', `${f}=${t}`]), '--report', join(root, 'report.json'), ...(opts.allowPartial ? ['--allow-partial'] : [])],
      { cwd: root, stdout: (t) => (importOutput += t), stderr: (t) => (importOutput += t), env: {}, isTTY: false },
    );
    if (code !== 0 && !(opts.allowPartial && code === 3)) throw new Error(`catalyst import n8n exited ${code}:\n${importOutput}`);
    const report = JSON.parse(readFileSync(join(root, 'report.json'), 'utf8')) as { files: { file: string; status: ImportStatus }[] };
    const statuses = Object.fromEntries(report.files.map((f) => [basename(f.file), f.status]));
    const ws = loadWorkspace(join(root, 'projects', project), { base: root });
    if (!ws.workspace) throw new Error(`the imported project is invalid:\n${ws.diagnostics.map((d) => `${d.file}:${d.line} ${d.path}: ${d.message}`).join('\n')}`);
    const appDir = join(root, 'app');
    writeApp(generateApp(ws.workspace.projects[0], ws.workspace, { catalystVersion: TEST_VERSION }), appDir);
    [app, n8n] = await Promise.all([
      startApp(appDir, python, opts.secrets ?? {}, 60_000),
      startN8n({ workflows: Object.values(opts.exports).map((w) => rewriteText(w, rewrite)), credentials: typeof opts.credentials === 'function' ? opts.credentials(stub.url) : opts.credentials }),
    ]);
    const headerNames = opts.upstreamHeaders ?? [];
    const upstreamSince = async (since: number, atLeast = 0) => {
      // Upstream calls made after the answer (respond immediately) arrive later: wait for the ones
      // expected, then until no more come in for settleMs.
      const until = Date.now() + 20_000;
      while (stub.requests.length - since < atLeast && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      let seen = -1;
      while (opts.settleMs && seen !== stub.requests.length) {
        seen = stub.requests.length;
        await new Promise((r) => setTimeout(r, opts.settleMs));
      }
      return stub.requests.slice(since).map((r) => ({
        method: r.method,
        url: r.url,
        body: r.body === '' ? null : parse(r.body),
        ...(headerNames.length ? { headers: Object.fromEntries(headerNames.map((h) => [h, String(r.headers[h] ?? '')])) } : {}),
      }));
    };
    const side: SideBySide = {
      n8n: n8n!,
      app: app!,
      stub,
      importOutput,
      status: (file) => {
        if (!(file in statuses)) throw new Error(`${file} was not imported (imported: ${Object.keys(statuses).join(', ')})`);
        return statuses[file];
      },
      stop,
      send: async (req) => {
        let since = stub.requests.length;
        const a = await n8n!.webhook(req.path, req);
        const n8nObs = observe(a.status, a.headers.get('content-type'), a.body, await upstreamSince(since, req.n8nUpstream), 'n8n');
        since = stub.requests.length;
        const b = await call(`${app!.url}/${req.path.replace(/^\//, '')}`, { method: req.method, body: req.body, headers: req.headers });
        const appObs = observe(b.status, b.headers.get('content-type'), b.body, await upstreamSince(since), 'app');
        return { n8n: n8nObs, app: appObs };
      },
    };
    return side;
  } catch (e) {
    await stop();
    throw e;
  }
}
