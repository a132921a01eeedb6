/**
 * Inbound auth of public workflow routes (docs/security.md) under real uvicorn, every mode, on both
 * request paths: the middleware's short JSON path (`application/json`) and FastAPI's
 * (`application/merge+json`). Missing or wrong credentials: 401 with the error envelope (and
 * WWW-Authenticate where the scheme has one), checked before the body is parsed, counted in /metrics;
 * every accepted secret works (rotation). Then Schemathesis against the authenticated OpenAPI document.
 */
import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, metric, project, requirePython, runAsync, startApp, stopAllApps, tempDir, testPython, workspaceFrom, type RunningApp } from '../helpers/codegen.ts';

const SECRETS = { KEY_NEW: 'key-new-0123456789', KEY_OLD: 'key-old-0123456789', BASIC_PW: 'pässword-123', HOOK_SECRET: 'whsec_abcdefgh', JWT_KEY: 'jwt-signing-key-42' };
const route = (name: string, auth: string, method = 'POST') => `catalyst: 1
name: ${name}
visibility: public
auth: ${auth}
trigger: { type: webhook, method: ${method}, path: /${name} }
input:
  type: object
  properties:
    name: { type: string, maxLength: 50 }
  required: [name]
nodes:
  - id: out
    type: respond
    body: { ok: true, name: "{{ input.name }}" }
`;
const FILES: Record<string, string> = {
  'guard/project.yaml': `catalyst: 1
name: guard
secrets:
  KEY_NEW: current API key
  KEY_OLD: API key before the rotation
  BASIC_PW: password
  HOOK_SECRET: webhook signing secret
  JWT_KEY: JWT signing key
`,
  'guard/workflows/api.yaml': route('api', '{ type: apiKey, header: X-Api-Key, secrets: [KEY_NEW, KEY_OLD] }'),
  'guard/workflows/query.yaml': route('query', '{ type: apiKey, secrets: [KEY_NEW] }', 'GET'),
  'guard/workflows/bear.yaml': route('bear', '{ type: bearer, secrets: [KEY_NEW, KEY_OLD] }'),
  'guard/workflows/basic.yaml': route('basic', '{ type: basic, user: ops, secret: BASIC_PW }'),
  'guard/workflows/github.yaml': route('github', '{ type: hmac, scheme: github, secret: HOOK_SECRET }'),
  'guard/workflows/stripe.yaml': route('stripe', '{ type: hmac, scheme: stripe, secret: HOOK_SECRET, toleranceSeconds: 300 }'),
  'guard/workflows/generic.yaml': route('generic', '{ type: hmac, secrets: [HOOK_SECRET, KEY_OLD], header: X-Signature }'),
  'guard/workflows/token.yaml': route('token', '{ type: jwt, secret: JWT_KEY, audience: guard }'),
  'guard/workflows/open.yaml': route('open', 'none'),
};

let python: string;
let app: RunningApp;
let dir: string;

beforeAll(async () => {
  requirePython();
  python = await testPython();
  const { workspace } = workspaceFrom(FILES);
  dir = generateInto(project(workspace, 'guard'), workspace).dir;
  app = await startApp(dir, python, SECRETS);
});

afterAll(async () => {
  await stopAllApps();
  cleanupTemps();
});

