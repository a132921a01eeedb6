/**
 * The dashboard's HTTP server (node:http): the page and its two static files, the current view as
 * JSON, and server-sent events — `/events` pushes every probe round, `/logs/<stack>` streams a
 * stack's log lines. Read-only: GET and HEAD only. Bound to loopback by default; any other host
 * needs a token (CATALYST_DASHBOARD_TOKEN), checked on every request in constant time, from an
 * `Authorization: Bearer` header, or a `?token=` once (which sets an HttpOnly cookie and redirects
 * to the same URL without it). The Host header must name the server (no DNS rebinding).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DashboardHub, LogEvent } from './hub.ts';

export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'templates', 'report', 'dashboard');
const STATIC: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard.js': ['dashboard.js', 'text/javascript; charset=utf-8'],
  '/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'],
};
const COOKIE = 'catalyst_dashboard';
const HEARTBEAT_MS = 15_000;

export interface ServerOptions {
  hub: DashboardHub;
  host: string;
  port: number;
  /** Required unless host is loopback. */
  token?: string;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sse(res: ServerResponse): { event: (name: string, data: unknown) => void; close: () => void } {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': catalyst dashboard\n\n');
  const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  return {
    event: (name, data) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`),
    close: () => clearInterval(beat),
  };
}

export interface RunningServer {
  server: Server;
  url: string;
  close: () => Promise<void>;
}

export async function startDashboardServer(o: ServerOptions): Promise<RunningServer> {
  if (!isLoopback(o.host) && !o.token) throw new Error(`serving on ${o.host} needs a token: set CATALYST_DASHBOARD_TOKEN`);
  const files = new Map(Object.entries(STATIC).map(([path, [file, type]]) => [path, { body: readFileSync(join(DASHBOARD_DIR, file)), type }]));
  const open = new Set<ServerResponse>();
  let boundPort = o.port;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET and HEAD only\n', { allow: 'GET, HEAD' });
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const allowed = new Set([`${o.host}:${boundPort}`, `[${o.host}]:${boundPort}`, ...(isLoopback(o.host) ? [`localhost:${boundPort}`, `127.0.0.1:${boundPort}`, `[::1]:${boundPort}`] : [])]);
    if (!allowed.has(hostHeader)) return send(res, 421, 'text/plain; charset=utf-8', 'unexpected Host header\n');
    if (o.token) {
      const query = url.searchParams.get('token');
      if (query !== null) {
        if (!sameSecret(query, o.token)) return send(res, 401, 'text/plain; charset=utf-8', 'wrong token\n');
        url.searchParams.delete('token');
        return send(res, 303, 'text/plain; charset=utf-8', '', {
          location: url.pathname + (url.search || ''),
          'set-cookie': `${COOKIE}=${encodeURIComponent(o.token)}; HttpOnly; SameSite=Strict; Path=/`,
        });
      }
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? cookieToken(req);
      if (auth === null || !sameSecret(auth, o.token)) {
        return send(res, 401, 'text/plain; charset=utf-8', 'a token is required: open the URL with ?token=<CATALYST_DASHBOARD_TOKEN>\n', { 'www-authenticate': 'Bearer realm="catalyst dashboard"' });
      }
    }
    const file = files.get(url.pathname);
    if (file) return send(res, 200, file.type, file.body);
    if (url.pathname === '/api/state') {
      if (!o.hub.view) return send(res, 503, 'application/json', JSON.stringify({ status: 'starting' }), { 'retry-after': '1' });
      return send(res, 200, 'application/json', JSON.stringify(o.hub.view));
    }
    const detailMatch = /^\/api\/stack\/([A-Za-z0-9._-]{1,200})$/.exec(url.pathname);
    if (detailMatch) {
      const detail = o.hub.detail(detailMatch[1]);
      return detail ? send(res, 200, 'application/json', JSON.stringify(detail)) : send(res, 404, 'application/json', JSON.stringify({ error: `no stack ${detailMatch[1]}` }));
    }
    if (url.pathname === '/events') {
      const stream = sse(res);
      open.add(res);
      if (o.hub.view) stream.event('state', o.hub.view);
      const unsubscribe = o.hub.subscribe((v) => stream.event('state', v));
      req.on('close', () => {
        unsubscribe();
        stream.close();
        open.delete(res);
      });
      return;
    }
    const logMatch = /^\/logs\/([A-Za-z0-9._-]{1,200})$/.exec(url.pathname);
    if (logMatch) {
      const stack = logMatch[1];
      let stream: ReturnType<typeof sse> | null = null;
      const pending: LogEvent[] = [];
      const emit = (e: LogEvent) => stream!.event('error' in e ? 'log-error' : 'lines', e);
      const follow = o.hub.followLog(stack, (e: LogEvent) => (stream ? emit(e) : pending.push(e)));
      if (!follow) return send(res, 404, 'application/json', JSON.stringify({ error: `no stack ${stack}` }));
      if (follow.source.kind !== 'stream') {
        follow.stop();
        return send(res, 200, 'application/json', JSON.stringify(follow.source));
      }
      stream = sse(res);
      open.add(res);
      stream.event('source', { kind: 'stream', source: follow.source.source });
      for (const e of pending.splice(0)) emit(e);
      req.on('close', () => {
        follow.stop();
        stream?.close();
        open.delete(res);
      });
      return;
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // event streams stay open
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  boundPort = (server.address() as AddressInfo).port;
  const hostPart = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    server,
    url: `http://${hostPart}:${boundPort}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
