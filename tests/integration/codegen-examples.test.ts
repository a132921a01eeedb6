/**
 * The example projects' generated apps under real uvicorn: every public workflow, internal routes 404,
 * the in-process chain (billing charge → invoice → tax) with no HTTP, the cross-project call
 * (support-bot ask → billing lookup) over HTTP between two running apps, the LLM and httpRequest
 * nodes against local servers, bad requests (4xx, never 5xx), a missing secret, and planted secrets
 * that must never show up anywhere.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { GeneratedApp } from '../../src/codegen/index.ts';
import {
  call,
  cleanupTemps,
  generateInto,
  json,
  loadExample,
  metric,
  project,
  requirePython,
  startApp,
  startStub,
  stopAllApps,
  testPython,
  workspaceFrom,
  type RunningApp,
  type Stub,
} from '../helpers/codegen.ts';

const OPENAI_KEY = 'sk-planted-openai-3f9a7c1e5d';
const TICKETS_TOKEN = 'tok-planted-tickets-88e2b4a1';
const BILLING_KEY = 'billing-planted-api-key-61c0';
const PEER_KEY = 'billing-planted-peer-key-0e7d';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

let python: string;
let billing: RunningApp;
let bot: RunningApp;
let billingApp: GeneratedApp;
let botDir: string;
let llm: Stub;
let tickets: Stub;
const seen: string[] = [];

/** call() that remembers every response text (for the planted-secret scan). */
async function req(url: string, init: Parameters<typeof call>[1] = {}) {
  const r = await call(url, init);
  seen.push(r.text, JSON.stringify([...r.headers.entries()]));
  return r;
}

