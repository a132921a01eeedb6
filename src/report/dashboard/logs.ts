/**
 * Recent log lines of a deployment, for the dashboard, by target:
 * - local: the app's log file (`app.log` in the stack's run directory), tailed;
 * - docker: `docker logs --tail N --follow` of the container labelled with the stack name;
 * - render: Render's log API (`GET /v1/logs?ownerId&resource`, polled), with the API key from
 *   `RENDER_API_KEY` in the dashboard's environment (never from the stack's secrets);
 * - railway: Railway's GraphQL API (`deployments` → the newest one's `deploymentLogs`, polled), with
 *   an account or team token from `RAILWAY_API_TOKEN`;
 * - cloudrun, fly (and any stack with a `logsUrl` output but no reader here): a link to the
 *   platform's log page.
 *
 * Every line passes through `redactLine` before it leaves this module. The apps already redact
 * their declared secrets; this catches credentials that look like credentials (Authorization
 * headers, bearer tokens, `…key=…` pairs) in lines the app did not write (platform lines, crashes).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DOCKER_STACK_LABEL, localRunDir } from '../../contracts/logs.ts';

export const TAIL_LINES = 100;
const MAX_LINE = 2000;
const POLL_MS = 1000;

export interface LogLine {
  /** ISO time when known (Render gives one; files and docker lines carry their own in the text). */
  time: string | null;
  text: string;
}

/** A readable log: `start` calls `onLines` with the recent lines, then with new ones until stopped. */
export interface LogStream {
  kind: 'stream';
  source: string;
  start(onLines: (lines: LogLine[]) => void, onError: (message: string) => void): () => void;
}

export type LogSource = LogStream | { kind: 'link'; source: string; url: string } | { kind: 'none'; reason: string };

const REDACTIONS: [RegExp, string][] = [
  [/\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)[^"',;\s][^"',;]*/gi, '$1$2[redacted]'],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\b([A-Za-z0-9_-]*(?:api[_-]?key|token|secret|password|passwd)[A-Za-z0-9_-]*)(["']?\s*[:=]\s*["']?)[^"',;&\s]{4,}/gi, '$1$2[redacted]'],
  [/\b(sk|pk|rk)[-_](?:live|test|proj)?[-_]?[A-Za-z0-9]{12,}\b/g, '[redacted]'],
];

/** Masks credential-shaped text and control characters; bounds the length. */
export function redactLine(text: string): string {
  let out = text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
  for (const [re, to] of REDACTIONS) out = out.replace(re, to);
  // eslint-disable-next-line no-control-regex
  return out.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, '�');
}

function lines(text: string, time: string | null = null): LogLine[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '')
    .map((l) => ({ time, text: redactLine(l) }));
}

/** Tails a file: the last TAIL_LINES lines, then whatever is appended (polled; survives truncation). */
export function fileLogStream(file: string, source = 'log file'): LogStream {
  return {
    kind: 'stream',
    source,
    start(onLines, onError) {
      let offset = 0;
      let partial = '';
      let reported = false;
      const read = (first: boolean) => {
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          if (!reported) onError(`no log file yet (${file})`);
          reported = true;
          return;
        }
        reported = false;
        if (size < offset) {
          offset = 0;
          partial = '';
        }
        if (size === offset) return;
        const from = first ? Math.max(0, size - 64 * 1024) : offset;
        const buf = Buffer.alloc(size - from);
        const fd = openSync(file, 'r');
        try {
          readSync(fd, buf, 0, buf.length, from);
        } finally {
          closeSync(fd);
        }
        offset = size;
        const text = partial + buf.toString('utf8');
        const cut = text.lastIndexOf('\n');
        partial = cut === -1 ? text : text.slice(cut + 1);
        let out = lines(cut === -1 ? '' : text.slice(0, cut));
        if (first) out = out.slice(-TAIL_LINES);
        if (out.length) onLines(out);
      };
      read(true);
      const timer = setInterval(() => read(false), 500);
      return () => clearInterval(timer);
    },
  };
}