const PATHS = { fast: 'application/json', fastapi: 'application/merge+json' } as const;
const BODY = '{"name":"Ann"}';
const hex = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');
const b64url = (x: string | Buffer) => Buffer.from(x).toString('base64url');
function jwt(payload: Record<string, unknown>, key = SECRETS.JWT_KEY, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
const now = () => Math.floor(Date.now() / 1000);
const stripeSig = (body: string, t = now(), key = SECRETS.HOOK_SECRET) => `t=${t},v1=${hex(key, `${t}.${body}`)}`;

async function post(path: string, ctype: string, headers: Record<string, string>, raw = BODY) {
  return call(`${app.url}${path}`, { method: 'POST', raw, headers: { 'content-type': ctype, ...headers } });
}

/** Each mode: [route, accepted header sets, refused header sets (attack inputs), WWW-Authenticate prefix or null]. */
/** Built when used: signatures and tokens carry the current time. */
const MODES = (): [string, Record<string, string>[], Record<string, string>[], string | null][] => [
  ['/api', [{ 'x-api-key': SECRETS.KEY_NEW }, { 'x-api-key': SECRETS.KEY_OLD }], [{}, { 'x-api-key': '' }, { 'x-api-key': 'wrong' }, { 'x-api-key': SECRETS.KEY_NEW.slice(0, -1) }, { 'x-api-key': `${SECRETS.KEY_NEW}x` }, { 'x-api-key': SECRETS.KEY_NEW.toUpperCase() }, { authorization: `Bearer ${SECRETS.KEY_NEW}` }, { 'x-api-key': SECRETS.JWT_KEY }], null],
  ['/bear', [{ authorization: `Bearer ${SECRETS.KEY_NEW}` }, { authorization: `bearer ${SECRETS.KEY_OLD}` }], [{}, { authorization: SECRETS.KEY_NEW }, { authorization: `Basic ${SECRETS.KEY_NEW}` }, { authorization: 'Bearer ' }, { authorization: `Bearer ${SECRETS.KEY_NEW}0` }, { 'x-api-key': SECRETS.KEY_NEW }, { authorization: `Bearer ${SECRETS.BASIC_PW}` }], 'Bearer realm="guard"'],
  ['/basic', [{ authorization: basic('ops', SECRETS.BASIC_PW) }], [{}, { authorization: basic('ops', 'wrong') }, { authorization: basic('root', SECRETS.BASIC_PW) }, { authorization: basic('ops', '') }, { authorization: 'Basic !!!notbase64' }, { authorization: `Bearer ${SECRETS.BASIC_PW}` }, { authorization: basic('ops:x', SECRETS.BASIC_PW) }], 'Basic realm="guard", charset="UTF-8"'],
  ['/github', [{ 'x-hub-signature-256': `sha256=${hex(SECRETS.HOOK_SECRET, BODY)}` }], [{}, { 'x-hub-signature-256': hex(SECRETS.HOOK_SECRET, BODY) }, { 'x-hub-signature-256': `sha256=${hex(SECRETS.HOOK_SECRET, '{"name":"Bob"}')}` }, { 'x-hub-signature-256': `sha256=${hex('wrong-secret', BODY)}` }, { 'x-hub-signature-256': 'sha256=' }, { 'x-hub-signature-256': `sha1=${hex(SECRETS.HOOK_SECRET, BODY)}` }], null],
  ['/stripe', [{ 'stripe-signature': stripeSig(BODY) }, { 'stripe-signature': `${stripeSig(BODY)},v1=${'0'.repeat(64)}` }], [{}, { 'stripe-signature': stripeSig(BODY, now() - 3600) }, { 'stripe-signature': stripeSig(BODY, now() + 3600) }, { 'stripe-signature': stripeSig('{"name":"Bob"}') }, { 'stripe-signature': `t=${now()}` }, { 'stripe-signature': `v1=${hex(SECRETS.HOOK_SECRET, BODY)}` }, { 'stripe-signature': stripeSig(BODY, now(), 'wrong-secret') }], null],
  ['/generic', [{ 'x-signature': hex(SECRETS.HOOK_SECRET, BODY) }, { 'x-signature': hex(SECRETS.KEY_OLD, BODY).toUpperCase() }, { 'x-signature': `sha256=${hex(SECRETS.HOOK_SECRET, BODY)}` }], [{}, { 'x-signature': hex(SECRETS.HOOK_SECRET, `${BODY} `) }, { 'x-signature': hex(SECRETS.KEY_NEW, BODY) }, { 'x-signature': 'zz' }], null],
  ['/token', [{ authorization: `Bearer ${jwt({ sub: 'a', aud: 'guard', exp: now() + 3600 })}` }, { authorization: `Bearer ${jwt({ aud: ['x', 'guard'] })}` }], [{}, { authorization: `Bearer ${jwt({ aud: 'guard' }, 'wrong-key-123')}` }, { authorization: `Bearer ${jwt({ aud: 'guard' }, SECRETS.JWT_KEY, { alg: 'none' })}` }, { authorization: `Bearer ${jwt({ aud: 'guard' }, SECRETS.JWT_KEY, { alg: 'HS512' })}` }, { authorization: `Bearer ${jwt({ aud: 'guard', exp: now() - 3600 })}` }, { authorization: `Bearer ${jwt({ aud: 'guard', nbf: now() + 3600 })}` }, { authorization: `Bearer ${jwt({ aud: 'guard', exp: 'never' })}` }, { authorization: 'Bearer a.b' }, { authorization: `Bearer ${jwt({ aud: 'guard' }).split('.').slice(0, 2).join('.')}.` }], 'Bearer realm="guard", error="invalid_token"'],
];

describe('every auth mode, on the short JSON path and the FastAPI path', () => {
  for (const [via, ctype] of Object.entries(PATHS)) {
    MODES().forEach(([path, good0, bad0], i) => {
      it(`${path} via ${via}: ${good0.length} accepted, ${bad0.length} refused`, async () => {
        const [, good, bad, challenge] = MODES()[i];
        for (const h of good) {
          const r = await post(path, ctype, h);
          expect(r.status, `${JSON.stringify(h)}: ${r.text}`).toBe(200);
          expect(r.body).toEqual({ ok: true, name: 'Ann' });
        }
        for (const h of bad) {
          const r = await post(path, ctype, h);
          expect(r.status, `${path} ${JSON.stringify(h)} was not refused: ${r.text}`).toBe(401);
          expect(r.body).toMatchObject({ error: 'unauthorized', requestId: expect.any(String) });
          expect(r.headers.get('www-authenticate')).toBe(challenge);
          expect(r.text).not.toContain(SECRETS.KEY_NEW);
        }
      });
    });
  }
});

describe('checked before the body is read or parsed', () => {
  it('no credentials and a malformed or invalid body: 401, not 400/422, on both paths', async () => {
    for (const ctype of Object.values(PATHS)) {
      for (const raw of ['{"name":', '{"name": 5}', '', '[]']) {
        for (const path of ['/api', '/bear', '/basic', '/token', '/github', '/stripe', '/generic']) expect((await post(path, ctype, {}, raw)).status, `${path} ${raw}`).toBe(401);
      }
    }
    // With credentials, the body errors are FastAPI's as before.
    expect((await post('/api', PATHS.fast, { 'x-api-key': SECRETS.KEY_NEW }, '{"name":')).status).toBe(400);
    expect((await post('/api', PATHS.fastapi, { 'x-api-key': SECRETS.KEY_NEW }, '{"name": 5}')).status).toBe(422);
    // A signature is over the raw bytes: the same JSON with other whitespace is another body.
    const sig = hex(SECRETS.HOOK_SECRET, BODY);
    expect((await post('/generic', PATHS.fast, { 'x-signature': sig }, '{"name": "Ann"}')).status).toBe(401);
    const signedBad = '{"name":';
    expect((await post('/generic', PATHS.fast, { 'x-signature': hex(SECRETS.HOOK_SECRET, signedBad) }, signedBad)).status).toBe(400);
  });
  it('a GET route checks the header before the query', async () => {
    expect((await call(`${app.url}/query?name=Ann`)).status).toBe(401);
    expect((await call(`${app.url}/query`)).status).toBe(401);
    const ok = await call(`${app.url}/query?name=Ann`, { headers: { 'x-api-key': SECRETS.KEY_NEW } });
    expect(ok.status).toBe(200);
  });
  it('the header sent twice is refused (ambiguous); auth: none stays open', async () => {
    const r = await fetch(`${app.url}/api`, { method: 'POST', body: BODY, headers: [['content-type', 'application/json'], ['x-api-key', SECRETS.KEY_NEW], ['x-api-key', 'other']] });
    expect(r.status).toBe(401);
    expect((await post('/open', PATHS.fast, {})).status).toBe(200);
  });
  it('refusals are counted in /metrics and logged without the credential', async () => {
    const before = metric(await (await fetch(`${app.url}/metrics`)).text(), 'catalyst_requests_total', { workflow: 'bear', status: '401' });
    await post('/bear', PATHS.fast, { authorization: `Bearer ${SECRETS.KEY_NEW}-x` });
    await post('/bear', PATHS.fastapi, {});
    const after = metric(await (await fetch(`${app.url}/metrics`)).text(), 'catalyst_requests_total', { workflow: 'bear', status: '401' });
    expect(after - before).toBe(2);
    const refused = app.logs().filter((l) => l.msg === 'request refused by auth');
    expect(refused.length).toBeGreaterThan(0);
    expect(app.lines.join('\n')).not.toContain(SECRETS.KEY_NEW);
  });
});

describe('the generated app itself', () => {
  it('ruff and its own smoke tests pass (a guarded route answers 401 without credentials)', { timeout: 180_000 }, async () => {
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    const ruff = await runAsync(join(dirname(python), 'ruff'), ['check', '--no-cache', '.'], { cwd: dir, env });
    expect(ruff.code, ruff.out).toBe(0);
    const pytest = await runAsync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: dir, env });
    expect(pytest.out, pytest.out).toMatch(/\d+ passed/);
    expect(pytest.code, pytest.out).toBe(0);
  });
});

