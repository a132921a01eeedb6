/**
 * Request headers (docs/workflows.md, "Request headers") under real uvicorn: a public workflow reads the
 * headers its trigger declares, as `request.headers.<name>`, and nothing else; both request paths (the
 * middleware's short path for `application/json`, FastAPI for any other JSON type) answer the same; a
 * missing header is null; a repeated one is read as Node.js reads it; a workflowCall never forwards
 * headers; the values of credential headers never reach the app's logs or answers.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, project, requirePython, startApp, stopAllApps, testPython, workspaceFrom, type RunningApp } from '../helpers/codegen.ts';

const TOKEN = 'tok-Secret-4242-xyz';

const FILES: Record<string, string> = {
  'hdr/project.yaml': `catalyst: 1
name: hdr
env:
  EXPECTED: ${TOKEN}
defaults: { visibility: public, auth: none }
`,
  'hdr/workflows/who.yaml': `catalyst: 1
name: who
trigger: { type: webhook, method: POST, path: /who, headers: [authorization, x-tenant, x-lang, x-multi] }
input:
  type: object
  properties:
    name: { type: string }
nodes:
  - { id: check, type: condition, if: "{{ request.headers.authorization == 'Bearer ' + env.EXPECTED }}" }
  - { id: note, type: log, level: warning, message: "caller sent {{ request.headers.authorization }}" }
  - id: ok
    type: respond
    body:
      tenant: "{{ request.headers['x-tenant'] }}"
      lang: "{{ request.headers['x-lang'] ?? 'none' }}"
      multi: "{{ request.headers['x-multi'] }}"
      name: "{{ input.name }}"
      declared: "{{ keys(request.headers) }}"
  - { id: denied, type: respond, status: 401, body: { error: unauthorized } }
edges:
  - { from: check, to: note, branch: "true" }
  - { from: note, to: ok }
  - { from: check, to: denied, branch: "false" }
`,
  // The header value reaches an exception (the 500 answer, the runtime's log line) and a response header.
  'hdr/workflows/boom.yaml': `catalyst: 1
name: boom
trigger: { type: webhook, method: POST, path: /boom, headers: [authorization, x-api-key] }
nodes:
  - id: fail
    type: code
    inputs: { auth: "{{ request.headers.authorization }}", key: "{{ request.headers['x-api-key'] }}" }
    code: |
      import logging
      logging.getLogger("user.code").error("got %s and %s", auth, key)
      raise RuntimeError("refused " + auth + " / " + key)
`,
  'hdr/workflows/echo-header.yaml': `catalyst: 1
name: echo-header
trigger: { type: webhook, method: POST, path: /echo-header, headers: [cookie] }
nodes:
  - { id: out, type: respond, headers: { x-echo: "{{ request.headers.cookie }}" }, body: { cookie: "{{ request.headers.cookie }}" } }
`,
  'hdr/workflows/lookup.yaml': `catalyst: 1
name: lookup
trigger: { type: webhook, method: GET, path: /lookup, headers: [x-tenant] }
input:
  type: object
  properties:
    id: { type: string }
nodes:
  - { id: out, type: transform, set: { id: "{{ input.id }}", tenant: "{{ request.headers['x-tenant'] }}" } }
`,
  // A public workflow calling another in-process: the callee reads its own declared header as null.
  'hdr/workflows/caller.yaml': `catalyst: 1
name: caller
trigger: { type: webhook, method: POST, path: /caller, headers: [x-tenant] }
nodes:
  - { id: sub, type: workflowCall, workflow: lookup, input: { id: "7" } }
  - { id: out, type: transform, set: { mine: "{{ request.headers['x-tenant'] }}", callee: "{{ nodes.sub }}" } }
`,
};

let app: RunningApp;
let appDir: string;
let python: string;

beforeAll(async () => {
  requirePython();
  python = await testPython();
  const { workspace } = workspaceFrom(FILES);
  const { dir } = generateInto(project(workspace, 'hdr'), workspace);
  appDir = dir;
  app = await startApp(dir, python);
}, 120_000);

afterAll(async () => {
  await stopAllApps();
  cleanupTemps();
});

/** The same request on both paths: → [short path answer, FastAPI answer]. */
async function both(path: string, body: unknown, headers: Record<string, string>) {
  const fast = await call(`${app.url}${path}`, { body, headers });
  const slow = await call(`${app.url}${path}`, { body, headers: { ...headers, 'content-type': 'application/merge+json' } });
  return [fast, slow] as const;
}

