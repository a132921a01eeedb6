/**
 * Differential tests against n8n itself (the oracle; scripts/setup-n8n.sh installs it): corpus exports with
 * a webhook trigger and JavaScript Code nodes are imported with `catalyst import n8n`, and n8n and the
 * generated app (real uvicorn, mini-racer) get the same requests, with one loopback stand-in for the
 * external APIs. Answers (status, media type, body) and the requests sent upstream must be equal after
 * the normalisations listed in tests/helpers/n8n-diff.ts (documented in docs/n8n-import.md).
 *
 * Adding a case: add the export to EXPORTS, its upstream routes to `upstream` (and `rewrite`), and an `it`
 * that sends requests with `same(...)`.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, json, REPO } from '../helpers/codegen.ts';
import { startSideBySide, type Observed, type SideBySide, type SideRequest } from '../helpers/n8n-diff.ts';

const CORPUS = process.env.CATALYST_N8N_CORPUS ?? join(REPO, '..', 'shared', 'corpus', 'n8n');
if (!existsSync(join(CORPUS, 'MANIFEST.tsv'))) throw new Error(`the n8n corpus is missing at ${CORPUS}: check out shared/ beside the repository or set CATALYST_N8N_CORPUS`);
const corpus = (f: string) => JSON.parse(readFileSync(join(CORPUS, f), 'utf8')) as Record<string, unknown>;

const EXPORTS = {
  '1862_Code_Respondtowebhook_Automation_Webhook.json': corpus('1862_Code_Respondtowebhook_Automation_Webhook.json'),
  '0980_Code_Webhook_Automation_Webhook.json': corpus('0980_Code_Webhook_Automation_Webhook.json'),
};
/** The external APIs the exports call → paths on the stand-in. */
const REWRITE = {
  'https://language.googleapis.com': '/google',
};

/** The stand-in for every external API (one server; each route answers from what it received). */
function upstream(req: IncomingMessage, body: string, res: ServerResponse): void {
  const url = req.url ?? '';
  if (req.method === 'GET' && url.startsWith('/page/')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return void res.end(`<html><body><h1>${decodeURIComponent(url.slice('/page/'.length))}</h1></body></html>`);
  }
  if (req.method === 'POST' && url.startsWith('/google/v1/documents:analyzeEntities')) {
    const doc = (JSON.parse(body) as { document: { content: string } }).document;
    return json(res, 200, { entities: [{ name: 'page', type: 'OTHER', salience: 1, mentions: [{ text: { content: doc.content.slice(0, 40) } }] }], language: 'en' });
  }
  json(res, 404, { error: `no stand-in for ${req.method} ${url}` });
}

let side: SideBySide;
beforeAll(async () => {
  side = await startSideBySide({ exports: EXPORTS, upstream, rewrite: REWRITE, upstreamHeaders: ['content-type'] });
}, 600_000);
afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

/** Send the request to both and expect the same normalised answer and upstream requests; gives n8n's. */
async function same(req: SideRequest) {
  const r = await side.send(req);
  expect(r.app, `${req.method ?? 'GET'} ${req.path}: the app (received) differs from n8n (expected)`).toEqual(r.n8n);
  return r.n8n;
}

/**
 * A difference not fixed yet, written down: n8n and the app answer differently, and the app answers
 * `app` (partial match). When the app is fixed this fails: turn the call into `same`.
 */
async function differs(req: SideRequest, because: string, app: Partial<Observed>) {
  const r = await side.send(req);
  expect(r.app, `${req.method ?? 'GET'} ${req.path} now answers as n8n does (${because}): make it a same(...) case`).not.toEqual(r.n8n);
  expect(r.app, `${req.method ?? 'GET'} ${req.path}: the known difference (${because}) changed`).toMatchObject(app);
  return r;
}

describe('imported workflows answer as n8n does', () => {
  it('1862: query → Set (array) → Code (all items) → Respond first item', async () => {
    const q = (v: unknown) => `centroid?vectors=${encodeURIComponent(JSON.stringify(v))}`;
    // n8n's Set (v3.4) converts a field typed "array" from JSON text; the import passes the text on.
    const setArray = 'Set field of type array: n8n parses the JSON text, the import keeps the string';
    const a = await differs({ path: q([[1, 2, 3], [4, 5, 6]]) }, setArray, { status: 200, body: { error: 'Invalid input: Expected an array of vectors.' } });
    expect(a.n8n).toMatchObject({ status: 200, body: { centroid: [2.5, 3.5, 4.5] } });
    const b = await differs({ path: q([[1, 2], [3]]) }, setArray, { status: 200, body: { error: 'Invalid input: Expected an array of vectors.' } });
    expect(b.n8n).toMatchObject({ status: 200, body: { error: 'Vectors have inconsistent dimensions.' } });
    // The Code node's own answer for an empty list.
    expect(await same({ path: q([]) })).toMatchObject({ status: 200, contentType: 'application/json', body: { error: 'Invalid input: Expected an array of vectors.' } });
  });
});

describe('imported workflows call upstream APIs as n8n does', () => {
  it('0980: body URL → HTTP GET (text) → Code (each item) → HTTP POST JSON → Respond', async () => {
    const page = `${side.stub.url}/page/Ada%20Lovelace`;
    // n8n's HTTP Request (v4.2, response format "autodetect") takes a text/html answer as text in
    // `data`; the import keeps JSON parsing for a node whose output is read, so the app fails the run.
    const { n8n: r } = await differs({ path: '2944c8f6-03cd-4ab8-8b8e-cb033edf877a', body: { url: page } }, 'HTTP autodetect: an HTML answer fails the app', {
      status: 'workflow failed',
      detail: { error: 'upstream_error', node: 'get_url_page_contents' },
      upstream: [{ method: 'GET', url: '/page/Ada%20Lovelace', body: null, headers: { 'content-type': '' } }],
    });
    expect(r).toMatchObject({ status: 200, contentType: 'application/json', body: { language: 'en' } });
    // Both fetched the page, then sent the Code node's request to the entity API.
    expect(r.upstream.map((u) => `${u.method} ${u.url}`)).toEqual(['GET /page/Ada%20Lovelace', 'POST /google/v1/documents:analyzeEntities?key=YOUR-GOOGLE-API-KEY']);
    expect(r.upstream[1].body).toEqual({ document: { type: 'HTML', content: '<html><body><h1>Ada Lovelace</h1></body></html>' }, encodingType: 'UTF8' });
  });
});

describe('the oracle', () => {
  it('ran offline: n8n looked up no host name', () => {
    expect(side.n8n.offlineViolations()).toEqual([]);
  });
});