/** `docker logs` of the container labelled with the stack (found with `docker ps`). */
export function dockerLogStream(stack: string, docker = 'docker'): LogStream {
  return {
    kind: 'stream',
    source: 'docker logs',
    start(onLines, onError) {
      let stopped = false;
      let child: ReturnType<typeof spawn> | undefined;
      const ps = spawn(docker, ['ps', '-q', '--filter', `label=${DOCKER_STACK_LABEL}=${stack}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let id = '';
      ps.stdout.setEncoding('utf8').on('data', (d: string) => (id += d));
      ps.on('error', (e) => onError(`docker is not available: ${e.message}`));
      ps.on('close', (code) => {
        const first = id.trim().split('\n')[0];
        if (stopped) return;
        if (code !== 0 || !first) return onError(`no running container labelled ${DOCKER_STACK_LABEL}=${stack}`);
        child = spawn(docker, ['logs', '--tail', String(TAIL_LINES), '--follow', first], { stdio: ['ignore', 'pipe', 'pipe'] });
        const feed = (d: string) => {
          const out = lines(d);
          if (out.length) onLines(out);
        };
        child.stdout!.setEncoding('utf8').on('data', feed);
        child.stderr!.setEncoding('utf8').on('data', feed);
        child.on('error', (e) => onError(`docker logs failed: ${e.message}`));
      });
      return () => {
        stopped = true;
        child?.kill('SIGTERM');
        ps.kill('SIGTERM');
      };
    },
  };
}

/**
 * Polls an API: `first` once (a failure is reported and ends the polling), then `next` every `ms`
 * until stopped (each failure reported, the polling goes on); without `first`, `next` runs at once.
 * Returns the stop function of a {@link LogStream}.
 */
function polling(ms: number, first: (() => Promise<void>) | null, next: () => Promise<void>, onError: (message: string) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (stopped) return;
    try {
      await next();
    } catch (e) {
      onError((e as Error).message);
    }
    if (!stopped) timer = setTimeout(loop, ms);
  };
  if (first) {
    void first().then(
      () => {
        if (!stopped) timer = setTimeout(loop, ms);
      },
      (e: unknown) => onError((e as Error).message),
    );
  } else void loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

export interface RenderLogsOptions {
  apiBase: string;
  apiKey: string;
  serviceId: string;
  fetch?: typeof fetch;
  pollMs?: number;
}

interface RenderLog {
  id: string;
  message: string;
  timestamp: string;
}

/** Render's log API: the service's owner, then `GET /logs` (backward for the tail, then forward from the newest seen). */
export function renderLogStream(o: RenderLogsOptions): LogStream {
  const f = o.fetch ?? fetch;
  const base = o.apiBase.replace(/\/+$/, '');
  const get = async (path: string): Promise<unknown> => {
    const r = await f(`${base}${path}`, { headers: { authorization: `Bearer ${o.apiKey}`, accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`Render API answered HTTP ${r.status} for ${path.split('?')[0]}`);
    return r.json();
  };
  return {
    kind: 'stream',
    source: 'Render log API',
    start(onLines, onError) {
      const seen = new Set<string>();
      let since: string | null = null;
      let ownerId = '';
      const poll = async (first: boolean) => {
        const q = new URLSearchParams({ ownerId, resource: o.serviceId, limit: String(first ? TAIL_LINES : 100), direction: first ? 'backward' : 'forward' });
        if (!first && since) q.set('startTime', since);
        const body = (await get(`/logs?${q}`)) as { logs?: RenderLog[] };
        const fresh = (body.logs ?? []).filter((l) => !seen.has(l.id)).sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
        for (const l of fresh) {
          seen.add(l.id);
          if (!since || l.timestamp > since) since = l.timestamp;
        }
        if (seen.size > 5000) seen.clear();
        if (fresh.length) onLines(fresh.map((l) => ({ time: l.timestamp, text: redactLine(l.message) })));
      };
      const first = async () => {
        const svc = (await get(`/services/${encodeURIComponent(o.serviceId)}`)) as { ownerId?: string };
        if (!svc.ownerId) throw new Error('the Render service has no ownerId');
        ownerId = svc.ownerId;
        await poll(true);
      };
      return polling(o.pollMs ?? POLL_MS, first, () => poll(false), onError);
    },
  };
}

export interface RailwayLogsOptions {
  apiUrl: string;
  token: string;
  serviceId: string;
  environmentId: string;
  fetch?: typeof fetch;
  pollMs?: number;
}

export const RAILWAY_LOG_QUERIES = {
  deployments: `query CatalystDashboardDeployments($input: DeploymentListInput!) {
  deployments(input: $input, first: 1) { edges { node { id status createdAt } } }
}`,
  logs: `query CatalystDashboardLogs($deploymentId: String!) {
  deploymentLogs(deploymentId: $deploymentId, limit: 200) { message severity timestamp }
}`,
} as const;

/** Railway: the newest deployment of the service in the environment, then its logs (polled; new lines only). */
export function railwayLogStream(o: RailwayLogsOptions): LogStream {
  const f = o.fetch ?? fetch;
  const gql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const r = await f(o.apiUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!r.ok) throw new Error(`Railway API answered HTTP ${r.status}`);
    const body = (await r.json()) as { data?: T; errors?: { message?: string }[] };
    if (body.errors?.length) throw new Error(`Railway API: ${String(body.errors[0].message ?? 'error').slice(0, 200)}`);
    return body.data as T;
  };
  return {
    kind: 'stream',
    source: 'Railway deployment logs',
    start(onLines, onError) {
      let deployment: string | null = null;
      const seen = new Set<string>();
      const poll = async () => {
        const d = await gql<{ deployments: { edges: { node: { id: string } }[] } }>(RAILWAY_LOG_QUERIES.deployments, { input: { serviceId: o.serviceId, environmentId: o.environmentId } });
        const id = d.deployments.edges[0]?.node.id ?? null;
        if (!id) throw new Error('the service has no deployment yet');
        if (id !== deployment) {
          deployment = id;
          seen.clear();
        }
        const l = await gql<{ deploymentLogs: { message: string; timestamp: string }[] }>(RAILWAY_LOG_QUERIES.logs, { deploymentId: id });
        const fresh = l.deploymentLogs.filter((x) => !seen.has(`${x.timestamp} ${x.message}`)).slice(-TAIL_LINES);
        for (const x of fresh) seen.add(`${x.timestamp} ${x.message}`);
        if (fresh.length) onLines(fresh.map((x) => ({ time: x.timestamp, text: redactLine(x.message) })));
      };
      return polling(o.pollMs ?? 2000, null, poll, onError);
    },
  };
}

/** Service and environment of a Railway console URL (`https://railway.com/project/<p>/service/<s>?environmentId=<e>`). */
export function railwayIds(consoleUrl: string | null): { serviceId: string; environmentId: string } | null {
  if (!consoleUrl) return null;
  try {
    const u = new URL(consoleUrl);
    const m = /^\/project\/[^/]+\/service\/([^/]+)$/.exec(u.pathname);
    const environmentId = u.searchParams.get('environmentId');
    return m && environmentId ? { serviceId: decodeURIComponent(m[1]), environmentId } : null;
  } catch {
    return null;
  }
}

export interface LogContext {
  /** The checkout whose `.catalyst/run/<stack>/app.log` local apps write. */
  root: string;
  env: NodeJS.ProcessEnv;
}

/** The Render service id in a Render console URL (`https://dashboard.render.com/web/srv-…`). */
export function renderServiceId(consoleUrl: string | null): string | null {
  const m = consoleUrl ? /\/web\/(srv-[a-z0-9]+)(?:\/|$)/.exec(consoleUrl) : null;
  return m ? m[1] : null;
}

/** Where a stack's logs come from (see the module comment). */
export function logSourceFor(stack: { name: string; target: string | null; logsUrl: string | null; consoleUrl: string | null }, ctx: LogContext): LogSource {
  switch (stack.target) {
    case 'local':
      return fileLogStream(join(localRunDir(ctx.root, stack.name), 'app.log'), 'app.log');
    case 'docker':
      return dockerLogStream(stack.name);
    case 'render': {
      const serviceId = renderServiceId(stack.consoleUrl);
      const apiKey = ctx.env.RENDER_API_KEY;
      if (serviceId && apiKey) return renderLogStream({ apiBase: ctx.env.CATALYST_RENDER_API_URL ?? 'https://api.render.com/v1', apiKey, serviceId });
      if (stack.logsUrl) return { kind: 'link', source: 'Render dashboard (set RENDER_API_KEY to stream here)', url: stack.logsUrl };
      return { kind: 'none', reason: 'no Render service id in the stack outputs' };
    }
    case 'railway': {
      const ids = railwayIds(stack.consoleUrl);
      const token = ctx.env.RAILWAY_API_TOKEN;
      if (ids && token) return railwayLogStream({ apiUrl: ctx.env.CATALYST_RAILWAY_API_URL ?? 'https://backboard.railway.com/graphql/v2', token, ...ids });
      if (stack.logsUrl) return { kind: 'link', source: 'Railway project logs (set RAILWAY_API_TOKEN to stream here)', url: stack.logsUrl };
      return { kind: 'none', reason: 'no Railway service in the stack outputs' };
    }
    default:
      if (stack.logsUrl) return { kind: 'link', source: `${stack.target ?? 'platform'} log page`, url: stack.logsUrl };
      return { kind: 'none', reason: `no log reader for target ${stack.target ?? 'unknown'}` };
  }
}