describe('request headers', () => {
  it('a workflow answers from its declared headers, identically on both request paths', async () => {
    for (const [fast, slow] of [
      await both('/who', { name: 'Ann' }, { authorization: `Bearer ${TOKEN}`, 'X-Tenant': 'acme', 'x-lang': 'de' }),
      await both('/who', { name: 'Bo' }, { authorization: `Bearer ${TOKEN}` }),
    ]) {
      expect(fast.status).toBe(200);
      expect(slow.status).toBe(fast.status);
      expect(slow.text).toBe(fast.text);
    }
    const [ok] = await both('/who', { name: 'Ann' }, { authorization: `Bearer ${TOKEN}`, 'X-Tenant': 'acme', 'x-lang': 'de', 'x-undeclared': 'no' });
    // Header names arrive in lower case; only the declared ones are there; a missing one is null.
    expect(ok.body).toEqual({ tenant: 'acme', lang: 'de', multi: null, name: 'Ann', declared: ['authorization', 'x-lang', 'x-tenant'] });
    const [bare] = await both('/who', {}, { authorization: `Bearer ${TOKEN}` });
    expect(bare.body).toMatchObject({ tenant: null, lang: 'none', declared: ['authorization'] });
  });

  it('a wrong or missing credential header takes the other branch on both paths', async () => {
    for (const headers of [{ authorization: 'Bearer nope' }, {}, { authorization: TOKEN }] as Record<string, string>[]) {
      const [fast, slow] = await both('/who', { name: 'x' }, headers);
      expect(fast.status).toBe(401);
      expect(fast.body).toEqual({ error: 'unauthorized' });
      expect(slow.text).toBe(fast.text);
    }
  });

  it('a header sent twice is read as Node.js reads it: joined with ", " (the first for authorization)', async () => {
    const h = new Headers();
    h.append('content-type', 'application/json');
    h.append('authorization', `Bearer ${TOKEN}`);
    h.append('x-multi', 'a');
    h.append('x-multi', 'b');
    const r = await fetch(`${app.url}/who`, { method: 'POST', headers: h, body: '{}' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { multi: string }).multi).toBe('a, b');
  });

  it('a GET route (FastAPI only) reads its header; a workflowCall does not forward headers', async () => {
    const get = await call(`${app.url}/lookup?id=42`, { headers: { 'x-tenant': 'acme' } });
    expect(get.status).toBe(200);
    expect(get.body).toEqual({ id: '42', tenant: 'acme' });
    for (const r of await both('/caller', {}, { 'x-tenant': 'acme' })) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ mine: 'acme', callee: { id: '7', tenant: null } });
    }
  });

  it('credential header values never reach the logs or the answers (log node, exception, logging line, response header)', async () => {
    const before = app.lines.length;
    const key = 'k3y-Value-0099-abc';
    const cookie = 'session=c00kie-Value-777; theme=dark';
    const [okFast, okSlow] = await both('/who', { name: 'Ann' }, { authorization: `Bearer ${TOKEN}` });
    const [boomFast, boomSlow] = await both('/boom', {}, { authorization: `Bearer ${TOKEN}`, 'x-api-key': key });
    const [echoFast] = await both('/echo-header', {}, { cookie });
    await new Promise((r) => setTimeout(r, 300)); // lines reach stderr at the end of the loop's step
    const logs = app.lines.slice(before).join("\n");
    expect(okFast.status).toBe(200);
    expect(okSlow.status).toBe(200);
    for (const r of [boomFast, boomSlow]) {
      expect(r.status).toBe(500);
      expect(r.text).toContain('refused [redacted] / [redacted]');
    }
    expect(echoFast.headers.get('x-echo')).toBe('[redacted]');
    expect(echoFast.body).toEqual({ cookie: '[redacted]' });
    for (const secret of [TOKEN, key, 'c00kie-Value-777']) {
      expect(logs).not.toContain(secret);
      expect(boomFast.text + boomSlow.text + echoFast.text).not.toContain(secret);
    }
    expect(logs).toContain('caller sent [redacted]');
    expect(logs).toMatch(/"msg": "got \[redacted\] and \[redacted\]", "logger": "user\.code"/);
    expect(logs).toMatch(/"workflow failed".*refused \[redacted\] \/ \[redacted\]/);
  });

  it('/openapi.json lists the declared headers as optional header parameters of their routes', async () => {
    const doc = (await call(`${app.url}/openapi.json`)).body as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; required: boolean }[] }>> };
    const params = (path: string, method: string) => (doc.paths[path][method].parameters ?? []).map((p) => `${p.in}:${p.name}:${p.required}`);
    // authorization is not a parameter (OpenAPI 3: such a parameter definition is ignored)
    expect(params('/who', 'post')).toEqual(['header:x-tenant:false', 'header:x-lang:false', 'header:x-multi:false']);
    // a GET route keeps its query parameters, followed by the headers
    expect(params('/lookup', 'get')).toEqual(['query:id:false', 'header:x-tenant:false']);
  });

  it('a request chooses how many values it sends, not how many are redacted: at most 32, the whole header values first', () => {
    const script = [
      'import json, sys',
      'from catalyst_runtime import logs',
      'cookie = "; ".join(f"c{i}=v{i:04d}-cookie-value" for i in range(500))',
      'pairs = logs.request_pairs([("authorization", "Bearer tok-0123456789"), ("cookie", cookie), ("x-api-key", "k3y=with-equals-99")])',
      'print(json.dumps({"values": [v for v, _ in pairs], "max": logs.MAX_REQUEST_REDACTIONS}))',
    ].join('\n');
    const out = JSON.parse(execFileSync(python, ['-c', script], { cwd: appDir, encoding: 'utf8' })) as { values: string[]; max: number };
    const distinct = new Set(out.values.map((v) => v.replace(/\\/g, '')));
    expect(out.max).toBe(32);
    expect(distinct.size).toBeLessThanOrEqual(32);
    // the whole values (the cookie header, the authorization, the API key), then the token after "Bearer"
    expect(out.values).toEqual(expect.arrayContaining(['Bearer tok-0123456789', 'tok-0123456789', 'k3y=with-equals-99']));
    expect(out.values[0].startsWith('c0=v0000-cookie-value; c1=')).toBe(true);
    // "=" in a header other than cookie is not a cookie list: its halves are not redacted on their own
    expect(out.values).not.toContain('with-equals-99');
  });

  it('a value is a secret only for its own request: a later request without it logs normally', async () => {
    const r = await call(`${app.url}/lookup?id=${TOKEN}`);
    expect(r.body).toEqual({ id: TOKEN, tenant: null });
  });
});
