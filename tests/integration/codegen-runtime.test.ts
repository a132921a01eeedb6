/**
 * The runtime's semantics on the codegen fixture (tests/fixtures/codegen/projects/kitchen): GET query
 * input, respond headers, runs without respond, timeouts, code-node failures and threads, httpRequest
 * retries and auth, the LLM node in JSON mode, and cross-project calls to a peer that is down, slow,
 * failing or answering garbage, each within its timeout.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/commands/dev.ts';
import { call, cleanupTemps, fixtureWorkspace, generateInto, json, metric, project, requirePython, startApp, startStub, stopAllApps, testPython, type RunningApp, type Stub } from '../helpers/codegen.ts';

const API_TOKEN = 'api-planted-7d1c0b9e';
const LLM_KEY = 'llm-planted-5a2f4e6c';

let app: RunningApp;
let api: Stub;
let llm: Stub;
let peer: Stub;
let dir: string;
let python: string;
let deadPort: number;
const modes = { api: 'ok', llm: 'ok', peer: 'ok' };
let apiCalls = 0;
let peerCalls = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  requirePython();
  python = await testPython();
  deadPort = await freePort();
  api = await startStub(async (r, body, res) => {
    if (r.url?.startsWith('/api/missing')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('nope');
    }
    apiCalls++;
    if (modes.api === 'flaky' && apiCalls === 1) return json(res, 503, { error: 'busy' });
    if (modes.api === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html>not json</html>');
    }
    json(res, 200, { echoed: JSON.parse(body || 'null'), url: r.url });
  });
  llm = await startStub(async (r, _body, res) => {
    if (r.headers.authorization !== `Bearer ${LLM_KEY}`) return json(res, 401, { error: 'bad key' });
    if (modes.llm === 'slow') await sleep(4000);
    if (modes.llm === 'error') return json(res, 500, { error: 'boom' });
    const content = modes.llm === 'notjson' ? 'plain words' : '{"answer": 42}';
    json(res, 200, { model: 'test-model-001', choices: [{ message: { role: 'assistant', content } }], usage: { prompt_tokens: 3, completion_tokens: 4 } });
  });
  peer = await startStub(async (r, body, res: ServerResponse) => {
    peerCalls++;
    if (modes.peer === 'slow') await sleep(3000);
    if (modes.peer === '500' || (modes.peer === 'flaky' && peerCalls === 1)) return json(res, 500, { error: 'internal' });
    if (modes.peer === '404') return json(res, 404, { error: 'not_found' });
    if (modes.peer === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html>oops</html>');
    }
    if (r.url?.startsWith('/peek')) return json(res, 200, { q: new URL(r.url, 'http://x').searchParams.get('q') });
    json(res, 200, { double: (JSON.parse(body) as { n: number }).n * 2 });
  });
  const ws = fixtureWorkspace();
  dir = generateInto(project(ws, 'kitchen'), ws).dir;
  app = await startApp(dir, python, {
    API_TOKEN,
    LLM_KEY,
    API_URL: `${api.url}/api`,
    LLM_URL: `${llm.url}/v1`,
    CATALYST_PEER_PEER_URL: peer.url,
  });
});

afterAll(async () => {
  await stopAllApps();
  await Promise.all([api?.close(), llm?.close(), peer?.close()]);
  cleanupTemps();
});

describe('inputs, responses and the run', () => {
  it('GET reads a typed query, applies defaults, and the respond node sets headers', async () => {
    const r = await call(`${app.url}/echo?name=Ann&loud=true`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ text: 'ANN', times: 1, greeting: 'héllo "wörld" \\ 🎉', limit: 4, verbose: false });
    expect(r.headers.get('x-echo')).toBe('Ann');
    expect(r.headers.get('cache-control')).toBe('no-store');
    for (const bad of ['name=', 'name=a&times=9', 'name=a&times=two', 'name=a&extra=1', 'name=a&mood=angry', 'times=2']) {
      const b = await call(`${app.url}/echo?${bad}`);
      expect(b.status, bad).toBe(422);
      expect(b.body.error).toBe('validation_error');
    }
  });

  it('env settings are typed and can be overridden by the environment', async () => {
    const other = await startApp(dir, python, { API_TOKEN, LLM_KEY, LIMIT: '10', RATE: '2', VERBOSE: 'true', GREETING: 'hi' });
    try {
      const r = await call(`${other.url}/echo?name=b`);
      expect(r.body).toMatchObject({ greeting: 'hi', limit: 11, verbose: true });
    } finally {
      await other.stop();
    }
    await expect(startApp(dir, python, { API_TOKEN, LLM_KEY, LIMIT: 'lots' }, 10_000)).rejects.toThrow(/LIMIT must be a number/);
  });

  it('without a respond node the answer is 200 with the last executed node\'s output', async () => {
    expect((await call(`${app.url}/last`, { body: { go: true } })).body).toEqual({ step: 'b', prev: 'a' });
    expect((await call(`${app.url}/last`, { body: { go: false } })).body).toEqual({ result: false });
  });

  it('merge (append) collects the inputs that ran; a switch takes the first true `when`', async () => {
    const big = await call(`${app.url}/gather`, { body: { size: 150 } });
    expect([big.status, big.body]).toEqual([200, { kind: 'big', parts: [{ side: 'left' }, { side: 'right', half: 75 }] }]);
    const small = await call(`${app.url}/gather`, { body: { size: 5 } });
    expect([small.status, small.body]).toEqual([202, { kind: 'small', parts: [{ side: 'left' }, { side: 'right', half: 2.5 }] }]);
    expect((await call(`${app.url}/gather`, { body: { size: 50 } })).body.kind).toBe('medium');
  });

  it('nested objects, arrays, formats and patterns are validated (PUT)', async () => {
    const good = { email: 'a@b.co', when: '2024-02-29', code: 'ABC', tags: ['x'], address: { city: 'Oslo' }, meta: { any: [1] }, class: 3 };
    const r = await call(`${app.url}/shapes`, { method: 'PUT', body: good });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ email: 'a@b.co', when: '2024-02-29', code: 'ABC', tags: ['x'], city: 'Oslo', meta: { any: [1] }, class: 3 });
    const bad: Record<string, unknown>[] = [
      { email: 'nope' },
      { email: 'a@b.co', when: '2024-02-30' },
      { email: 'a@b.co', code: 'abc' },
      { email: 'a@b.co', tags: [] },
      { email: 'a@b.co', tags: [''] },
      { email: 'a@b.co', address: { city: 'X', planet: 'Mars' } },
      { email: 'a@b.co', address: {} },
      { email: 'a@b.co', class: 1.5 },
      { email: null },
    ];
    for (const b of bad) expect((await call(`${app.url}/shapes`, { method: 'PUT', body: b })).status, JSON.stringify(b)).toBe(422);
  });

  it('the workflow timeout answers 504 within the timeout (an all-optional body may be left out)', async () => {
    const r = await call(`${app.url}/slow`, { method: 'POST' });
    expect(r.status).toBe(504);
    expect(r.body).toMatchObject({ error: 'workflow_timeout', workflow: 'slow', node: 'wait' });
    expect(r.ms).toBeLessThan(2500);
  });

  it('/openapi.json describes the routes, their input schemas and their responses', async () => {
    const doc = (await call(`${app.url}/openapi.json`)).body;
    expect(Object.keys(doc.paths).sort()).toEqual(['/boom', '/call-peer', '/call-peer-soft', '/chat', '/echo', '/fetch', '/gather', '/last', '/shapes', '/slow', '/think']);
    const echo = doc.paths['/echo'].get;
    const name = echo.parameters.find((p: { name: string }) => p.name === 'name');
    expect(name).toMatchObject({ in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 20 } });
    const shapes = doc.components.schemas.ShapesInput;
    expect(shapes.properties.email).toMatchObject({ type: 'string', format: 'email' });
    expect(shapes.properties.code).toMatchObject({ pattern: '^[A-Z]{3}$' });
    expect(shapes.additionalProperties).toBe(false);
    expect(shapes.required).toEqual(['email']);
    expect(Object.keys(doc.paths['/gather'].post.responses).sort()).toEqual(['200', '202', '400', '413', '422', '500', '502', '504']);
    expect(doc.paths['/slow'].post.responses['504'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorResponse');
    expect(doc.paths['/slow'].post.requestBody.required).toBeFalsy();
    expect(doc.paths['/boom'].post.requestBody.required).toBe(true);
  });
});

describe('code nodes', () => {
  it('a raising, a wrong-type and an incomplete return fail the node with a clear 500', async () => {
    const raise = await call(`${app.url}/boom`, { body: { mode: 'raise' } });
    expect(raise.status).toBe(500);
    expect(raise.body).toMatchObject({ error: 'node_failed', workflow: 'boom', node: 'run' });
    expect(raise.body.message).toBe('node run (code) failed: ValueError: user code says no');
    expect((await call(`${app.url}/boom`, { body: { mode: 'notdict' } })).body.message).toBe('code node run must return a dict with answer; it returned list');
    expect((await call(`${app.url}/boom`, { body: { mode: 'missing' } })).body.message).toBe('code node run returned no answer (declared in outputs)');
    expect((await call(`${app.url}/boom`, { body: { mode: 'ok' } })).body).toEqual({ answer: 42 });
    expect(app.lines.join('\n')).not.toContain('Traceback (most recent call last)\n');
    const m = await (await fetch(`${app.url}/metrics`)).text();
    expect(metric(m, 'catalyst_request_errors_total', { workflow: 'boom' })).toBe(3);
  });

  it('runs in a worker thread: blocking code does not stall other requests', async () => {
    const started = performance.now();
    const ends: number[] = [];
    const blocked = Promise.all([1, 2, 3].map(() => call(`${app.url}/boom`, { body: { mode: 'block' } }).then((r) => (ends.push(performance.now()), r))));
    await sleep(100);
    const health = await call(`${app.url}/health`);
    const healthEnd = performance.now();
    const results = await blocked;
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(health.status).toBe(200);
    // /health answered while the three 1 s sleeps were still running, and they ran side by side.
    expect(healthEnd).toBeLessThan(Math.min(...ends));
    expect(performance.now() - started).toBeLessThan(2800);
  });
});

describe('httpRequest and llm nodes', () => {
  it('sends the secret, headers, query and body; retries a 503; reads text without failing on 404', async () => {
    modes.api = 'flaky';
    apiCalls = 0;
    const before = api.requests.length;
    const r = await call(`${app.url}/fetch`, { body: { item: 'i-1' } });
    expect(r.status).toBe(200);
    // responseType auto: the JSON answer of /api/items would be parsed; the text/plain 404 is text (keyed: {page: text}).
    expect(r.body).toMatchObject({ status: 200, rawStatus: 404, rawBody: 'nope', autoBody: 'nope', keyedBody: { page: 'nope' }, got: { echoed: { item: 'i-1' } } });
    const sent = api.requests.slice(before);
    const items = sent.filter((x) => x.url.startsWith('/api/items'));
    expect(items).toHaveLength(2);
    expect(items[1].url).toBe('/api/items?tag=a&tag=b&n=2');
    expect(items[1].headers.authorization).toBe(`Bearer ${API_TOKEN}`);
    expect(items[1].headers['x-trace']).toBe('i-1');
    expect(items[1].headers['x-request-id']).toBe(r.headers.get('x-request-id'));
    expect(sent.find((x) => x.url === '/api/missing')!.headers['x-api-key']).toBe(API_TOKEN);
    modes.api = 'ok';
  });

  it('a non-JSON answer or an unreachable API is a 502 naming the node', async () => {
    modes.api = 'garbage';
    const g = await call(`${app.url}/fetch`, { body: { item: 'x' } });
    modes.api = 'ok';
    expect(g.status).toBe(502);
    expect(g.body).toMatchObject({ error: 'upstream_error', node: 'get' });
    expect(g.body.message).toContain('not JSON');
    const down = await startApp(dir, python, { API_TOKEN, LLM_KEY, API_URL: `http://127.0.0.1:${deadPort}/api` });
    try {
      const r = await call(`${down.url}/fetch`, { body: { item: 'x' } });
      expect(r.status).toBe(502);
      expect(r.body).toMatchObject({ error: 'upstream_error', node: 'get' });
      expect(r.body.message).toMatch(/unreachable \(ConnectError, 3 attempt\(s\)\)/);
      expect(r.ms).toBeLessThan(3000);
    } finally {
      await down.stop();
    }
  });

  it('llm: JSON mode parses the answer; failures are 502, slowness 504 within the timeout', async () => {
    const ok = await call(`${app.url}/think`, { body: { question: 'meaning?' } });
    expect(ok.body).toEqual({ text: '{"answer": 42}', json: { answer: 42 }, usage: { prompt_tokens: 3, completion_tokens: 4 }, model: 'test-model-001' });
    const sent = JSON.parse(llm.requests.at(-1)!.body);
    expect(sent).toEqual({ model: 'test-model', messages: [{ role: 'system', content: 'Answer in JSON.' }, { role: 'user', content: 'Q: meaning?' }], response_format: { type: 'json_object' } });
    for (const [mode, status, error] of [['notjson', 502, 'upstream_error'], ['error', 502, 'upstream_error'], ['slow', 504, 'upstream_timeout']] as const) {
      modes.llm = mode;
      const r = await call(`${app.url}/think`, { body: { question: 'q' } });
      expect([r.status, r.body.error, r.body.node], mode).toEqual([status, error, 'ask']);
      expect(r.ms).toBeLessThan(3500);
    }
    modes.llm = 'ok';
  });

  it('llm: messages are sent in order, a null content left out; an upstream 500 is not retried by default', async () => {
    const since = llm.requests.length;
    const ok = await call(`${app.url}/chat`, { body: { question: 'why?' } });
    expect(ok).toMatchObject({ status: 200, body: { text: '{"answer": 42}' } });
    expect(JSON.parse(llm.requests.at(-1)!.body)).toEqual({
      model: 'test-model',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'system' }, { role: 'assistant' }, { role: 'user', content: 'Q: why?' }],
    });
    await call(`${app.url}/chat`, { body: { question: 'why?', persona: 'a pirate' } });
    expect(JSON.parse(llm.requests.at(-1)!.body).messages[1]).toEqual({ role: 'system', content: 'a pirate' });
    modes.llm = 'error';
    const before = llm.requests.length;
    const failed = await call(`${app.url}/chat`, { body: { question: 'q' } });
    modes.llm = 'ok';
    expect([failed.status, failed.body.error, failed.body.node]).toEqual([502, 'upstream_error', 'ask']);
    expect(llm.requests.length - before).toBe(1);
    expect(llm.requests.length - since).toBe(3);
  });
});

describe('cross-project calls (peer stubbed)', () => {
  async function callPeer(mode: string) {
    modes.peer = mode;
    peerCalls = 0;
    const r = await call(`${app.url}/call-peer`, { body: { n: 2 } });
    modes.peer = 'ok';
    return { ...r, attempts: peerCalls };
  }

  it('posts the input to the peer route with the request id', async () => {
    const r = await callPeer('ok');
    expect(r.body).toEqual({ result: { double: 4 } });
    const sent = peer.requests.at(-1)!;
    expect([sent.method, sent.url, JSON.parse(sent.body)]).toEqual(['POST', '/work', { n: 2 }]);
    expect(sent.headers['x-request-id']).toBe(r.headers.get('x-request-id'));
  });

  it('retries a 5xx and succeeds', async () => {
    const r = await callPeer('flaky');
    expect([r.status, r.attempts]).toEqual([200, 2]);
  });

  it('a peer that keeps failing is a 502 after the bounded retries', async () => {
    const r = await callPeer('500');
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ error: 'upstream_error', workflow: 'call-peer', node: 'work' });
    expect(r.body.message).toBe('call to peer/work failed: peer/work responded with status 500');
    expect(r.attempts).toBe(3);
    expect(r.ms).toBeLessThan(2500);
  });

  it('a 404 is not retried', async () => {
    const r = await callPeer('404');
    expect([r.status, r.attempts]).toEqual([502, 1]);
  });

  it('a non-JSON answer is a 502', async () => {
    const r = await callPeer('garbage');
    expect(r.status).toBe(502);
    expect(r.body.message).toContain('not JSON');
  });

  it('a slow peer is a 504 within the node timeout (1 s)', async () => {
    const r = await callPeer('slow');
    expect(r.status).toBe(504);
    expect(r.body).toMatchObject({ error: 'upstream_timeout', node: 'work' });
    expect(r.ms).toBeGreaterThan(900);
    expect(r.ms).toBeLessThan(2500);
  });

  it('a peer that is down is a 502 within the timeout; onError: continue uses the fallback', async () => {
    const down = await startApp(dir, python, { API_TOKEN, LLM_KEY, CATALYST_PEER_PEER_URL: `http://127.0.0.1:${deadPort}` });
    try {
      const r = await call(`${down.url}/call-peer`, { body: { n: 1 } });
      expect(r.status).toBe(502);
      expect(r.body.message).toMatch(/project peer \(POST \/work\) is unreachable/);
      expect(r.ms).toBeLessThan(2500);
      const soft = await call(`${down.url}/call-peer-soft`, { body: { q: 'hey' } });
      expect([soft.status, soft.body]).toEqual([200, { q: 'fallback for hey' }]);
      const m = await (await fetch(`${down.url}/metrics`)).text();
      expect(metric(m, 'catalyst_subcall_total', { caller: 'call-peer', target: 'peer/work', kind: 'http', outcome: 'error' })).toBe(1);
    } finally {
      await down.stop();
    }
  });

  it('GET peers get the input as a query string', async () => {
    const r = await call(`${app.url}/call-peer-soft`, { body: { q: 'a b&c' } });
    expect(r.body).toEqual({ q: 'a b&c' });
    expect(peer.requests.at(-1)!.url).toBe('/peek?q=a+b%26c');
  });

  it('planted secrets never appear in the logs', () => {
    const logs = app.lines.join('\n');
    expect(logs).not.toContain(API_TOKEN);
    expect(logs).not.toContain(LLM_KEY);
  });
});
