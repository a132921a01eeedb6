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
import type { N8nCredential } from '../helpers/n8n.ts';
import { expectSame, type Observed, type SideBySide, type SideRequest, startSideBySide } from '../helpers/n8n-diff.ts';

const CORPUS = process.env.CATALYST_N8N_CORPUS ?? join(REPO, '..', 'shared', 'corpus', 'n8n');
if (!existsSync(join(CORPUS, 'MANIFEST.tsv'))) throw new Error(`the n8n corpus is missing at ${CORPUS}: check out shared/ beside the repository or set CATALYST_N8N_CORPUS`);
const corpus = (f: string) => JSON.parse(readFileSync(join(CORPUS, f), 'utf8')) as Record<string, unknown>;

const EXPORTS = {
  '1862_Code_Respondtowebhook_Automation_Webhook.json': corpus('1862_Code_Respondtowebhook_Automation_Webhook.json'),
  '0980_Code_Webhook_Automation_Webhook.json': corpus('0980_Code_Webhook_Automation_Webhook.json'),
  '0375_Webhook_Code_Send_Webhook.json': corpus('0375_Webhook_Code_Send_Webhook.json'),
  '0491_Code_Webhook_Monitor_Webhook.json': corpus('0491_Code_Webhook_Monitor_Webhook.json'),
  '0559_HTTP_Webhook_Create_Webhook.json': corpus('0559_HTTP_Webhook_Create_Webhook.json'),
  '0630_Code_Webhook_Create_Scheduled.json': corpus('0630_Code_Webhook_Create_Scheduled.json'),
  '0922_Code_Webhook_Create_Webhook.json': corpus('0922_Code_Webhook_Create_Webhook.json'),
};
/** The external APIs the exports call → paths on the stand-in. */
const REWRITE = {
  'https://language.googleapis.com': '/google',
  'https://gateway.datagma.net': '/datagma',
  'https://slides.googleapis.com': '/slides',
  'https://your-domain.atlassian.net': '/atlassian',
  'http://your-api.com': '/tokenapi',
};
/** The same secret for both: the app's environment and the n8n credential the export names. */
const SECRETS = { ATLASSIAN: `Basic ${Buffer.from('ada:atlassian-pw').toString('base64')}` };
const CREDENTIALS: N8nCredential[] = [
  { id: 'wQWJ3gbaDYd4nNIK', name: 'Atlassian', type: 'httpBasicAuth', data: { user: 'ada', password: 'atlassian-pw' } },
  { id: 'XnM5YeAtI5QnYrMh', name: 'Google Slides account', type: 'googleSlidesOAuth2Api', data: { clientId: 'c', clientSecret: 's', oauthTokenData: { access_token: 'slides-token', token_type: 'Bearer' } } },
];

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
  if (req.method === 'GET' && url.startsWith('/datagma/api/ingress/v2/full?')) {
    const domain = new URL(url, 'http://x').searchParams.get('data') ?? '';
    const employees = domain.startsWith('big') ? '1 200' : '12';
    return json(res, 200, {
      company: {
        premium: { employeesAmountInLinkedin: employees, industries: 'Software', founded: 1999, url: `https://linkedin.example/${domain}`, about: 'Makes things', name: domain },
        full: { cards: { fundingRoundsList: [{}, {}, { moneyRaised: { value: 5000000 } }], overviewFields: { revenueRange: '$1M-$10M' } } },
      },
    });
  }
  if (req.method === 'GET' && url.startsWith('/slides/v1/presentations/')) {
    return json(res, 200, { slides: [{ pageElements: [{ objectId: 'img-1', description: 'logo', image: {} }, { objectId: 'txt-1', description: 'logo' }] }, { pageElements: [{ objectId: 'img-2', description: 'other', image: {} }] }] });
  }
  if (req.method === 'POST' && url.startsWith('/slides/v1/presentations/')) return json(res, 200, { replies: [{}, {}] });
  if (req.method === 'GET' && url.startsWith('/atlassian/wiki/rest/api/template/')) {
    return json(res, 200, { name: 'Notes for $body.who$', body: { storage: { value: '<p>$body.topic$ by $body.who$ ($missing.key$)</p>' } } });
  }
  if (req.method === 'POST' && url === '/atlassian/wiki/rest/api/content/') return json(res, 200, { id: 'page-1' });
  if (req.method === 'GET' && url.startsWith('/tokenapi')) return json(res, 200, { AccessToken: 'tok-1' });
  json(res, 404, { error: `no stand-in for ${req.method} ${url}` });
}

