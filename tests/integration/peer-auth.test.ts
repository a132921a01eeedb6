/**
 * Cross-project calls authenticate themselves (docs/security.md, "Cross-project calls"), under real
 * uvicorn: project `desk` calls `ledger/balance` (bearer auth) and `ledger/open` (auth: none) over
 * HTTP. The generated ledger app accepts its peer key (CATALYST_PEER_KEY, and
 * CATALYST_PEER_KEY_PREVIOUS during a rotation) in X-Catalyst-Peer-Key on `balance` only, besides the
 * bearer token, on both request paths; the generated desk app sends CATALYST_PEER_LEDGER_KEY and
 * refuses to start without it. The keys never reach a log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, metric, project, requirePython, runAsync, startApp, stopAllApps, testPython, workspaceFrom, type RunningApp } from '../helpers/codegen.ts';

const KEY = 'peer-key-current-7c1d9a0b';
const OLD = 'peer-key-previous-52ee0f13';
const TOKEN = 'ledger-bearer-token-3f8a';

const FILES: Record<string, string> = {
  'ledger/project.yaml': 'catalyst: 1\nname: ledger\nsecrets:\n  LEDGER_TOKEN: bearer token of the public routes\n',
  'ledger/workflows/balance.yaml': `catalyst: 1
name: balance
visibility: public
auth: { type: bearer, secrets: [LEDGER_TOKEN] }
trigger: { type: webhook, method: POST, path: /balance }
input:
  type: object
  properties:
    account: { type: string, maxLength: 20 }
  required: [account]
nodes:
  - id: out
    type: respond
    body: { account: "{{ input.account }}", balance: 42 }
`,
  'ledger/workflows/hook.yaml': `catalyst: 1
name: hook
visibility: public
auth: { type: bearer, secrets: [LEDGER_TOKEN] }
trigger: { type: webhook, method: POST, path: /hook }
nodes:
  - id: out
    type: respond
    body: { ok: true }
`,
  'ledger/workflows/open.yaml': `catalyst: 1
name: open
visibility: public
auth: none
trigger: { type: webhook, method: POST, path: /open }
nodes:
  - id: out
    type: respond
    body: { open: true }
`,
  'desk/project.yaml': 'catalyst: 1\nname: desk\n',
  'desk/workflows/ask.yaml': `catalyst: 1
name: ask
visibility: public
auth: none
trigger: { type: webhook, method: POST, path: /ask }
input:
  type: object
  properties:
    account: { type: string, maxLength: 20 }
  required: [account]
nodes:
  - id: bal
    type: workflowCall
    workflow: ledger/balance
    input: { account: "{{ input.account }}" }
  - id: opened
    type: workflowCall
    workflow: ledger/open
    input: {}
  - id: out
    type: respond
    body: { balance: "{{ nodes.bal.balance }}", open: "{{ nodes.opened.open }}" }
`,
};

let python: string;
let ledger: RunningApp;
let ledgerDir: string;
let deskDir: string;

beforeAll(async () => {
  requirePython();
  python = await testPython();
  const { workspace } = workspaceFrom(FILES);
  ledgerDir = generateInto(project(workspace, 'ledger'), workspace).dir;
  deskDir = generateInto(project(workspace, 'desk'), workspace).dir;
  ledger = await startApp(ledgerDir, python, { LEDGER_TOKEN: TOKEN, CATALYST_PEER_KEY: KEY, CATALYST_PEER_KEY_PREVIOUS: OLD });
}, 60_000);

afterAll(async () => {
  await stopAllApps();
  cleanupTemps();
});

const PATHS = { fast: 'application/json', fastapi: 'application/merge+json' } as const;
const post = (app: RunningApp, path: string, headers: Record<string, string>, ctype = 'application/json') =>
  call(`${app.url}${path}`, { method: 'POST', raw: path === '/balance' || path === '/ask' ? '{"account":"a1"}' : '{}', headers: { 'content-type': ctype, ...headers } });

describe('the callee accepts its peer key on the workflows other projects call', () => {
  for (const [pathName, ctype] of Object.entries(PATHS)) {
    it(`${pathName} path: the current and the previous key pass; a wrong one is 401 even with a valid bearer token`, async () => {
      for (const key of [KEY, OLD]) {
        const r = await post(ledger, '/balance', { 'x-catalyst-peer-key': key }, ctype);
        expect(r.status, key === KEY ? 'current' : 'previous').toBe(200);
        expect(r.body).toEqual({ account: 'a1', balance: 42 });
      }
      expect((await post(ledger, '/balance', { authorization: `Bearer ${TOKEN}` }, ctype)).status).toBe(200);
      const wrong = await post(ledger, '/balance', { 'x-catalyst-peer-key': `${KEY}x`, authorization: `Bearer ${TOKEN}` }, ctype);
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ error: 'unauthorized', message: 'wrong X-Catalyst-Peer-Key' });
      expect((await post(ledger, '/balance', {}, ctype)).status).toBe(401);
      // Sent twice (ambiguous): refused, whichever values.
      const twice = await call(`${ledger.url}/balance`, { method: 'POST', raw: '{"account":"a1"}', headers: { 'content-type': ctype, 'x-catalyst-peer-key': `${KEY}, ${KEY}` } });
      expect(twice.status).toBe(401);
    });
  }

  it('the OpenAPI document offers the peer key as the alternative on those workflows only', async () => {
    const doc = (await call(`${ledger.url}/openapi.json`)).body;
    expect(doc.components.securitySchemes.catalystPeerKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Catalyst-Peer-Key' });
    expect(doc.paths['/balance'].post.security).toEqual([{ bearer: [] }, { catalystPeerKey: [] }]);
    expect(doc.paths['/hook'].post.security).toEqual([{ bearer: [] }]);
  });

  it('a workflow no other project calls does not take the peer key', async () => {
    expect((await post(ledger, '/hook', { 'x-catalyst-peer-key': KEY })).status).toBe(401);
    expect((await post(ledger, '/hook', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});

describe('the caller sends the key it was given', () => {
  it('with the current key (or, during a rotation, the previous one) the call passes', async () => {
    for (const key of [KEY, OLD]) {
      const desk = await startApp(deskDir, python, { CATALYST_PEER_LEDGER_URL: ledger.url, CATALYST_PEER_LEDGER_KEY: key });
      const r = await post(desk, '/ask', {});
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ balance: 42, open: true });
      for (const line of desk.lines) expect(line).not.toContain(key);
      await desk.stop();
    }
  });

  it('with a wrong key the callee refuses (401, counted) and the caller answers 502', async () => {
    const before = metric(await (await fetch(`${ledger.url}/metrics`)).text(), 'catalyst_requests_total', { workflow: 'balance', status: '401' });
    const desk = await startApp(deskDir, python, { CATALYST_PEER_LEDGER_URL: ledger.url, CATALYST_PEER_LEDGER_KEY: 'not-the-ledger-key-000' });
    const r = await post(desk, '/ask', {});
    expect(r.status).toBe(502);
    expect(JSON.stringify(r.body)).toContain('ledger/balance responded with status 401');
    const after = metric(await (await fetch(`${ledger.url}/metrics`)).text(), 'catalyst_requests_total', { workflow: 'balance', status: '401' });
    expect(after - before).toBe(1);
    await desk.stop();
  });

  it('refuses to start without its key, or with one shorter than 8 characters, naming the variable only', async () => {
    for (const env of [{}, { CATALYST_PEER_LEDGER_KEY: 'Zq7!x' }]) {
      const r = await runAsync(python, ['-m', 'app'], { cwd: deskDir, env: { PATH: process.env.PATH ?? '', PORT: '1', CATALYST_HOST: '127.0.0.1', CATALYST_PEER_LEDGER_URL: ledger.url, ...env }, timeoutMs: 30_000 });
      expect(r.code, r.out).toBe(78);
      expect(r.out).toContain('CATALYST_PEER_LEDGER_KEY');
      expect(r.out).not.toContain('Zq7!x');
    }
  });

  it("no key appears in the callee's logs", () => {
    expect(ledger.lines.length).toBeGreaterThan(5);
    for (const line of ledger.lines) for (const k of [KEY, OLD, TOKEN]) expect(line).not.toContain(k);
  });
});
