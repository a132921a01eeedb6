/** Finding 2 under real uvicorn: request data cannot send a secret to another host. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, json, startApp, startStub, stopAllApps, testPython, workspaceFrom, type RunningApp, type Stub } from '../helpers/codegen.ts';

const SECRET = 'planted-secret-value-0123456789';
let api: Stub;
let attacker: Stub;
let app: RunningApp;

beforeAll(async () => {
  api = await startStub((_req, _body, res) => json(res, 200, { ok: true }));
  attacker = await startStub((_req, _body, res) => json(res, 200, { stolen: true }));
  const project = `catalyst: 1\nname: urls\nsecrets:\n  API_KEY: the key\nenv:\n  API_BASE: ${api.url}\n`;
  const wf = (name: string, node: string) => `catalyst: 1\nname: ${name}\nvisibility: public\nauth: none\ntrigger: { type: webhook, path: /${name} }\ninput: { type: object, properties: { path: { type: string }, callbackUrl: { type: string } } }\nnodes:\n  - ${node}\n  - { id: r, type: respond, body: "{{ nodes.h.body }}" }\n`;
  const { workspace } = workspaceFrom({
    'urls/project.yaml': project,
    'urls/workflows/fetch.yaml': wf('fetch', '{ id: h, type: httpRequest, url: "{{ env.API_BASE }}/api/{{ input.path }}", auth: { secret: API_KEY, scheme: header, header: X-Api-Key } }'),
    'urls/workflows/callback.yaml': wf('callback', '{ id: h, type: httpRequest, url: "{{ input.callbackUrl }}", allowHosts: [localhost], auth: { secret: API_KEY } }'),
  });
  const { dir } = generateInto(workspace.projects[0], workspace);
  app = await startApp(dir, await testPython(), { API_KEY: SECRET }, 60_000);
}, 600_000);
afterAll(async () => {
  await stopAllApps();
  await api?.close();
  await attacker?.close();
  cleanupTemps();
});

describe('finding 2: outgoing URLs', () => {
  const port = () => new URL(attacker.url).port;
  const paths = () => [`@127.0.0.1:${port()}/steal`, `/../@127.0.0.1:${port()}/x`, `x?y=1#@127.0.0.1:${port()}`, `%2F@127.0.0.1:${port()}`, `\\\\127.0.0.1:${port()}/`, `x/../../y`];
  it('input after the fixed origin is one encoded path piece: the secret stays with the declared host', async () => {
    for (const path of paths()) {
      const r = await call(`${app.url}/fetch`, { method: 'POST', body: { path } });
      expect(r.status, path).toBe(200);
    }
    expect(attacker.requests).toEqual([]);
    expect(api.requests).toHaveLength(paths().length);
    for (const [i, req] of api.requests.entries()) {
      expect(req.url).toBe(`/api/${encodeURIComponent(paths()[i]).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
      expect(req.headers['x-api-key']).toBe(SECRET);
    }
  });
  it('allowHosts: a host outside the list gets nothing (502), a listed host gets the call', async () => {
    const denied = await call(`${app.url}/callback`, { method: 'POST', body: { callbackUrl: `${attacker.url}/hook` } });
    expect(denied.status).toBe(502);
    expect(denied.text).toMatch(/not in the node's allowHosts/);
    expect(denied.text).not.toContain(SECRET);
    expect(attacker.requests).toEqual([]);
    const allowed = await call(`${app.url}/callback`, { method: 'POST', body: { callbackUrl: `http://localhost:${port()}/hook` } });
    expect(allowed.status).toBe(200);
    expect(attacker.requests).toHaveLength(1);
  });
});
