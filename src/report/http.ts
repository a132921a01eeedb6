/**
 * One bounded HTTP GET. A single deadline covers DNS, connect, TLS, headers and the whole body, so a
 * server that accepts and never answers, or trickles bytes forever, costs at most `timeoutMs`. The
 * body is capped at `maxBytes`. No keep-alive (each probe sees a fresh connection, nothing lingers).
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { HttpErrorKind, HttpResult } from './types.ts';

export interface GetOptions {
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

const CODE_KIND: Record<string, HttpErrorKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
};

function describe(kind: HttpErrorKind, code: string | undefined, timeoutMs: number, maxBytes: number): string {
  switch (kind) {
    case 'timeout':
      return `timeout: no complete response within ${timeoutMs} ms`;
    case 'refused':
      return 'connection refused';
    case 'reset':
      return 'connection reset before the response completed';
    case 'dns':
      return 'host name not found (DNS)';
    case 'tls':
      return `TLS error${code ? ` (${code})` : ''}`;
    case 'too-large':
      return `response larger than ${maxBytes} bytes`;
    case 'aborted':
      return 'probe cancelled';
    default:
      return `request failed${code ? ` (${code})` : ''}`;
  }
}

function kindOf(err: NodeJS.ErrnoException): HttpErrorKind {
  const code = err.code ?? '';
  if (CODE_KIND[code]) return CODE_KIND[code];
  if (/CERT|SSL|TLS|SELF_SIGNED/.test(code)) return 'tls';
  return 'other';
}

/** Only upper-case error codes are ever shown (never a message that might echo data). */
function safeCode(err: NodeJS.ErrnoException): string | undefined {
  return typeof err.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(err.code) ? err.code : undefined;
}

export function httpGet(url: string, opts: GetOptions): Promise<HttpResult> {
  const start = performance.now();
  const elapsed = () => Math.round((performance.now() - start) * 10) / 10;
  return new Promise<HttpResult>((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const finish = (r: Omit<HttpResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, ms: elapsed() });
      req?.destroy();
    };
    const fail = (kind: HttpErrorKind, statusCode: number | null, code?: string) =>
      finish({ statusCode, body: null, error: kind, errorText: describe(kind, code, opts.timeoutMs, opts.maxBytes) });
    const timer = setTimeout(() => fail('timeout', null), opts.timeoutMs);
    const onAbort = () => fail('aborted', null);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return fail('other', null, 'ERR_INVALID_URL');
    }
    const mod = parsed.protocol === 'https:' ? https : http;
    try {
      req = mod.request(parsed, {
        method: 'GET',
        agent: false,
        headers: { accept: 'application/json, text/plain;q=0.9', 'user-agent': 'catalyst-report', connection: 'close' },
      });
    } catch (err) {
      return fail('other', null, safeCode(err as NodeJS.ErrnoException));
    }
    req.on('error', (err: NodeJS.ErrnoException) => fail(kindOf(err), null, safeCode(err)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) return fail('too-large', res.statusCode ?? null);
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish({ statusCode: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), error: null, errorText: null }),
      );
      res.on('error', (err: NodeJS.ErrnoException) => fail(kindOf(err), res.statusCode ?? null, safeCode(err)));
      res.on('aborted', () => fail('reset', res.statusCode ?? null));
      res.on('close', () => {
        if (!res.complete) fail('reset', res.statusCode ?? null);
      });
    });
    req.end();
  });
}
