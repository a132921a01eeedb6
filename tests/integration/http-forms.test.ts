/**
 * httpRequest form and text bodies under real uvicorn (bodyType form, multipart, text): a loopback server records
 * what the app sent and checks the exact Content-Type and the parsed fields; the node's secret goes in
 * its header only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, json, startApp, startStub, stopAllApps, testPython, workspaceFrom, type RunningApp, type Stub } from '../helpers/codegen.ts';
import { parseForm } from '../helpers/forms.ts';

const SECRET = 'form-secret-value-0123456789';
let api: Stub;
let app: RunningApp;

const BODY = '{ grant_type: client_credentials, id: "{{ input.id }}", n: 5, ratio: 0.5, ok: true, none: null, "platform[]": [ig, "{{ input.name }}"], tags: "{{ input.tags }}", note: "a&b=c d+é%" }';

beforeAll(async () => {
  api = await startStub((req, body, res) => json(res, 200, { got: req.headers['content-type'] ?? null, length: body.length }));
  const project = `catalyst: 1\nname: forms\nsecrets:\n  API_KEY: the key\nenv:\n  API_BASE: ${api.url}\n`;
  const wf = (name: string, node: string) =>
    `catalyst: 1\nname: ${name}\nvisibility: public\nauth: none\ntrigger: { type: webhook, path: /${name} }\ninput: { type: object, additionalProperties: true, properties: { id: { type: string }, name: { type: string }, tags: { type: array, items: { type: string } } } }\nnodes:\n  - ${node}\n  - { id: r, type: respond, body: "{{ nodes.h.body }}" }\n`;
  const { workspace } = workspaceFrom({
    'forms/project.yaml': project,
    'forms/workflows/urlencoded.yaml': wf('urlencoded', `{ id: h, type: httpRequest, method: POST, url: "{{ env.API_BASE }}/token", bodyType: form, body: ${BODY}, auth: { secret: API_KEY } }`),
    'forms/workflows/multipart.yaml': wf('multipart', `{ id: h, type: httpRequest, method: PUT, url: "{{ env.API_BASE }}/upload", bodyType: multipart, body: ${BODY}, headers: { X-Trace: t1 } }`),
    'forms/workflows/empty.yaml': wf('empty', '{ id: h, type: httpRequest, method: POST, url: "{{ env.API_BASE }}/empty", bodyType: multipart, body: {} }'),
    'forms/workflows/xml.yaml': wf('xml', '{ id: h, type: httpRequest, method: POST, url: "{{ env.API_BASE }}/xml", bodyType: text, headers: { Content-Type: application/xml }, body: "<note id=\\"{{ input.id }}\\">{{ input.name }}</note>", auth: { secret: API_KEY, scheme: header, header: X-Key } }'),
    'forms/workflows/plain.yaml': wf('plain', '{ id: h, type: httpRequest, method: PATCH, url: "{{ env.API_BASE }}/plain", bodyType: text, body: "{{ input.tags }} é" }'),
    'forms/workflows/nested.yaml': wf('nested', '{ id: h, type: httpRequest, method: POST, url: "{{ env.API_BASE }}/nested", bodyType: form, body: { user: "{{ input.user }}" } }'),
  });
  const { dir } = generateInto(workspace.projects[0], workspace);
  app = await startApp(dir, await testPython(), { API_KEY: SECRET }, 60_000);
}, 600_000);
afterAll(async () => {
  await stopAllApps();
  await api?.close();
  cleanupTemps();
});

const FIELDS: [string, string][] = [
  ['grant_type', 'client_credentials'],
  ['id', '42'],
  ['n', '5'],
  ['ratio', '0.5'],
  ['ok', 'true'],
  ['none', ''],
  ['platform[]', 'ig'],
  ['platform[]', 'tt'],
  ['tags', 'a'],
  ['tags', 'b c'],
  ['note', 'a&b=c d+é%'],
];
const INPUT = { id: '42', name: 'tt', tags: ['a', 'b c'] };

function last(path: string) {
  const r = api.requests.filter((q) => q.url === path).at(-1);
  if (!r) throw new Error(`no request to ${path}; got ${api.requests.map((q) => q.url).join(', ')}`);
  return r;
}

describe('httpRequest form bodies (real uvicorn, loopback server)', () => {
  it('bodyType form: application/x-www-form-urlencoded, every field in order, lists as repeated fields, the secret only in its header', async () => {
    const r = await call(`${app.url}/urlencoded`, { method: 'POST', body: INPUT });
    expect(r.status, r.text).toBe(200);
    const req = last('/token');
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(await parseForm(req.headers['content-type'], req.body)).toEqual({ mediaType: 'application/x-www-form-urlencoded', fields: FIELDS });
    expect(req.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(req.body).not.toContain(SECRET);
    expect(Number(req.headers['content-length'])).toBe(Buffer.byteLength(req.body));
    expect(r.body).toEqual({ got: 'application/x-www-form-urlencoded', length: req.body.length });
  });

  it('bodyType multipart: multipart/form-data with a boundary, one text part per field (no filename, no Content-Type)', async () => {
    const r = await call(`${app.url}/multipart`, { method: 'POST', body: INPUT });
    expect(r.status, r.text).toBe(200);
    const req = last('/upload');
    expect(req.method).toBe('PUT');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=[0-9a-f]{32}$/);
    expect(req.headers['x-trace']).toBe('t1');
    expect(req.headers.authorization).toBeUndefined();
    const form = await parseForm(req.headers['content-type'], req.body);
    expect(form.fields).toEqual(FIELDS);
    expect(form.parts).toEqual(FIELDS.map(([name]) => ({ disposition: `form-data; name="${name}"`, contentType: null })));
  });

  it('an empty multipart body is still multipart (the closing boundary only)', async () => {
    const r = await call(`${app.url}/empty`, { method: 'POST', body: {} });
    expect(r.status, r.text).toBe(200);
    const req = last('/empty');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(await parseForm(req.headers['content-type'], req.body)).toEqual({ mediaType: 'multipart/form-data', fields: [], parts: [] });
  });

  it('bodyType text: the text as written, with the node\'s Content-Type header, else text/plain; charset=utf-8', async () => {
    const r = await call(`${app.url}/xml`, { method: 'POST', body: INPUT });
    expect(r.status, r.text).toBe(200);
    const req = last('/xml');
    expect(req.headers['content-type']).toBe('application/xml');
    expect(req.body).toBe('<note id="42">tt</note>');
    expect(req.headers['x-key']).toBe(SECRET);
    const p = await call(`${app.url}/plain`, { method: 'POST', body: INPUT });
    expect(p.status, p.text).toBe(200);
    const plain = last('/plain');
    expect(plain.method).toBe('PATCH');
    expect(plain.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(plain.body).toBe('["a","b c"] é');
  });

  it('a field whose value is an object at run time fails the node, naming the field; nothing is sent', async () => {
    const before = api.requests.length;
    const r = await call(`${app.url}/nested`, { method: 'POST', body: { user: { name: 'x' } } });
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ error: 'node_failed', node: 'h' });
    expect(r.text).toContain("form field 'user' is an object");
    expect(api.requests.length).toBe(before);
  });
});
