/**
 * Issue 15 under real uvicorn: response headers from input (finding 6), slow clients (finding 11),
 * and `python -m app` reading .env itself (finding 4).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, metric, startApp, stopAllApps, tempDir, testPython, workspaceFrom, type RunningApp } from '../helpers/codegen.ts';

const MARK = join(tempDir('catalyst-sec-'), 'pwned');
const PROJECT = `catalyst: 1\nname: sec\nenv:\n  GREETING: "hello $(touch ${MARK})"\n`;
const ECHO = `catalyst: 1
name: echo
visibility: public
auth: none
trigger: { type: webhook, path: /echo }
input: { type: object, properties: { h: { type: string } }, required: [h] }
nodes:
  - { id: r, type: respond, headers: { X-Out: "{{ input.h }}" }, body: { greeting: "{{ env.GREETING }}" } }
`;

let app: RunningApp;
beforeAll(async () => {
  const { workspace } = workspaceFrom({ 'sec/project.yaml': PROJECT, 'sec/workflows/echo.yaml': ECHO });
  const { dir } = generateInto(workspace.projects[0], workspace);
  // Finding 4: the settings come from .env, read by the app itself (no shell), values literal.
  writeFileSync(join(dir, '.env'), `GREETING=from .env $(touch ${MARK})\nCATALYST_HEADER_TIMEOUT_S=1\nCATALYST_BODY_TIMEOUT_S=1\n`);
  app = await startApp(dir, await testPython(), {}, 60_000);
}, 600_000);
afterAll(async () => {
  await stopAllApps();
  cleanupTemps();
});

const metrics = async () => (await call(`${app.url}/metrics`)).text;

describe('finding 4: python -m app reads .env literally', () => {
  it('the value arrives as written and nothing ran', async () => {
    const r = await call(`${app.url}/echo`, { method: 'POST', body: { h: 'x' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ greeting: `from .env $(touch ${MARK})` });
    expect(existsSync(MARK)).toBe(false);
  });
});

describe('finding 6: response header values from input', () => {
  const attacks = ['é\u2028', '\u2028', '\u00ff\u0100', 'emoji 🎉', 'tab\tok\u007f', 'bell\u0007', 'esc\u001b[31m', '\u0100'];
  it(`${attacks.length} hostile values: an honest 500 with the reason, counted and logged as 500; the connection survives`, async () => {
    const before = metric(await metrics(), 'catalyst_requests_total', { workflow: 'echo', status: '500' });
    for (const h of attacks) {
      const r = await call(`${app.url}/echo`, { method: 'POST', body: { h } });
      expect(r.status, JSON.stringify(h)).toBe(500);
      expect(r.body).toMatchObject({ error: 'invalid_response_header' });
      expect(r.body.message).toMatch(/header X-Out contains U\+/);
      expect(r.headers.get('x-injected')).toBeNull();
    }
    const m = await metrics();
    expect(metric(m, 'catalyst_requests_total', { workflow: 'echo', status: '500' }) - before).toBe(attacks.length);
    const logged = app.logs().filter((l) => l.msg === 'request' && l.path === '/echo' && l.status === 500);
    expect(logged.length).toBeGreaterThanOrEqual(attacks.length);
    expect(app.logs().filter((l) => l.msg === 'response header refused').length).toBeGreaterThanOrEqual(attacks.length);
  });
  it('CR, LF and NUL are dropped from values (no header injection)', async () => {
    for (const h of ['a\r\nX-Injected: 1', 'a\nX-Injected: 1', 'nul\u0000X-Injected: 1']) {
      const r = await call(`${app.url}/echo`, { method: 'POST', body: { h } });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-injected')).toBeNull();
      expect(r.headers.get('x-out')).toMatch(/^(a|nul)X-Injected: 1$/);
    }
  });
  it('Latin-1 text and visible ASCII still pass', async () => {
    const r = await call(`${app.url}/echo`, { method: 'POST', body: { h: 'plain ascii; q=1' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-out')).toBe('plain ascii; q=1');
    const latin = await call(`${app.url}/echo`, { method: 'POST', body: { h: 'café' } });
    expect(latin.status).toBe(200);
  });
});

/** Open a raw connection and send `first`; resolves with what the server sent and when it closed. */
function slowClient(port: number, first: string): { sock: Socket; closed: Promise<{ data: string; at: number }> } {
  const sock = connect(port, '127.0.0.1');
  let data = '';
  sock.on('data', (d) => (data += d.toString('latin1')));
  sock.on('error', () => {});
  sock.write(first);
  const closed = new Promise<{ data: string; at: number }>((resolve) => sock.on('close', () => resolve({ data, at: Date.now() })));
  return { sock, closed };
}

async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let t: NodeJS.Timeout | undefined;
  const r = await Promise.race([p, new Promise<'timeout'>((res) => (t = setTimeout(() => res('timeout'), ms)))]);
  clearTimeout(t);
  return r;
}

describe('finding 11: slow clients are cut off (header timeout 1 s, body timeout 1 s here)', () => {
  it('300 connections trickling headers are all closed by the server within seconds', async () => {
    const started = Date.now();
    const clients = Array.from({ length: 300 }, () => slowClient(app.port, 'POST /echo HTTP/1.1\r\nHost: x\r\n'));
    const drip = setInterval(() => clients.forEach((c) => !c.sock.destroyed && c.sock.write('X-Slow: 1\r\n')), 300);
    const results = await within(Promise.all(clients.map((c) => c.closed)), 8000);
    clearInterval(drip);
    clients.forEach((c) => c.sock.destroy());
    expect(results, 'slow-header connections were still open after 8 s').not.toBe('timeout');
    expect(Math.max(...(results as { at: number }[]).map((r) => r.at)) - started).toBeLessThan(8000);
  }, 30_000);
  it('100 requests trickling their body get 408 request_timeout, counted in metrics', async () => {
    const before = metric(await metrics(), 'catalyst_requests_total', { workflow: 'echo', status: '408' });
    const clients = Array.from({ length: 100 }, () => slowClient(app.port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"h": '));
    const drip = setInterval(() => clients.forEach((c) => !c.sock.destroyed && c.sock.write(' ')), 200);
    const results = await within(Promise.all(clients.map((c) => c.closed)), 8000);
    clearInterval(drip);
    clients.forEach((c) => c.sock.destroy());
    expect(results, 'slow-body connections were still open after 8 s').not.toBe('timeout');
    for (const r of results as { data: string }[]) {
      expect(r.data).toMatch(/^HTTP\/1\.1 408 /);
      expect(r.data).toMatch(/"error":\s*"request_timeout"/);
    }
    expect(metric(await metrics(), 'catalyst_requests_total', { workflow: 'echo', status: '408' }) - before).toBe(100);
  }, 30_000);
  it('an idle kept-alive connection is closed; normal requests still work afterwards', async () => {
    const c = slowClient(app.port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await within(c.closed, 10_000);
    expect(r).not.toBe('timeout');
    expect((r as { data: string }).data).toMatch(/^HTTP\/1\.1 200 /);
    expect((await call(`${app.url}/echo`, { method: 'POST', body: { h: 'ok' } })).status).toBe(200);
  }, 20_000);
});