let side: SideBySide;
beforeAll(async () => {
  side = await startSideBySide({ exports: EXPORTS, upstream, rewrite: REWRITE, secrets: SECRETS, credentials: CREDENTIALS, allowPartial: true, settleMs: 300, upstreamHeaders: ['content-type', 'authorization'] });
}, 600_000);
afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

/** Send the request to both and expect the same normalised answer and upstream requests; gives n8n's. */
const same = async (req: SideRequest) => (await expectSame(side, req)).n8n;

/**
 * A difference not fixed yet, written down: n8n and the app answer differently, and the app answers
 * `app` (partial match). When the app is fixed this fails: turn the call into `same`.
 */
async function differs(req: SideRequest, because: string, app: Partial<Observed>) {
  const r = await side.send(req);
  const { detail: _, ...compared } = r.app;
  expect(compared, `${req.method ?? 'GET'} ${req.path} now answers as n8n does (${because}): make it a same(...) case`).not.toEqual(r.n8n);
  expect(r.app, `${req.method ?? 'GET'} ${req.path}: the known difference (${because}) changed`).toMatchObject(app);
  return r;
}

describe('imported workflows answer as n8n does', () => {
  it('1862: query → Set (array) → Code (all items) → Respond first item', async () => {
    const q = (v: unknown) => `centroid?vectors=${encodeURIComponent(JSON.stringify(v))}`;
    // n8n's Set (v3.4) parses the JSON text given to a field typed "array"; so does the import (parseJson).
    expect(await same({ path: q([[1, 2, 3], [4, 5, 6]]) })).toMatchObject({ status: 200, body: { centroid: [2.5, 3.5, 4.5] } });
    expect(await same({ path: q([[1, 2], [3]]) })).toMatchObject({ status: 200, body: { error: 'Vectors have inconsistent dimensions.' } });
    // The Code node's own answer for an empty list.
    expect(await same({ path: q([]) })).toMatchObject({ status: 200, contentType: 'application/json', body: { error: 'Invalid input: Expected an array of vectors.' } });
  });
});

describe('imported workflows call upstream APIs as n8n does', () => {
  it('0980: body URL → HTTP GET (text) → Code (each item) → HTTP POST JSON → Respond', async () => {
    const page = `${side.stub.url}/page/Ada%20Lovelace`;
    // n8n's HTTP Request (v4.2, response format "autodetect") takes a text/html answer as text in `data`
    // and the entity API's application/json answer as JSON; so does the import (responseType auto, textKey data).
    const r = await same({ path: '2944c8f6-03cd-4ab8-8b8e-cb033edf877a', body: { url: page } });
    expect(r).toMatchObject({ status: 200, contentType: 'application/json', body: { language: 'en' } });
    // Both fetched the page, then sent the Code node's request to the entity API.
    expect(r.upstream.map((u) => `${u.method} ${u.url}`)).toEqual(['GET /page/Ada%20Lovelace', 'POST /google/v1/documents:analyzeEntities?key=YOUR-GOOGLE-API-KEY']);
    expect(r.upstream[1].body).toEqual({ document: { type: 'HTML', content: '<html><body><h1>Ada Lovelace</h1></body></html>' }, encodingType: 'UTF8' });
  });
});

