/**
 * Differential cases for the fidelity fixes of issue 17 (n8n itself as the oracle, tests/helpers/n8n-diff.ts):
 * small exports built here run in n8n and in the app `catalyst import n8n` makes of them, with the same
 * requests. Set string fields keep null (Set v3.2+); IF/Switch strict type validation fails the run on a
 * value of another type; a Switch whose rules do not match answers as n8n does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, json } from '../helpers/codegen.ts';
import { expectSame, type SideBySide, type SideRequest, startSideBySide } from '../helpers/n8n-diff.ts';
import { node, webhookChain } from '../fixtures/n8n/builder.ts';

let flows = 0;
/** n8n registers a production webhook by its webhookId: each flow gets its own. */
const flow = (path: string, mode: string, nodes: ReturnType<typeof node>[]) => {
  const w = webhookChain(nodes, mode, 'POST', path) as { nodes: Record<string, unknown>[] };
  w.nodes[0] = { ...w.nodes[0], webhookId: `00000000-0000-4000-8000-${String(++flows).padStart(12, '0')}` };
  const { id: _id, ...rest } = w as Record<string, unknown>;
  return { ...rest, name: path };
};
const strictRule = (type: string, right: unknown) => ({ conditions: { options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 }, combinator: 'and', conditions: [{ id: 'c1', leftValue: '={{ $json.body.k }}', rightValue: right, operator: { type, operation: 'equals' } }] } });

const EXPORTS = {
  'set-null.json': flow('fid-set-null', 'lastNode', [
    node('Fields', 'set', 3.4, { assignments: { assignments: [{ id: 'a', name: 'missing', type: 'string', value: '={{ $json.body.nothing }}' }, { id: 'b', name: 'n', type: 'string', value: '={{ $json.body.n }}' }] }, options: {} }),
  ]),
  'route.json': flow('fid-route', 'lastNode', [
    node('Route', 'switch', 3.2, { rules: { values: [strictRule('string', '1')] }, options: { fallbackOutput: 'extra' } }),
    node('Matched', 'set', 3.4, { assignments: { assignments: [{ id: 'r', name: 'route', type: 'string', value: 'one' }] }, options: {} }),
  ]),
  'ask.json': flow('fid-ask', 'lastNode', [
    node('Ask', 'openAi', 1.8, { modelId: { __rl: true, value: 'gpt-4o-mini', mode: 'list' }, jsonOutput: true, messages: { values: [{ role: 'system' }, { content: '={{ $json.body.q }}' }] }, options: {} }, { credentials: { openAiApi: { id: 'oaiFidelity00001', name: 'OpenAi account' } } }),
  ]),
  // Request headers: an expression and a Code node read them by name (n8n lower-cases the names).
  'headers.json': flow('fid-headers', 'lastNode', [
    node('Read', 'code', 2, { mode: 'runOnceForEachItem', jsCode: "return { json: { sig: $('Webhook').first().json.headers['x-signature'] ?? null, tenant: $json.headers['x-tenant'] ?? null, upper: $json.headers['X-Tenant'] ?? null, n: Object.keys($json.body).length } };" }),
    node('Fields', 'set', 3.4, { assignments: { assignments: [{ id: 'h1', name: 'lang', type: 'string', value: "={{ $('Webhook').item.json.headers['x-lang'] }}" }, { id: 'h2', name: 'sig', type: 'string', value: '={{ $json.sig }}' }, { id: 'h3', name: 'tenant', type: 'string', value: '={{ $json.tenant }}' }, { id: 'h4', name: 'upper', type: 'string', value: '={{ $json.upper }}' }] }, options: {} }),
  ]),
  'unmatched.json': flow('fid-unmatched', 'responseNode', [
    node('Route', 'switch', 3.2, { rules: { values: [strictRule('string', 'a')] }, options: {} }),
    node('Respond', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: 'matched' }),
  ]),
};

const OPENAI_KEY = 'sk-oracle-fidelity-7d2e';