describe('OpenAPI declares the security schemes', () => {
  it('components.securitySchemes and per-operation security, with 401 documented', async () => {
    const doc = (await call(`${app.url}/openapi.json`)).body;
    expect(doc.components.securitySchemes).toEqual({
      'apiKey_X-Api-Key': { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      basic: { type: 'http', scheme: 'basic' },
      bearer: { type: 'http', scheme: 'bearer' },
      'hmac_Stripe-Signature': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Stripe-Signature' }),
      'hmac_X-Hub-Signature-256': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Hub-Signature-256' }),
      'hmac_X-Signature': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Signature' }),
      jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    expect(doc.paths['/bear'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/bear'].post.responses['401']).toBeDefined();
    expect(doc.paths['/token'].post.responses['403']).toBeDefined();
    expect(doc.paths['/open'].post.security).toBeUndefined();
  });
});

describe('schemathesis against the authenticated OpenAPI', () => {
  it('with the credential: no server error, no schema violation; without it: every guarded operation refuses', { timeout: 240_000 }, async () => {
    // One app whose routes all take the same bearer token, so one header authenticates every operation.
    const files = { 'gate/project.yaml': 'catalyst: 1\nname: gate\nsecrets:\n  GATE_TOKEN: token\ndefaults: { visibility: public, auth: { type: bearer, secrets: [GATE_TOKEN] } }\n', 'gate/workflows/echo.yaml': route('echo', '{ type: bearer, secrets: [GATE_TOKEN] }'), 'gate/workflows/look.yaml': route('look', '{ type: bearer, secrets: [GATE_TOKEN] }', 'GET') };
    const { workspace } = workspaceFrom(files);
    const gate = await startApp(generateInto(project(workspace, 'gate'), workspace).dir, python, { GATE_TOKEN: 'gate-token-123456', CATALYST_LOG_LEVEL: 'warning' });
    const st = join(dirname(python), 'schemathesis');
    const checks = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance', 'negative_data_rejection', 'ignored_auth'];
    const r = await runAsync(st, ['run', `${gate.url}/openapi.json`, '-H', 'Authorization: Bearer gate-token-123456', '--checks', checks.join(','), '--max-examples', '25', '--seed', '20260101', '--request-timeout', '10', '--no-color', '--generation-database', 'none'], { cwd: tempDir('catalyst-st-'), timeoutMs: 200_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.out, r.out).toMatch(/\d+ generated, \d+ passed/);
    expect(r.out).not.toMatch(/\d+ failed/);
    expect(r.code, r.out).toBe(0);
    console.log(`schemathesis (authenticated): ${/(\d+ generated, \d+ passed[^\n]*)/.exec(r.out)?.[1]} in ${(r.ms / 1000).toFixed(1)}s`);
  });
});
