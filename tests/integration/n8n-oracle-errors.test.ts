/**
 * n8n's "On Error" setting checked against n8n itself (the oracle, scripts/setup-n8n.sh; see
 * tests/integration/n8n-oracle.test.ts): an HTTP Request whose upstream answers 500, with the error output
 * ("continueErrorOutput") or continuing on the regular output ("continueRegularOutput"). The import maps
 * both to error edges (docs/n8n-import.md); n8n and the generated app get the same requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, json } from '../helpers/codegen.ts';
import { expectSame, type SideBySide, type SideRequest, startSideBySide } from '../helpers/n8n-diff.ts';

const node = (name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, position: [number, number], extra: Record<string, unknown> = {}) => ({
  id: `00000000-0000-4000-8000-${String(position[0]).padStart(6, '0')}${String(position[1] + 500).padStart(6, '0')}`,
  name,
  type: `n8n-nodes-base.${type}`,
  typeVersion,
  position,
  parameters,
  ...extra,
});
const link = (to: string) => [{ node: to, type: 'main', index: 0 }];

/** Webhook → HTTP GET `url` (On Error: `onError`) → Respond per output. */
function errorFlow(path: string, onError: string, outputs: { node: Record<string, unknown>; output: number }[], url = '=https://api.example.com/items/{{ $json.body.item }}'): Record<string, unknown> {
  const hook = node('Webhook', 'webhook', 2, { path, httpMethod: 'POST', responseMode: 'responseNode', options: {} }, [0, 0], { webhookId: `11111111-2222-4333-8444-${path.padEnd(12, '0').slice(0, 12).replace(/[^0-9a-f]/g, 'a')}` });
  const fetch = node('Fetch', 'httpRequest', 4.2, { url, options: {} }, [200, 0], { onError });
  const main: { node: string; type: string; index: number }[][] = [];
  for (const o of outputs) (main[o.output] ??= []).push(...link(String(o.node.name)));
  return {
    name: `On error ${path}`,
    nodes: [hook, fetch, ...outputs.map((o) => o.node)],
    connections: { Webhook: { main: [link('Fetch')] }, Fetch: { main } },
    settings: { executionOrder: 'v1' },
  };
}
const respond = (name: string, y: number, params: Record<string, unknown>) => node(name, 'respondToWebhook', 1.1, params, [400, y]);

const EXPORTS = {
  'error-output.json': errorFlow('error-output', 'continueErrorOutput', [
    { node: respond('Answer', 0, { respondWith: 'firstIncomingItem', options: {} }), output: 0 },
    { node: respond('Apologise', 200, { respondWith: 'json', responseBody: '={ "failed": true, "item": "{{ $(\'Webhook\').item.json.body.item }}" }', options: { responseCode: 503 } }), output: 1 },
  ]),
  'regular-output.json': errorFlow('regular-output', 'continueRegularOutput', [
    { node: respond('Carry on', 0, { respondWith: 'json', responseBody: '={ "continued": "{{ $(\'Webhook\').item.json.body.item }}" }', options: {} }), output: 0 },
  ]),
  // nothing listens on port 9: a connection error, not an HTTP answer (the import's error edge, not failOnError)
  'network.json': errorFlow('network', 'continueRegularOutput', [
    { node: respond('Carry on', 0, { respondWith: 'json', responseBody: '={ "continued": true }', options: { responseCode: 202 } }), output: 0 },
  ], 'http://127.0.0.1:9/down'),
};

function upstream(req: IncomingMessage, _body: string, res: ServerResponse): void {
  if (req.url === '/api/items/ok') return json(res, 200, { id: 'ok', price: 3 });
  json(res, 500, { error: 'upstream exploded' });
}

let side: SideBySide;
beforeAll(async () => {
  side = await startSideBySide({ exports: EXPORTS, upstream, rewrite: { 'https://api.example.com': '/api' } });
}, 600_000);
afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

const same = async (req: SideRequest) => (await expectSame(side, req)).n8n;

describe('On Error, side by side with n8n', () => {
  it('imports both exports cleanly', () => {
    expect(['error-output.json', 'regular-output.json', 'network.json'].map((f) => side.status(f))).toEqual(['clean', 'clean', 'clean']);
  });

  it('error output: success takes the main output, a 500 upstream takes the error output', async () => {
    expect(await same({ path: 'error-output', body: { item: 'ok' } })).toMatchObject({ status: 200, body: { id: 'ok', price: 3 }, upstream: [{ method: 'GET', url: '/api/items/ok' }] });
    expect(await same({ path: 'error-output', body: { item: 'broken' } })).toMatchObject({ status: 503, body: { failed: true, item: 'broken' }, upstream: [{ method: 'GET', url: '/api/items/broken' }] });
  });

  it('regular output: a 500 upstream continues to the next node', async () => {
    expect(await same({ path: 'regular-output', body: { item: 'broken' } })).toMatchObject({ status: 200, body: { continued: 'broken' } });
    expect(await same({ path: 'regular-output', body: { item: 'ok' } })).toMatchObject({ status: 200, body: { continued: 'ok' } });
  });

  it('regular output: a connection error continues to the next node too', async () => {
    expect(await same({ path: 'network', body: {} })).toEqual({ status: 202, contentType: 'application/json', body: { continued: true }, upstream: [] });
  });
});