beforeAll(async () => {
  requirePython();
  python = await testPython();
  llm = await startStub((r, body, res) => {
    if (r.headers.authorization !== `Bearer ${OPENAI_KEY}`) return json(res, 401, { error: { message: 'bad key' } });
    const payload = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
    json(res, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: payload.model,
      choices: [{ index: 0, message: { role: 'assistant', content: `stub answer to: ${payload.messages.at(-1)!.content}` }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    });
  });
  tickets = await startStub((r, body, res) => {
    if (r.headers.authorization !== `Bearer ${TICKETS_TOKEN}`) return json(res, 401, { error: 'unauthorized' });
    json(res, 201, { id: 'T-1', received: JSON.parse(body) });
  });
  const b = loadExample('billing');
  const g = generateInto(b.project, b.workspace);
  billingApp = g.app;
  billing = await startApp(g.dir, python, { CATALYST_GIT_COMMIT: COMMIT, CATALYST_GIT_DIRTY: 'false', BILLING_API_KEY: BILLING_KEY, CATALYST_PEER_KEY: PEER_KEY });
  const s = loadExample('support-bot');
  botDir = generateInto(s.project, s.workspace).dir;
  bot = await startApp(botDir, python, {
    OPENAI_API_KEY: OPENAI_KEY,
    TICKETS_TOKEN: TICKETS_TOKEN,
    LLM_BASE_URL: `${llm.url}/v1`,
    TICKETS_API_URL: `${tickets.url}/api`,
    CATALYST_PEER_BILLING_URL: billing.url,
    CATALYST_PEER_BILLING_KEY: PEER_KEY,
  });
});

afterAll(async () => {
  await stopAllApps();
  await llm?.close();
  await tickets?.close();
  cleanupTemps();
});

describe('billing', () => {
  it('charge runs the in-process chain and answers 201 with the invoice', async () => {
    const r = await req(`${billing.url}/charge`, { body: { customerId: 'cus_42', amount: 12.5 } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ invoiceId: 'inv_cus_42_1250', customerId: 'cus_42', memo: 'monthly charge', net: 12.5, tax: 2.5, total: 15, currency: 'EUR' });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('charge rejects a non-positive amount with the respond node\'s 422', async () => {
    const r = await req(`${billing.url}/charge`, { body: { customerId: 'cus_42', amount: -1 } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: 'invalid_amount', message: 'amount must be positive, got -1' });
  });

  it('lookup asks for its API key (X-Api-Key), and takes every switch branch', async () => {
    const refused = await req(`${billing.url}/lookup`, { body: { customerId: 'cus_42' } });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: 'unauthorized', message: 'missing the X-Api-Key header' });
    const plans = await Promise.all(['cus_42', 'cus_1', 'cus_2'].map((c) => req(`${billing.url}/lookup`, { body: { customerId: c }, headers: { 'X-Api-Key': BILLING_KEY } })));
    expect(plans.map((p) => [p.status, p.body.plan, p.body.seats, p.body.monthly])).toEqual([
      [200, 'free', 1, 0],
      [200, 'pro', 5, 49],
      [200, 'enterprise', 9, 289],
    ]);
  });

  it('internal workflows have no route', async () => {
    for (const path of ['/invoice', '/tax']) {
      for (const method of ['GET', 'POST']) {
        const r = await req(`${billing.url}${path}`, method === 'POST' ? { body: { amount: 1 } } : {});
        expect(r.status, `${method} ${path}`).toBe(404);
        expect(r.body).toMatchObject({ error: 'not_found', requestId: r.headers.get('x-request-id') });
      }
    }
  });

  it('the charge → invoice → tax chain runs in-process: metrics and logs show no HTTP sub-call', async () => {
    const before = await (await fetch(`${billing.url}/metrics`)).text();
    const rid = 'chain-check-1';
    const r = await req(`${billing.url}/charge`, { body: { customerId: 'cus_7', amount: 10 }, headers: { 'X-Request-Id': rid } });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-request-id')).toBe(rid);
    const after = await (await fetch(`${billing.url}/metrics`)).text();
    const delta = (name: string, labels: Record<string, string>) => metric(after, name, labels) - metric(before, name, labels);
    expect(delta('catalyst_workflow_runs_total', { workflow: 'charge', via: 'http' })).toBe(1);
    expect(delta('catalyst_workflow_runs_total', { workflow: 'invoice', via: 'inprocess' })).toBe(1);
    expect(delta('catalyst_workflow_runs_total', { workflow: 'tax', via: 'inprocess' })).toBe(1);
    expect(delta('catalyst_subcall_total', { caller: 'charge', target: 'invoice', kind: 'inprocess', outcome: 'ok' })).toBe(1);
    expect(delta('catalyst_subcall_total', { caller: 'invoice', target: 'tax', kind: 'inprocess', outcome: 'ok' })).toBe(1);
    expect(metric(after, 'catalyst_subcall_total', { kind: 'http' })).toBe(0);
    expect(delta('catalyst_requests_total', { workflow: 'charge', status: '201' })).toBe(1);
    expect(metric(after, 'catalyst_requests_total', { workflow: 'invoice' })).toBe(0);
    await new Promise((res) => setTimeout(res, 100));
    const mine = billing.logs().filter((l) => l.request_id === rid);
    expect(mine.filter((l) => l.msg === 'request')).toHaveLength(1);
    const runs = mine.filter((l) => l.msg === 'workflow finished').map((l) => [l.workflow, l.via]);
    expect(runs).toEqual([
      ['tax', 'inprocess'],
      ['invoice', 'inprocess'],
      ['charge', 'http'],
    ]);
    expect(mine.some((l) => l.msg === 'http call')).toBe(false);
    const audit = mine.find((l) => l.node === 'audit');
    expect(audit).toMatchObject({ level: 'info', msg: 'charged cus_7: 12 EUR', workflow: 'charge', fields: { invoiceId: 'inv_cus_7_1000' } });
  });

  it('serves /health, /ready, /version (hash of the generated files, commit from env) and /metrics', async () => {
    expect((await req(`${billing.url}/health`)).body).toEqual({
      status: 'ok',
      project: 'billing',
      checks: { secrets: { status: 'ok', detail: '2 declared secret(s) set' }, 'schedule:monthly-fee': { status: 'ok', detail: '0 6 1 * * (Europe/Berlin); no run yet' } },
    });
    expect((await req(`${billing.url}/ready`)).body).toEqual({ status: 'ready' });
    expect((await req(`${billing.url}/version`)).body).toEqual({ project: 'billing', contentHash: billingApp.contentHash, commit: COMMIT, dirty: false, catalyst: '0.0.0-test' });
    const m = await fetch(`${billing.url}/metrics`);
    expect(m.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await m.text();
    for (const name of ['catalyst_requests_total', 'catalyst_request_errors_total', 'catalyst_request_duration_seconds', 'catalyst_workflow_runs_total', 'catalyst_subcall_total']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('bad requests get 4xx JSON errors, never 5xx', async () => {
    const url = `${billing.url}/charge`;
    const cases: [string, Parameters<typeof call>[1], number, string][] = [
      ['malformed JSON', { raw: '{"customerId": ' }, 400, 'malformed_json'],
      ['not an object', { raw: '[1, 2]' }, 422, 'validation_error'],
      ['empty body', { raw: '' }, 422, 'validation_error'],
      ['wrong types', { body: { customerId: 42, amount: '12' } }, 422, 'validation_error'],
      ['unknown field', { body: { customerId: 'c', amount: 1, extra: true } }, 422, 'validation_error'],
      ['too long', { body: { customerId: 'c', amount: 1, memo: 'x'.repeat(201) } }, 422, 'validation_error'],
      ['infinite number', { raw: '{"customerId": "c", "amount": 1e400}' }, 422, 'validation_error'],
      ['text/plain body', { raw: '{"customerId": "c", "amount": 1}', headers: { 'content-type': 'text/plain' } }, 422, 'validation_error'],
      ['oversized', { raw: JSON.stringify({ customerId: 'c', amount: 1, memo: 'x'.repeat(1_100_000) }) }, 413, 'payload_too_large'],
    ];
    for (const [name, init, status, error] of cases) {
      const r = await req(url, init);
      expect(r.status, name).toBe(status);
      expect(r.body, name).toMatchObject({ error, requestId: r.headers.get('x-request-id') });
    }
    // A chunked body (no Content-Length) over the limit is cut off too.
    const status = await new Promise<number>((resolve, reject) => {
      const c = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      c.on('error', reject);
      c.write('{"customerId": "c", "amount": 1, "memo": "');
      for (let i = 0; i < 40; i++) c.write('y'.repeat(32 * 1024));
      c.end('"}');
    });
    expect(status).toBe(413);
    const errors = metric(await (await fetch(`${billing.url}/metrics`)).text(), 'catalyst_request_errors_total');
    expect(errors).toBe(0);
  });
});

describe('support-bot', () => {
  it('a billing question calls billing/lookup over HTTP with the request id and billing\'s peer key', async () => {
    const before = await (await fetch(`${billing.url}/metrics`)).text();
    const rid = 'cross-project-1';
    const r = await req(`${bot.url}/ask`, { body: { customerId: 'cus_1', question: 'What is my plan?' }, headers: { 'X-Request-Id': rid } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ answer: 'You are on the pro plan at 49 per month.', category: 'billing', plan: 'pro' });
    const after = await (await fetch(`${billing.url}/metrics`)).text();
    expect(metric(after, 'catalyst_workflow_runs_total', { workflow: 'lookup', via: 'http' }) - metric(before, 'catalyst_workflow_runs_total', { workflow: 'lookup', via: 'http' })).toBe(1);
    const botMetrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metric(botMetrics, 'catalyst_subcall_total', { caller: 'ask', target: 'billing/lookup', kind: 'http', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(metric(botMetrics, 'catalyst_subcall_total', { caller: 'ask', target: 'classify', kind: 'inprocess', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    await new Promise((res) => setTimeout(res, 100));
    expect(billing.logs().some((l) => l.request_id === rid && l.msg === 'request' && l.path === '/lookup')).toBe(true);
  });

  it('a general question goes to the LLM (bearer key from the secret)', async () => {
    const r = await req(`${bot.url}/ask`, { body: { customerId: 'cus_2', question: 'How do I reset my password?' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ answer: 'stub answer to: How do I reset my password?', category: 'general', plan: 'enterprise' });
    const sent = JSON.parse(llm.requests.at(-1)!.body);
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 300 });
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'You are a concise support agent. The customer is on the enterprise plan.' });
    expect(llm.requests.at(-1)!.headers['x-request-id']).toBe(r.headers.get('x-request-id'));
  });

  it('ticket posts to the ticketing API with the bearer token and answers 201', async () => {
    const r = await req(`${bot.url}/tickets`, { body: { customerId: 'cus_9', subject: 'Broken' } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ ticketId: 'T-1', status: 201 });
    const got = tickets.requests.at(-1)!;
    expect(got.url).toBe('/api/tickets');
    expect(got.headers['x-source']).toBe('catalyst-support-bot');
    expect(JSON.parse(got.body)).toEqual({ customer: 'cus_9', subject: 'Broken', body: '', priority: 'normal' });
  });

  it('/health reports the peer and the LLM endpoint without secrets', async () => {
    const r = await req(`${bot.url}/health`);
    expect(r.body).toEqual({
      status: 'ok',
      project: 'support-bot',
      checks: {
        secrets: { status: 'ok', detail: '3 declared secret(s) set' },
        'peer:billing': { status: 'ok', detail: `CATALYST_PEER_BILLING_URL = ${billing.url}` },
        'llm:ask.llm_answer': { status: 'ok', detail: `base URL ${llm.url}` },
      },
    });
  });

  it('without a peer URL the app is degraded, and ask falls back (onError: continue)', async () => {
    const lonely = await startApp(botDir, python, { OPENAI_API_KEY: OPENAI_KEY, TICKETS_TOKEN: TICKETS_TOKEN, CATALYST_PEER_BILLING_KEY: PEER_KEY, LLM_BASE_URL: `${llm.url}/v1` });
    try {
      const h = await req(`${lonely.url}/health`);
      expect(h.body.status).toBe('degraded');
      expect(h.body.checks['peer:billing']).toEqual({ status: 'degraded', detail: 'CATALYST_PEER_BILLING_URL is not set' });
      const r = await req(`${lonely.url}/ask`, { body: { customerId: 'cus_1', question: 'plan?' } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ answer: 'You are on the unknown plan.', category: 'billing', plan: 'unknown' });
      seen.push(...lonely.lines);
    } finally {
      await lonely.stop();
    }
  });

  it('a missing secret fails startup and names it (and only names)', async () => {
    await expect(startApp(botDir, python, { TICKETS_TOKEN: TICKETS_TOKEN }, 10_000)).rejects.toThrow(/exited with 78[\s\S]*missing required secret\(s\): CATALYST_PEER_BILLING_KEY, OPENAI_API_KEY \(/);
  });

  it('planted secret values appear in no log line, response or operational endpoint', async () => {
    for (const path of ['/health', '/version', '/metrics', '/openapi.json']) {
      seen.push(await (await fetch(`${bot.url}${path}`)).text());
    }
    await new Promise((res) => setTimeout(res, 100));
    const everything = [...seen, ...bot.lines, ...billing.lines].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of [OPENAI_KEY, TICKETS_TOKEN, BILLING_KEY, PEER_KEY]) expect(everything).not.toContain(secret);
  });
});

describe('latency: in-process vs HTTP sub-calls', () => {
  it('measures /charge direct (two in-process hops) and through one HTTP hop', { timeout: 60_000 }, async () => {
    const { workspace } = workspaceFrom(
      {
        'relay/project.yaml': stringify({ catalyst: 1, name: 'relay' }),
        'relay/workflows/charge.yaml': stringify({
          catalyst: 1,
          name: 'charge',
          visibility: 'public',
          auth: 'none',
          trigger: { type: 'webhook', method: 'POST', path: '/charge' },
          input: { type: 'object', properties: { customerId: { type: 'string' }, amount: { type: 'number' } }, required: ['customerId', 'amount'] },
          nodes: [
            { id: 'remote', type: 'workflowCall', workflow: 'billing/charge', input: { customerId: '{{ input.customerId }}', amount: '{{ input.amount }}' } },
            { id: 'out', type: 'respond', status: 201, body: '{{ nodes.remote }}' },
          ],
        }),
      },
      true,
    );
    const relay = await startApp(generateInto(project(workspace, 'relay'), workspace).dir, python, { CATALYST_PEER_BILLING_URL: billing.url });
    // Interleaved, so both see the same machine load.
    const samples: Record<'direct' | 'viaHttp', number[]> = { direct: [], viaHttp: [] };
    for (let i = 0; i < 60; i++) {
      for (const [key, url] of [['direct', `${billing.url}/charge`], ['viaHttp', `${relay.url}/charge`]] as const) {
        const r = await call(url, { body: { customerId: 'cus_5', amount: 3 } });
        expect(r.status).toBe(201);
        if (i >= 10) samples[key].push(r.ms);
      }
    }
    await relay.stop();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const direct = median(samples.direct);
    const viaHttp = median(samples.viaHttp);
    console.log(`latency (median of 50, interleaved): /charge direct ${direct.toFixed(2)} ms (charge → invoice → tax in-process, incl. a 1 ms delay node); through one more HTTP hop ${viaHttp.toFixed(2)} ms`);
    expect(direct).toBeLessThan(1000);
    expect(viaHttp).toBeLessThan(1000);
  });
});
