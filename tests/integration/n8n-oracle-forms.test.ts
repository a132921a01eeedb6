/**
 * HTTP Request form (and raw) bodies checked against n8n itself (the oracle, tests/helpers/n8n-diff.ts): webhook
 * exports whose HTTP Request posts a url-encoded or multipart (text) form to the loopback stand-in run in
 * n8n and in the app `catalyst import n8n` makes of them, with the same requests. The stand-in parses what
 * each sent and answers it (media type, fields in order, multipart part headers), and the workflow answers
 * that, so the comparison is of the parsed forms: boundaries and the url-encoder's choices (`%20` or `+`)
 * differ by design.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, json } from '../helpers/codegen.ts';
import { parseForm } from '../helpers/forms.ts';
import { expectSame, type Observed, type SideBySide, type SideRequest, startSideBySide } from '../helpers/n8n-diff.ts';
import { node, webhookChain } from '../fixtures/n8n/builder.ts';

let flows = 0;
/** n8n registers a production webhook by its webhookId: each flow gets its own. */
const flow = (path: string, http: Record<string, unknown>, version = 4.2) => {
  const w = webhookChain([node('Post form', 'httpRequest', version, { method: 'POST', url: `https://api.example.com/${path}`, sendBody: true, options: {}, ...http })], 'lastNode', 'POST', path) as { nodes: Record<string, unknown>[] };
  w.nodes[0] = { ...w.nodes[0], webhookId: `00000000-0000-4000-8000-${String(++flows).padStart(12, '0')}` };
  const { id: _id, ...rest } = w as Record<string, unknown>;
  return { ...rest, name: path };
};
const fields = (...list: [string, unknown][]) => ({ bodyParameters: { parameters: list.map(([name, value]) => ({ name, value })) } });
const FIELDS = fields(['grant_type', 'client_credentials'], ['client_id', '={{ $json.body.id }}'], ['note', '={{ $json.body.note }}'], ['count', 5], ['title', '=Order {{ $json.body.id }}'], ['platform[]', 'instagram'], ['platform[]', '={{ $json.body.platform }}']);

const EXPORTS = {
  'urlencoded.json': flow('form-urlencoded', { contentType: 'form-urlencoded', ...FIELDS }),
  // from 4.3 n8n keeps repeated names (qs sends them with indices)
  'urlencoded-43.json': flow('form-urlencoded-43', { contentType: 'form-urlencoded', ...FIELDS }, 4.3),
  'string.json': flow('form-string', { contentType: 'form-urlencoded', specifyBody: 'string', body: 'a=1&b=x%20y+z&c=%C3%A9&a=2' }),
  'multipart.json': flow('form-multipart', {
    contentType: 'multipart-form-data',
    ...FIELDS,
    sendHeaders: true,
    headerParameters: { parameters: [{ name: 'Content-Type', value: 'multipart/form-data' }, { name: 'X-Trace', value: '={{ $json.body.id }}' }] },
  }),
  'string-expr.json': flow('form-string-expr', { contentType: 'form-urlencoded', specifyBody: 'string', body: '=grant_type=client%5Fcredentials&id={{ $json.body.id }}&title=Order+{{ $json.body.id }}%21&platform={{ $json.body.platform }}&flag' }),
  'raw.json': flow('raw-xml', { contentType: 'raw', rawContentType: 'application/xml', body: '=<order id="{{ $json.body.id }}">{{ $json.body.note }}</order>' }),
  'multipart-41.json': flow('form-multipart-41', { contentType: 'multipart-form-data', ...FIELDS }, 4.1),
};

/** The stand-in: answers what it received, parsed (a text body as it is). */
async function upstream(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
  if (req.url === '/api/raw-xml') return json(res, 200, { path: req.url, method: req.method, contentType: req.headers['content-type'] ?? null, text: body });
  const form = await parseForm(req.headers['content-type'], body);
  json(res, 200, { path: req.url, method: req.method, trace: req.headers['x-trace'] ?? null, ...form });
}