/** The OpenAI stand-in: a fixed JSON completion; a 500 when a message says "fail". */
function upstream(req: IncomingMessage, body: string, res: ServerResponse): void {
  if (req.method !== 'POST' || req.url !== '/openai/v1/chat/completions') return json(res, 404, { error: `no stand-in for ${req.method} ${req.url}` });
  if ((JSON.parse(body) as { messages: { content?: string }[] }).messages.some((m) => m.content === 'fail')) return json(res, 500, { error: { message: 'upstream broke' } });
  json(res, 200, { id: 'c1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: '{"ok": true}' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } });
}

let side: SideBySide;

beforeAll(async () => {
  side = await startSideBySide({
    exports: EXPORTS,
    upstream,
    rewrite: { 'https://api.openai.com': '/openai' },
    secrets: { OPENAI_API_KEY: OPENAI_KEY },
    credentials: (url) => [{ id: 'oaiFidelity00001', name: 'OpenAi account', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: `${url}/openai/v1` } }],
    upstreamHeaders: ['authorization'],
  });
}, 300_000);

afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

const same = async (req: SideRequest) => (await expectSame(side, req)).n8n;

describe('request headers, checked against n8n', () => {
  it('a Code node and a Set expression read request headers by their lower-case names; missing ones are null', async () => {
    const full = await same({ path: 'fid-headers', body: { a: 1 }, headers: { 'X-Signature': 'sha256=abc', 'x-tenant': 'acme', 'x-lang': 'de' } });
    expect(full).toMatchObject({ status: 200, body: { lang: 'de', sig: 'sha256=abc', tenant: 'acme', upper: null } });
    expect(await same({ path: 'fid-headers', body: { a: 1, b: 2 } })).toMatchObject({ status: 200, body: { lang: null, sig: null, tenant: null, upper: null } });
  });
});

describe('fidelity fixes, checked against n8n', () => {
  it('imports cleanly', () => {
    for (const f of Object.keys(EXPORTS)) expect(side.status(f), side.importOutput).toBe('clean');
  });

  it('Set v3.4: a string field whose expression is undefined stays null', async () => {
    const r = await same({ path: 'fid-set-null', body: { n: 5 } });
    expect(r.body).toEqual({ missing: null, n: '5' });
  });

  it('Switch v3 strict: a string routes; a number compared as a string fails the run in both', async () => {
    expect((await same({ path: 'fid-route', body: { k: '1' } })).body).toEqual({ route: 'one' });
    expect((await same({ path: 'fid-route', body: { k: 1 } })).status).toBe('workflow failed');
  });

  it('OpenAI JSON output: the same chat completion request (n8n\'s system message first, a message without content is ""), sent once when it fails', async () => {
    const { n8n, app } = await side.send({ path: 'fid-ask', body: { q: 'Colours?' } });
    expect(app.upstream, `n8n: ${JSON.stringify(n8n)}`).toEqual(n8n.upstream);
    expect(n8n.upstream).toMatchObject([{ method: 'POST', url: '/openai/v1/chat/completions', headers: { authorization: `Bearer ${OPENAI_KEY}` }, body: { messages: [{ role: 'system', content: 'You are a helpful assistant designed to output JSON.' }, { role: 'system', content: '' }, { role: 'user', content: 'Colours?' }], response_format: { type: 'json_object' } } }]);
    // Written-down difference: when the content expression gives undefined, n8n 2.40.7 fails the run
    // before calling the API; the app sends that message without a content field.
    const missing = await side.send({ path: 'fid-ask', body: {} });
    expect(missing.n8n).toMatchObject({ status: 'workflow failed', upstream: [] });
    expect((missing.app.upstream[0].body as { messages: unknown[] }).messages[2]).toEqual({ role: 'user' });
    const failed = await side.send({ path: 'fid-ask', body: { q: 'fail' } });
    expect(failed.app.upstream).toEqual(failed.n8n.upstream);
    expect(failed.n8n.upstream).toHaveLength(1);
    expect([failed.n8n.status, failed.app.status]).toEqual(['workflow failed', 'workflow failed']);
  });

  it('Switch with no matching rule and no fallback output, answered by a Respond node on a rule\'s branch', async () => {
    expect((await same({ path: 'fid-unmatched', body: { k: 'a' } })).body).toBe('matched');
    // No Respond node runs: n8n answers 200 with an empty body when the run ends (not the Switch's own output).
    const { n8n, app } = await side.send({ path: 'fid-unmatched', body: { k: 'b' } });
    expect({ status: app.status, body: app.body, upstream: app.upstream }).toEqual({ status: n8n.status, body: n8n.body, upstream: n8n.upstream });
    expect(n8n).toMatchObject({ status: 200, body: '' });
    // Written-down difference: n8n labels the empty body application/json, the app text/plain.
    expect([n8n.contentType, app.contentType]).toEqual(['application/json', 'text/plain']);
  });
});