/** The app's answer where the import left a stub (reported at import; `--allow-partial`). */
const stub = (node: string, reason: RegExp) => ({ status: 'workflow failed' as const, detail: { error: 'node_failed', node, message: expect.stringMatching(reason) }, upstream: [] });

describe('the other exports: what runs is the same, stubs and differences are written down', () => {
  it('imports the seven exports as the corpus coverage records them', () => {
    expect(Object.fromEntries(Object.keys(EXPORTS).map((f) => [f.slice(0, 4), side.status(f)]))).toEqual({
      '1862': 'clean',
      '0980': 'clean',
      '0375': 'clean',
      '0491': 'partial',
      '0559': 'clean',
      '0630': 'partial',
      '0922': 'clean',
    });
  });

  it('0491: IF (strict "exists") routes a request without the fields to Respond 500 with its JSON', async () => {
    expect(await same({ path: 'replace-image-in-slide', body: { presentation_id: 'p1' } })).toEqual({ status: 500, contentType: 'application/json', body: { error: 'Missing fields.' }, upstream: [] });
    expect(await same({ path: 'replace-image-in-slide', body: { image_key: 'logo', image_url: 'https://img.example/a.png' } })).toMatchObject({ status: 500, body: { error: 'Missing fields.' } });
  });

  it('0491: with the fields, n8n calls Google Slides (OAuth2); the app stops at the stub', async () => {
    const body = { presentation_id: 'p1', image_key: 'logo', image_url: 'https://img.example/a.png' };
    const { n8n } = await differs({ path: 'replace-image-in-slide', body }, 'googleSlidesOAuth2Api credentials are not imported', stub('retrieve_all_slide_elements', /googleSlidesOAuth2Api/));
    // The Code node (all items, flatMap over $input.all()) picked the one image described "logo".
    expect(n8n).toMatchObject({ status: 200, body: { message: 'Image replaced.' } });
    expect(n8n.upstream.map((u) => `${u.method} ${u.url}`)).toEqual(['GET /slides/v1/presentations/p1', 'POST /slides/v1/presentations/p1:batchUpdate']);
    expect(n8n.upstream[1].body).toEqual({ requests: [{ replaceImage: { imageObjectId: 'img-1', url: 'https://img.example/a.png', imageReplaceMethod: 'CENTER_CROP' } }, { updatePageElementAltText: { objectId: 'img-1', description: 'logo' } }] });
  });

  it('0375: Set (v2, keeps input fields) read whole by a Code node: it sees the webhook item with the Set field, and qualifies the lead as n8n does', async () => {
    const path = '6545426b-ff78-47af-8e20-a6e9f5259c8e';
    const big = await same({ path, body: { email: 'ada@big.example' } });
    expect(big).toMatchObject({ status: 200, body: { result: 1 }, upstream: [{ method: 'GET', url: expect.stringMatching(/^\/datagma\/api\/ingress\/v2\/full\?data=big\.example&/) }] });
    expect(await same({ path, body: { email: 'bob@small.example' } })).toMatchObject({ status: 200, body: { result: 2 } });
    // A free-mail domain (in the Code node's list): still enriched, as in n8n.
    expect(await same({ path, body: { email: 'eve@gmx.com' } })).toMatchObject({ upstream: [{ method: 'GET', url: expect.stringMatching(/^\/datagma\/api\/ingress\/v2\/full\?data=gmx\.com&/) }] });
  });

  it('0559: respond immediately, basic auth, then a Code node with a regex callback fills the page template', async () => {
    const basic = SECRETS.ATLASSIAN;
    const template = { method: 'GET', url: '/atlassian/wiki/rest/api/template/834764824', body: null, headers: { authorization: basic, 'content-type': '' } };
    // $now.format("yyyy-MM-dd-HH-mm") (n8n's DateTime extension) is imported as Luxon's toFormat.
    const r = await side.send({ path: 'd291ef27-c27f-42cf-90cf-4dad7dd71a7c', body: { who: 'Ada', topic: 'Engines' }, n8nUpstream: 2 });
    // The title carries the minute each side ran in (n8n's zone: GENERIC_TIMEZONE=UTC here; the app's: UTC).
    const stamp = /^\d{4}-\d\d-\d\d-\d\d-\d\d-/;
    const minuteOf = (o: Observed) => {
      const body = o.upstream[1]?.body as { title?: string } | undefined;
      expect(body?.title, 'the page title').toMatch(stamp);
      const [y, mo, d, h, mi] = body!.title!.split('-').map(Number);
      body!.title = body!.title!.replace(stamp, '<minute>-');
      return Date.UTC(y, mo - 1, d, h, mi);
    };
    const [n8nMinute, appMinute] = [minuteOf(r.n8n), minuteOf(r.app)];
    expect(Math.abs(appMinute - Date.now()), 'the app wrote the current minute (UTC)').toBeLessThan(3 * 60_000);
    expect(Math.abs(appMinute - n8nMinute)).toBeLessThanOrEqual(60_000);
    const { detail, ...app } = r.app;
    expect(app, `the app differs from n8n${detail ? `; the app's error: ${JSON.stringify(detail)}` : ''}`).toEqual(r.n8n);
    expect(r.n8n).toMatchObject({ status: 200, body: { message: 'Workflow was started' } });
    expect(r.n8n.upstream).toMatchObject([
      template,
      {
        method: 'POST',
        url: '/atlassian/wiki/rest/api/content/',
        headers: { authorization: basic },
        // Unknown placeholders stay.
        body: { type: 'page', title: '<minute>-Notes for Ada', body: { storage: { value: '<p>Engines by Ada ($missing.key$)</p>', representation: 'storage' } }, space: { key: '~5f5915647187b8006ffffe8e' }, ancestors: [{ type: 'page', id: '312344667' }] },
      },
    ]);
  });

  it('0630: static data: n8n answers "Workflow was started", the app fails at the stub', async () => {
    const { n8n } = await differs({ path: 'a227afae-e16e-44c2-bb5c-e69fe553b455' }, 'workflow static data is not available', stub('n_1_initiate_static_data', /static data/));
    // A fresh token timestamp is valid: no token request.
    expect(n8n).toEqual({ status: 200, contentType: 'application/json', body: { message: 'Workflow was started' }, upstream: [] });
  });

  it('0922: request headers (Authorization) checked by an IF, then the Code node checks the body: same answers', async () => {
    const req = (body: unknown, headers?: Record<string, string>): SideRequest => ({ path: 'secure-webhook', body, ...(headers ? { headers } : {}) });
    expect(await same(req({ message: 'hi' }, { authorization: 'Bearer 123' }))).toMatchObject({ status: 200, body: { message: 'Success! Workflow completed.' } });
    // The Code node (each item, `key in body` over Object.entries) finds "message" missing; the Respond node says 401 with code 400.
    expect(await same(req({ other: 'hi' }, { authorization: 'Bearer 123' }))).toMatchObject({ status: 401, body: { code: 400, message: 'Bad Request: Missing required fields' } });
    // Wrong token, another scheme, the header missing, the name in another case (header names are case-insensitive).
    for (const headers of [{ authorization: 'Bearer 124' }, { authorization: 'Basic 123' }, { authorization: 'bearer 123' }, undefined, { 'x-authorization': 'Bearer 123' }] as (Record<string, string> | undefined)[]) {
      expect(await same(req({ message: 'hi' }, headers))).toMatchObject({ status: 401, body: { code: 401 } });
    }
    expect(await same(req({ message: 'hi' }, { Authorization: 'Bearer 123' }))).toMatchObject({ status: 200 });
  });
});

describe('the oracle', () => {
  it('ran offline: n8n logged no failed host-name lookup', () => {
    expect(side.n8n.offlineViolations()).toEqual([]);
  });
});