let side: SideBySide;
beforeAll(async () => {
  side = await startSideBySide({ exports: EXPORTS, upstream, rewrite: { 'https://api.example.com': '/api' } });
}, 600_000);
afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

const INPUT = { id: 'A-17', note: 'a&b=c d+é%/?', platform: 'tiktok' };

/** The same request to both: the same answer (the parsed form), and one upstream POST each to the same URL. */
const upstreamLines = (o: Observed) => ({ status: o.status, contentType: o.contentType, body: o.body, upstream: o.upstream.map((u) => ({ method: u.method, url: u.url })) });
const same = async (req: SideRequest) => (await expectSame(side, req, upstreamLines)).n8n;

describe('HTTP Request form bodies, side by side with n8n', () => {
  it('imports every export cleanly', () => {
    expect(Object.keys(EXPORTS).map((f) => [f, side.status(f)]), side.importOutput).toEqual(Object.keys(EXPORTS).map((f) => [f, 'clean']));
  });

  it('form-urlencoded (4.2): the same fields in the same order; a repeated name keeps its last value', async () => {
    expect(await same({ path: 'form-urlencoded', body: INPUT })).toMatchObject({
      status: 200,
      body: {
        method: 'POST',
        mediaType: 'application/x-www-form-urlencoded',
        fields: [['grant_type', 'client_credentials'], ['client_id', 'A-17'], ['note', INPUT.note], ['count', '5'], ['title', 'Order A-17'], ['platform[]', 'tiktok']],
      },
    });
  });

  it('form-urlencoded (4.3): repeated names sent with indices', async () => {
    const r = await same({ path: 'form-urlencoded-43', body: INPUT });
    expect((r.body as { fields: [string, string][] }).fields.slice(-2)).toEqual([['platform[][0]', 'instagram'], ['platform[][1]', 'tiktok']]);
  });

  it('form-urlencoded from one string: decoded once, the last of a repeated name', async () => {
    expect(await same({ path: 'form-string', body: {} })).toMatchObject({ body: { fields: [['a', '2'], ['b', 'x y z'], ['c', 'é']] } });
  });

  it('multipart (4.2): one text part per field, repeated names as repeated parts, headers kept, the Content-Type header replaced', async () => {
    const r = await same({ path: 'form-multipart', body: INPUT });
    expect(r).toMatchObject({ status: 200, body: { mediaType: 'multipart/form-data', trace: 'A-17' } });
    const body = r.body as { fields: [string, string][]; parts: unknown[] };
    expect(body.fields).toEqual([['grant_type', 'client_credentials'], ['client_id', 'A-17'], ['note', INPUT.note], ['count', '5'], ['title', 'Order A-17'], ['platform[]', 'instagram'], ['platform[]', 'tiktok']]);
    expect(body.parts).toEqual(body.fields.map(([name]) => ({ disposition: `form-data; name="${name}"`, contentType: null })));
  });

  it('form-urlencoded from one string with expressions: split where written, the same fields', async () => {
    expect(await same({ path: 'form-string-expr', body: INPUT })).toMatchObject({ body: { fields: [['grant_type', 'client_credentials'], ['id', 'A-17'], ['title', 'Order A-17!'], ['platform', 'tiktok'], ['flag', '']] } });
  });

  it('raw: the body as written, with its content type', async () => {
    expect(await same({ path: 'raw-xml', body: INPUT })).toMatchObject({ status: 200, body: { contentType: 'application/xml', text: `<order id="A-17">${INPUT.note}</order>` } });
  });

  it('multipart (4.1): the last of a repeated name', async () => {
    const r = await same({ path: 'form-multipart-41', body: INPUT });
    expect((r.body as { fields: [string, string][] }).fields.slice(-1)).toEqual([['platform[]', 'tiktok']]);
  });
});
