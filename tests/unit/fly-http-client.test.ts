/**
 * The shared REST client of the Fly and Render providers (src/infra/http/): retry policy, error
 * messages, helpers. Talks to a throwaway node:http server on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  apiRequest,
  backoffDelay,
  encodePath,
  errorDetails,
  isRetryableStatus,
  parseRetryAfter,
} from '../../src/infra/http/client.ts';
import { secretDigest } from '../../src/infra/http/digest.ts';
import { stableJson } from '../../src/shared/json.ts';

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const fast = { token: 't0k', maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 300 };

describe('apiRequest', () => {
  it('sends JSON with the bearer token, builds the query, parses JSON', async () => {
    const seen: { url?: string; auth?: string; type?: string; body?: string } = {};
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        Object.assign(seen, { url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    const res = await apiRequest(
      { ...fast, baseUrl: url },
      { operation: 'T op', method: 'POST', path: encodePath('/a/', 'b c/d', '/x'), query: { q: 1, skip: undefined, f: false }, body: { a: 1 } },
    );
    expect(res).toEqual({ status: 200, body: { ok: true } });
    expect(seen).toEqual({ url: '/a/b%20c%2Fd/x?q=1&f=false', auth: 'Bearer t0k', type: 'application/json', body: '{"a":1}' });
  });

  it('returns plain text and empty bodies as such; passStatuses are handed back', async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n += 1;
      if (n === 1) res.writeHead(200).end('plain');
      else if (n === 2) res.writeHead(204).end();
      else res.writeHead(404).end('{"error":"nope"}');
    });
    const conn = { ...fast, baseUrl: url };
    expect((await apiRequest(conn, { operation: 'o', method: 'GET', path: '/' })).body).toBe('plain');
    expect((await apiRequest(conn, { operation: 'o', method: 'DELETE', path: '/' })).body).toBeNull();
    expect(await apiRequest(conn, { operation: 'o', method: 'GET', path: '/', passStatuses: [404] })).toEqual({ status: 404, body: { error: 'nope' } });
  });

  it('fails at once on 4xx with the API message; a text body is the message', async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n += 1;
      res.writeHead(422, { 'content-type': 'text/plain' }).end('field "x" is invalid');
    });
    const err = await apiRequest({ ...fast, baseUrl: url }, { operation: 'Svc create', method: 'POST', path: '/things?ignored=1', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('Svc create (POST /things) failed: HTTP 422: field "x" is invalid');
    expect((err as ApiError).status).toBe(422);
    expect(n).toBe(1);
  });

  it('honours Retry-After on 429 and retries 5xx until the bounded attempts run out', async () => {
    const times: number[] = [];
    const url = await serve((_req, res) => {
      times.push(Date.now());
      if (times.length === 1) res.writeHead(429, { 'retry-after': '0' }).end();
      else res.writeHead(502).end();
    });
    const err = (await apiRequest({ ...fast, baseUrl: url }, { operation: 'o', method: 'GET', path: '/p' }).catch((e: unknown) => e)) as ApiError;
    expect(err.message).toBe('o (GET /p) failed after 3 attempts: HTTP 502: Bad Gateway');
    expect(err.attempts).toBe(3);
    expect(times).toHaveLength(3);
  });

  it('retries timeouts and reports them', async () => {
    let n = 0;
    const url = await serve(() => {
      n += 1; // never answers (the timeout leaves a loaded machine time to deliver each attempt)
    });
    const err = (await apiRequest({ ...fast, baseUrl: url, maxAttempts: 2, timeoutMs: 400 }, { operation: 'o', method: 'GET', path: '/' }).catch((e: unknown) => e)) as ApiError;
    expect(err.message).toBe('o (GET /) failed after 2 attempts: no response: timed out after 400 ms');
    expect(err.status).toBeNull();
    expect(n).toBe(2);
    server!.closeAllConnections();
  });

  it('retries connection errors and names them', async () => {
    const url = await serve(() => {});
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const err = (await apiRequest({ ...fast, baseUrl: url, maxAttempts: 2 }, { operation: 'o', method: 'GET', path: '/' }).catch((e: unknown) => e)) as ApiError;
    expect(err.message).toMatch(/^o \(GET \/\) failed after 2 attempts: no response: ECONNREFUSED$/);
  });

  it('uses the documented defaults when the connection sets none', async () => {
    const url = await serve((_req, res) => res.writeHead(200).end('{}'));
    expect((await apiRequest({ baseUrl: url, token: 'x' }, { operation: 'o', method: 'GET', path: '' })).status).toBe(200);
  });
});

describe('client helpers', () => {
  it('backoff grows exponentially with jitter and is capped', () => {
    expect(backoffDelay(1, 100, 1000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 1000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 1000, () => 1)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
    const d = backoffDelay(2, 100, 1000);
    expect(d).toBeGreaterThanOrEqual(100);
    expect(d).toBeLessThanOrEqual(200);
  });

  it('parses Retry-After', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', Date.parse('2025-01-01T00:00:00Z'))).toBe(10000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter('')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('extracts error messages and codes', () => {
    expect(errorDetails({ error: 'bad', status: 'name_taken' }, 'f')).toEqual({ message: 'bad', code: 'name_taken' });
    expect(errorDetails({ id: 'x', message: 'render says no' }, 'f')).toEqual({ message: 'render says no', code: null });
    expect(errorDetails({ error: '  ' }, 'fallback')).toEqual({ message: 'fallback', code: null });
    expect(errorDetails(null, 'fallback').message).toBe('fallback');
    expect(errorDetails('x'.repeat(600), 'f').message).toHaveLength(501);
  });

  it('knows which statuses are retryable', () => {
    expect([408, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });

  it('digests secrets with a salt, order-independently; stable JSON sorts keys', () => {
    const a = secretDigest({ A: '1', B: '2' }, 's');
    expect(secretDigest({ B: '2', A: '1' }, 's')).toBe(a);
    expect(secretDigest({ A: '1', B: '2' }, 't')).not.toBe(a);
    expect(secretDigest({ A: '12' }, 's')).not.toBe(secretDigest({ A1: '2' }, 's'));
    expect(stableJson({ b: [2, { d: 1, c: 0 }], a: null })).toBe('{"a":null,"b":[2,{"c":0,"d":1}]}');
  });
});
