/**
 * Error edges (`error: true`, docs/workflows.md "Execution") in a generated app under real uvicorn: a
 * failing httpRequest, code node or in-process workflow call takes its error edges with the error as its
 * output and skips its normal edges; a success takes only the normal edges; a node without error edges
 * still fails the run; the workflow's own timeout is not a node failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, json, project, requirePython, startApp, startStub, stopAllApps, testPython, workspaceFrom, type RunningApp, type Stub } from '../helpers/codegen.ts';

let app: RunningApp;
let api: Stub;

const PROJECT = `catalyst: 1
name: guarded
env:
  API_URL: http://127.0.0.1:9/api
defaults: { visibility: public, timeoutMs: 5000, auth: none }
`;

const FETCH = `catalyst: 1
name: fetch
trigger: { type: webhook, method: POST, path: /fetch }
input:
  type: object
  properties:
    item: { type: string }
  required: [item]
nodes:
  - { id: get, type: httpRequest, url: "{{ env.API_URL }}/items/{{ input.item }}", timeoutMs: 2000 }
  - { id: ok, type: respond, body: { got: "{{ nodes.get.body }}" } }
  - id: failed
    type: respond
    status: 503
    body: { error: "{{ nodes.get.error }}", status: "{{ nodes.get.status }}", node: "{{ nodes.get.node }}", message: "{{ nodes.get.message }}" }
edges:
  - { from: get, to: ok }
  - { from: get, to: failed, error: true }
`;

const CODE = `catalyst: 1
name: code
trigger: { type: webhook, method: POST, path: /code }
input:
  type: object
  properties:
    fail: { type: boolean }
  required: [fail]
nodes:
  - id: run
    type: code
    inputs: { fail: "{{ input.fail }}" }
    code: |
      if fail:
          raise ValueError("user code says no")
      return {"fine": True}
  - { id: after, type: transform, set: { ran: after, out: "{{ nodes.run }}" } }
  - { id: recover, type: transform, set: { recovered: "{{ nodes.run.error }}", why: "{{ nodes.run.message }}" } }
edges:
  - { from: run, to: after }
  - { from: run, to: recover, error: true }
`;

const UNGUARDED = `catalyst: 1
name: unguarded
trigger: { type: webhook, method: POST, path: /unguarded }
nodes:
  - { id: run, type: code, code: 'raise ValueError("nobody catches this")' }
  - { id: r, type: respond }
`;

const HELPER = `catalyst: 1
name: helper
visibility: internal
nodes:
  - { id: run, type: code, code: 'raise RuntimeError("the helper broke")' }
  - { id: r, type: respond }
`;

const CALLER = `catalyst: 1
name: caller
trigger: { type: webhook, method: POST, path: /caller }
nodes:
  - { id: call_helper, type: workflowCall, workflow: helper }
  - { id: ok, type: respond }
  - { id: handled, type: respond, status: 200, body: { handled: "{{ nodes.call_helper.error }}", node: "{{ nodes.call_helper.node }}" } }
edges:
  - { from: call_helper, to: ok }
  - { from: call_helper, to: handled, error: true }
`;

const SLOW = `catalyst: 1
name: slow
trigger: { type: webhook, method: POST, path: /slow }
timeoutMs: 300
nodes:
  - { id: wait, type: delay, ms: 2000 }
  - { id: ok, type: respond }
  - { id: caught, type: respond, status: 200, body: { caught: true } }
edges:
  - { from: wait, to: ok }
  - { from: wait, to: caught, error: true }
`;

beforeAll(async () => {
  requirePython();
  const python = await testPython();
  api = await startStub(async (r, _body, res) => {
    if (r.url?.includes('/items/broken')) return json(res, 500, { error: 'upstream exploded' });
    json(res, 200, { item: r.url });
  });
  const ws = workspaceFrom({
    'guarded/project.yaml': PROJECT,
    'guarded/workflows/fetch.yaml': FETCH,
    'guarded/workflows/code.yaml': CODE,
    'guarded/workflows/unguarded.yaml': UNGUARDED,
    'guarded/workflows/helper.yaml': HELPER,
    'guarded/workflows/caller.yaml': CALLER,
    'guarded/workflows/slow.yaml': SLOW,
  }).workspace;
  const { dir, app: generated } = generateInto(project(ws, 'guarded'), ws);
  expect(generated.files.get('app/workflows/fetch.py')).toContain('Edge("get", "failed", on_error=True)');
  app = await startApp(dir, python, { API_URL: `${api.url}/api` });
}, 300_000);

afterAll(async () => {
  await stopAllApps();
  await api?.close();
  cleanupTemps();
});

describe('error edges', () => {
  it('httpRequest: success takes the normal edge; a 5xx takes the error edge with the error as the output', async () => {
    const ok = await call(`${app.url}/fetch`, { body: { item: 'a1' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ got: { item: '/api/items/a1' } });
    const bad = await call(`${app.url}/fetch`, { body: { item: 'broken' } });
    expect(bad.status).toBe(503);
    const body = bad.body as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'upstream_error', status: 502, node: 'get' });
    expect(String(body.message)).toContain('500');
    let warned: Record<string, unknown> | undefined;
    for (let i = 0; i < 40 && !warned; i++) {
      warned = app.logs().find((l) => l.msg === 'node failed; taking its error edges' && l.node === 'get');
      if (!warned) await new Promise((r) => setTimeout(r, 50));
    }
    expect(warned, app.lines.join('\n')).toMatchObject({ level: 'warning', workflow: 'fetch', error: 'upstream_error' });
  });

  it('code: a raise takes the error edge and skips the normal one; no respond → 200 with the last output', async () => {
    const bad = await call(`${app.url}/code`, { body: { fail: true } });
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual({ recovered: 'node_failed', why: expect.stringContaining('ValueError: user code says no') });
    const ok = await call(`${app.url}/code`, { body: { fail: false } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ran: 'after', out: { fine: true } });
  });

  it('a node without error edges still fails the run', async () => {
    const r = await call(`${app.url}/unguarded`, { body: {} });
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ error: 'node_failed', node: 'run' });
  });

  it('workflowCall: a failing callee takes the caller\'s error edge', async () => {
    const r = await call(`${app.url}/caller`, { body: {} });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ handled: 'upstream_error', node: 'call_helper' }); // a failed call is the caller's upstream error
  });

  it('the workflow\'s own timeout is not a node failure: 504, the error edge is not taken', async () => {
    const r = await call(`${app.url}/slow`, { body: {} });
    expect(r.status).toBe(504);
    expect(r.body).toMatchObject({ error: 'workflow_timeout' });
  });
});
