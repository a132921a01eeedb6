/**
 * Differential cases for the fidelity fixes of issue 17 (n8n itself as the oracle, tests/helpers/n8n-diff.ts):
 * small exports built here run in n8n and in the app `catalyst import n8n` makes of them, with the same
 * requests. Set string fields keep null (Set v3.2+); IF/Switch strict type validation fails the run on a
 * value of another type; a Switch whose rules do not match answers as n8n does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, json } from '../helpers/codegen.ts';
import { startSideBySide, type SideBySide, type SideRequest } from '../helpers/n8n-diff.ts';
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
  'unmatched.json': flow('fid-unmatched', 'responseNode', [
    node('Route', 'switch', 3.2, { rules: { values: [strictRule('string', 'a')] }, options: {} }),
    node('Respond', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: 'matched' }),
  ]),
};

function upstream(_req: IncomingMessage, _body: string, res: ServerResponse): void {
  json(res, 404, { error: 'no upstream in these cases' });
}

let side: SideBySide;

beforeAll(async () => {
  side = await startSideBySide({ exports: EXPORTS, upstream });
}, 300_000);

afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

async function same(req: SideRequest) {
  const { n8n, app } = await side.send(req);
  const { detail: _detail, ...seen } = app;
  expect(seen, `n8n: ${JSON.stringify(n8n)}\napp: ${JSON.stringify(app)}`).toEqual(n8n);
  return n8n;
}

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
