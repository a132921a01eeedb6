/**
 * Behaviour of imported corpus workflows: the same request gives the response n8n's semantics define.
 * Each expectation is written by hand from the n8n node definitions (noted next to it); a local HTTP
 * server on 127.0.0.1 stands in for the external APIs (their URLs are rewritten with --rewrite-url).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { call, cleanupTemps, json, REPO, requirePython, startApp, startStub, stopAllApps, tempDir, testPython, type RunningApp, type Stub } from '../helpers/codegen.ts';

// The acceptance corpus lives beside the repository (shared/corpus/n8n); CATALYST_N8N_CORPUS overrides.
const CORPUS = process.env.CATALYST_N8N_CORPUS ?? join(REPO, '..', 'shared', 'corpus', 'n8n');
if (!existsSync(join(CORPUS, 'MANIFEST.tsv'))) throw new Error(`the n8n corpus is missing at ${CORPUS}: check out shared/ beside the repository or set CATALYST_N8N_CORPUS`);
const FILES = [
  '0077_HTTP_Noop_Sync_Webhook.json',
  '0232_Respondtowebhook_Stickynote_Create_Webhook.json',
  '0368_Stickynote_Webhook_Automate_Webhook.json',
  '0606_HTTP_Respondtowebhook_Create_Webhook.json',
  '0900_Respondtowebhook_Stickynote_Automate_Webhook.json',
  '1799_HTTP_Manual_Send_Webhook.json',
];
const SECRETS = { OPS_GENIE: 'GenieKey opsgenie-key', FASTMAIL_MASKED_E_MAIL_ADDRESSES: 'Bearer fastmail-token', LINE_N8N_DEMO_AUTH: 'Bearer line-token' };

let stub: Stub;
let app: RunningApp;

beforeAll(async () => {
  requirePython();
  const python = await testPython();
  stub = await startStub((req, body, res) => {
    const url = req.url ?? '';
    if (url === '/opsgenie/v2/alerts') return json(res, 202, { result: 'Request will be processed', requestId: 'r-1' });
    if (url.startsWith('/opsgenie/v2/alerts/')) return json(res, 202, { result: 'closing', requestId: 'r-2' });
    if (url === '/fastmail/jmap/session') return json(res, 200, { primaryAccounts: { 'https://www.fastmail.com/dev/maskedemail': 'acct-42' } });
    if (url === '/fastmail/jmap/api/') {
      const state = JSON.parse(body).methodCalls[0][1].create.maskedEmailId1.state;
      return json(res, 200, { methodResponses: [['MaskedEmail/set', { created: { maskedEmailId1: { email: `${state}.abc@fastmail.com` } } }, 'c1']] });
    }
    if (url === '/line/v2/bot/message/reply') return json(res, 200, {});
    return json(res, 404, { error: `unexpected ${req.method} ${url}` });
  });
  const root = tempDir('catalyst-n8n-behaviour-');
  let out = '';
  const code = await main(
    [
      'import', 'n8n', ...FILES.map((f) => join(CORPUS, f)), '--project', 'corpus-behaviour', '--into', join(root, 'projects'),
      '--rewrite-url', `https://api.opsgenie.com=${stub.url}/opsgenie`,
      '--rewrite-url', `https://api.fastmail.com=${stub.url}/fastmail`,
      '--rewrite-url', `https://api.line.me=${stub.url}/line`,
    ],
    { cwd: root, stdout: (t) => (out += t), stderr: (t) => (out += t), env: {}, isTTY: false },
  );
  expect(code, out).toBe(0);
  const ws = loadWorkspace(join(root, 'projects', 'corpus-behaviour'), { base: root });
  expect(ws.diagnostics).toEqual([]);
  const project = ws.workspace!.projects[0];
  const dir = join(root, 'app');
  writeApp(generateApp(project, ws.workspace!, { catalystVersion: '0.0.0-test' }), dir);
  app = await startApp(dir, python, SECRETS, 60_000);
}, 300_000);

afterAll(async () => {
  await stopAllApps();
  await stub?.close();
  cleanupTemps();
});

const lastRequests = (since: number) => stub.requests.slice(since);

describe('imported corpus workflows behave as in n8n', () => {
  it('0232: GET webhook → Set (v1, keep only set) → Respond text', async () => {
    // Respond to Webhook v1, respondWith text: the template with $node["Webhook"].json["query"] fields and the Set's product.
    const r = await call(`${app.url}/6f7b288e-1efe-4504-a6fd-660931327269?first_name=Ada&last_name=Lovelace`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.text).toBe('The URL of the Google search query for the term "Ada Lovelace" is: https://www.google.com/search?q=Ada+Lovelace');
  });

  it('0368 / 0900: "respond immediately" answers {"message": "Workflow was started"} or the custom response data', async () => {
    // Webhook v2, responseMode default onReceived, no options: n8n's fixed message.
    const a = await call(`${app.url}/c80ce133-899b-41c9-b2ae-2c876694f9fd`, { body: { data: { results: { emails: [{ email: 'a@b.c' }] } } } });
    expect(a).toMatchObject({ status: 200, body: { message: 'Workflow was started' } });
    // options.responseData "={"response":"Your booking is confirmed"}" is sent as is (the Respond node is ignored in this mode).
    const b = await call(`${app.url}/hotel-retell-template`, { body: { any: 'thing' } });
    expect(b).toMatchObject({ status: 200, body: { response: 'Your booking is confirmed' } });
  });

  it('0077: Switch → Set → IF → create or close an OpsGenie alert; lastNode allEntries response', async () => {
    const attributes = { id: 42, computer_name: 'PC1', customer: { business_then_name: 'Acme' }, formatted_output: 'offline', properties: { trigger: 'agent_offline_trigger' } };
    let since = stub.requests.length;
    // Switch v1 string equal → output 0; IF v1 boolean: value1 (resolved) === false (value2 default) → true → Create Alert.
    const created = await call(`${app.url}/fromsyncro`, { body: { attributes: { ...attributes, resolved: false }, text: 'Disk', link: 'https://syncro/1' } });
    expect(created.status).toBe(200);
    // responseData allEntries: all items of the last node (the HTTP response body) as an array.
    expect(created.body).toEqual([{ result: 'Request will be processed', requestId: 'r-1' }]);
    const [req] = lastRequests(since);
    expect(req).toMatchObject({ method: 'POST', url: '/opsgenie/v2/alerts' });
    expect(req.headers.authorization).toBe(SECRETS.OPS_GENIE);
    // HTTP v1 body parameters are sent as JSON; single expressions keep their type (alias is the number 42).
    expect(JSON.parse(req.body)).toEqual({ message: 'PC1 (Acme): offline', alias: 42, description: 'Disk\nhttps://syncro/1' });

    since = stub.requests.length;
    const closed = await call(`${app.url}/fromsyncro`, { body: { attributes: { ...attributes, resolved: true } } });
    expect(closed.body).toEqual([{ result: 'closing', requestId: 'r-2' }]);
    expect(lastRequests(since)).toMatchObject([{ method: 'POST', url: '/opsgenie/v2/alerts/42/close?identifierType=alias' }]);
    expect(JSON.parse(lastRequests(since)[0].body)).toEqual({ note: 'Issue resolved automatically according to Syncro.' });

    // No rule matches and there is no fallback output: the Switch is the last node and outputs no item → n8n answers 500.
    since = stub.requests.length;
    const other = await call(`${app.url}/fromsyncro`, { body: { attributes: { ...attributes, properties: { trigger: 'other' } } } });
    expect(other).toMatchObject({ status: 500, body: { message: 'No item to return was found' } });
    expect(lastRequests(since)).toEqual([]);
  });

  it('0606: session → fields with defaults (??) → JMAP call → Respond with $json as JSON', async () => {
    let since = stub.requests.length;
    const r = await call(`${app.url}/createMaskedEmail`, { body: { state: 'enabled', description: 'shop' } });
    expect(r.status).toBe(200);
    // respondWith text, responseBody ={{ $json }}: the item (an object) is sent as JSON.
    expect(r.body).toEqual({ email: 'enabled.abc@fastmail.com', desciption: 'shop' });
    const [session, create] = lastRequests(since);
    expect(session).toMatchObject({ method: 'GET', url: '/fastmail/jmap/session' });
    expect(session.headers.authorization).toBe(SECRETS.FASTMAIL_MASKED_E_MAIL_ADDRESSES);
    expect(create).toMatchObject({ method: 'POST', url: '/fastmail/jmap/api/' });
    expect(JSON.parse(create.body)).toEqual({
      using: ['urn:ietf:params:jmap:core', 'https://www.fastmail.com/dev/maskedemail'],
      methodCalls: [['MaskedEmail/set', { accountId: 'acct-42', create: { maskedEmailId1: { description: 'shop', state: 'enabled' } } }, 'c1']],
    });
    // Without the fields, "?? 'pending'" and "?? 'Test via N8n'" apply.
    since = stub.requests.length;
    const d = await call(`${app.url}/createMaskedEmail`, { body: {} });
    expect(d.body).toEqual({ email: 'pending.abc@fastmail.com', desciption: 'Test via N8n' });
    expect(JSON.parse(lastRequests(since)[1].body).methodCalls[0][1].create.maskedEmailId1).toEqual({ description: 'Test via N8n', state: 'pending' });
  });

  it('1799: LINE webhook → IF message → reply; other events do nothing; both answer immediately', async () => {
    let since = stub.requests.length;
    const r = await call(`${app.url}/638c118e-1c98-4491-b6ff-14e2e75380b6`, { body: { events: [{ type: 'message', replyToken: 'tok-1', message: { text: 'hi' } }] } });
    expect(r).toMatchObject({ status: 200, body: { message: 'Workflow was started' } });
    const [reply] = lastRequests(since);
    expect(reply).toMatchObject({ method: 'POST', url: '/line/v2/bot/message/reply' });
    expect(reply.headers.authorization).toBe(SECRETS.LINE_N8N_DEMO_AUTH);
    expect(JSON.parse(reply.body)).toEqual({ replyToken: 'tok-1', messages: [{ type: 'text', text: '收到您的訊息 : hi' }] });
    since = stub.requests.length;
    const follow = await call(`${app.url}/638c118e-1c98-4491-b6ff-14e2e75380b6`, { body: { events: [{ type: 'follow' }] } });
    expect(follow).toMatchObject({ status: 200, body: { message: 'Workflow was started' } });
    expect(lastRequests(since)).toEqual([]);
  });

  it('serves /health', async () => {
    const h = await call(`${app.url}/health`);
    expect(h).toMatchObject({ status: 200, body: { status: 'ok', project: 'corpus-behaviour' } });
  });
});
