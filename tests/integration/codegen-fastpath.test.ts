/**
 * The runtime's fast paths keep the documented behaviour (docs/workflows.md, docs/contracts.md):
 *
 * - a workflow route with an `application/json` body is answered by the middleware's short path; any
 *   other JSON type (`application/merge+json`) goes through FastAPI. Both must answer every body the
 *   same (status, body, content type), valid or not: a seeded fuzz of bodies, sent both ways;
 * - timers: a run sets one only when it can suspend and its deadline comes first, so every timeout
 *   still fires where it is documented to: a callee's own timeoutMs, a workflowCall node's timeoutMs,
 *   the caller's timeoutMs while a callee runs, and a node timeout on a callee that never suspends;
 * - the HTTP client is not started (httpx not even imported) by an app without outgoing calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, project, requirePython, runAsync, startApp, stopAllApps, testPython, workspaceFrom, type RunningApp } from '../helpers/codegen.ts';

const FILES: Record<string, string> = {
  'fast/project.yaml': `catalyst: 1
name: fast
description: fast paths fixture
env:
  FACTOR: 3
defaults: { visibility: internal, timeoutMs: 10000 }
`,
  'fast/workflows/echo.yaml': `catalyst: 1
name: echo
visibility: public
auth: none
trigger: { type: webhook, method: POST, path: /echo }
input:
  type: object
  properties:
    name: { type: string, minLength: 1, maxLength: 20 }
    times: { type: integer, minimum: 0, maximum: 5, default: 2 }
    ratio: { type: number }
    loud: { type: boolean }
    mood: { type: string, enum: [calm, angry] }
    when: { type: string, format: date }
    tags: { type: array, items: { type: string }, maxItems: 3 }
    where:
      type: object
      properties:
        city: { type: string }
      required: [city]
    meta: { type: object }
  required: [name]
nodes:
  - id: calc
    type: transform
    set:
      scaled: "{{ input.times * env.FACTOR }}"
      upper: "{{ upper(input.name) }}"
  - id: out
    type: respond
    status: 201
    headers: { X-Echo: "{{ len(input.name) }}" }
    body:
      input: "{{ input }}"
      calc: "{{ nodes.calc }}"
`,
  'fast/workflows/opt.yaml': `catalyst: 1
name: opt
visibility: public
auth: none
trigger: { type: webhook, method: PUT, path: /opt }
input:
  type: object
  properties:
    n: { type: integer, default: 7 }
nodes:
  - id: out
    type: transform
    set: { n: "{{ input.n }}" }
`,
  'fast/workflows/double.yaml': `catalyst: 1
name: double
input:
  type: object
  properties:
    x: { type: number }
  required: [x]
nodes:
  - id: out
    type: respond
    body: { doubled: "{{ input.x * 2 }}" }
`,
  'fast/workflows/sleeper.yaml': `catalyst: 1
name: sleeper
nodes:
  - id: nap
    type: delay
    ms: 3000
  - id: out
    type: respond
    body: { slept: true }
`,
  'fast/workflows/quick-sleeper.yaml': `catalyst: 1
name: quick-sleeper
timeoutMs: 300
nodes:
  - id: nap
    type: delay
    ms: 3000
  - id: out
    type: respond
    body: { slept: true }
`,
  'fast/workflows/own-timeout.yaml': `catalyst: 1
name: own-timeout
visibility: public
auth: none
trigger: { type: webhook, method: POST, path: /own-timeout }
nodes:
  - id: call
    type: workflowCall
    workflow: quick-sleeper
    input: {}
`,
  'fast/workflows/node-timeout.yaml': `catalyst: 1
name: node-timeout
visibility: public
auth: none
trigger: { type: webhook, method: POST, path: /node-timeout }
nodes:
  - id: call
    type: workflowCall
    workflow: sleeper
    timeoutMs: 300
    input: {}
`,
  'fast/workflows/caller-timeout.yaml': `catalyst: 1
name: caller-timeout
visibility: public
auth: none
trigger: { type: webhook, method: POST, path: /caller-timeout }
timeoutMs: 300
nodes:
  - id: call
    type: workflowCall
    workflow: sleeper
    input: {}
`,
  'fast/workflows/sync-call.yaml': `catalyst: 1
name: sync-call
visibility: public
auth: none
trigger: { type: webhook, method: POST, path: /sync-call }
input:
  type: object
  properties:
    x: { type: number }
  required: [x]
nodes:
  - id: call
    type: workflowCall
    workflow: double
    timeoutMs: 200
    input: { x: "{{ input.x }}" }
`,
};

let python: string;
let app: RunningApp;
let dir: string;

beforeAll(async () => {
  requirePython();
  python = await testPython();
  const { workspace } = workspaceFrom(FILES);
  dir = generateInto(project(workspace, 'fast'), workspace).dir;
  app = await startApp(dir, python);
});

afterAll(async () => {
  await stopAllApps();
  cleanupTemps();
});

/** A small seeded PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bodies that are hard to get exactly right: raw JSON text, valid or not. */
const FIXED_BODIES = [
  '{"name": "Ann"}',
  '{"name": "Ann", "times": 3, "ratio": 0.5, "loud": true, "mood": "calm", "when": "2024-02-29", "tags": ["a"], "where": {"city": "Oslo"}, "meta": {"k": [1, {"x": null}]}}',
  '{"name": "Ann", "times": 3.0}',
  '{"name": "Ann", "times": true}',
  '{"name": "Ann", "ratio": 1}',
  '{"name": "Ann", "ratio": "1"}',
  '{"name": "Ann", "ratio": 1e400}',
  '{"name": "Ann", "ratio": NaN}',
  '{"name": "Ann", "ratio": -Infinity}',
  '{"name": "Ann", "times": 99999999999999999999999999}',
  '{"name": "Ann", "name": "Bob"}',
  '{"name": "\\ud800"}',
  '{"name": "\\u00e9\\ud83c\\udf89"}',
  '{"name": "Ann", "when": "2024-02-30"}',
  '{"name": "Ann", "where": {}}',
  '{"name": "Ann", "where": {"city": "X", "zip": 1}}',
  '{"name": "Ann", "extra": 1}',
  '{"name": ""}',
  '{"name": null}',
  '{}',
  '[]',
  'null',
  '"Ann"',
  '{"name": "Ann"',
  '{"name": "Ann"} x',
  ' \n{"name":"Ann"}\n ',
  '\ufeff{"name": "Ann"}',
  '',
  '{"name": "Ann", "meta": ' + '['.repeat(3000) + ']'.repeat(3000) + '}',
];

function randomValue(rnd: () => number, depth = 0): unknown {
  const k = Math.floor(rnd() * (depth > 2 ? 6 : 8));
  switch (k) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return Math.floor(rnd() * 12) - 3;
    case 3:
      return Math.round(rnd() * 1000) / 7;
    case 4:
      return ['', 'Ann', 'calm', 'angry', '2024-01-31', 'x'.repeat(25), 'é🎉'][Math.floor(rnd() * 7)];
    case 5:
      return String.fromCodePoint(0x20 + Math.floor(rnd() * 0x2ff));
    case 6:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 3) }, () => [['city', 'zip', 'k'][Math.floor(rnd() * 3)], randomValue(rnd, depth + 1)]));
  }
}

/** A valid value for each field of echo's input (the fuzz mixes these with random ones). */
const VALID: Record<string, (rnd: () => number) => unknown> = {
  name: (rnd) => ['Ann', 'é🎉', 'x'.repeat(20), ' '][Math.floor(rnd() * 4)],
  times: (rnd) => Math.floor(rnd() * 6),
  ratio: (rnd) => (rnd() < 0.5 ? Math.floor(rnd() * 100) : rnd() * 10),
  loud: (rnd) => rnd() < 0.5,
  mood: (rnd) => (rnd() < 0.5 ? 'calm' : 'angry'),
  when: (rnd) => `20${10 + Math.floor(rnd() * 20)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 10)}`,
  tags: (rnd) => Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => `t${i}`),
  where: (rnd) => (rnd() < 0.5 ? { city: 'Oslo' } : { city: 'Rome', zip: randomValue(rnd) }),
  meta: (rnd) => ({ k: randomValue(rnd) }),
};

function randomBody(rnd: () => number): string {
  const body: Record<string, unknown> = {};
  for (const f of [...Object.keys(VALID), 'other']) {
    if (rnd() > (f === 'name' ? 0.95 : 0.4)) continue;
    body[f] = f in VALID && rnd() < 0.85 ? VALID[f](rnd) : randomValue(rnd);
  }
  return JSON.stringify(body);
}

async function both(path: string, raw: string, method = 'POST') {
  const send = (ctype: string) => call(`${app.url}${path}`, { method, raw, headers: { 'content-type': ctype } });
  const [short, full] = [await send('application/json'), await send('application/merge+json')];
  const view = (r: Awaited<ReturnType<typeof send>>) => ({
    status: r.status,
    body: r.body && typeof r.body === 'object' && 'requestId' in r.body ? { ...r.body, requestId: '(id)' } : r.body,
    type: r.headers.get('content-type'),
    echo: r.headers.get('x-echo'),
    length: r.headers.get('content-length') !== null,
    id: /^[0-9a-f]{32}$/.test(r.headers.get('x-request-id') ?? ''),
  });
  return { short: view(short), full: view(full) };
}

describe('the short path answers exactly as FastAPI does', () => {
  it('fixed edge cases: the same status, body and headers either way', { timeout: 60_000 }, async () => {
    const statuses = new Set<number>();
    for (const raw of FIXED_BODIES) {
      const { short, full } = await both('/echo', raw);
      expect(short, raw.slice(0, 80)).toEqual(full);
      statuses.add(short.status);
    }
    expect([...statuses].sort()).toEqual([201, 400, 422]);
    const ok = await both('/echo', '{"name": "Ann", "times": 4}');
    expect(ok.short).toMatchObject({ status: 201, echo: '3', type: 'application/json', body: { calc: { scaled: 12, upper: 'ANN' }, input: { name: 'Ann', times: 4, ratio: null } } });
  });

  it('a seeded fuzz of bodies: the same answer either way', { timeout: 120_000 }, async () => {
    const rnd = prng(7);
    let accepted = 0;
    for (let i = 0; i < 150; i++) {
      const raw = randomBody(rnd);
      const { short, full } = await both('/echo', raw);
      expect(short, raw).toEqual(full);
      if (short.status === 201) accepted++;
    }
    // Both kinds of answer are exercised.
    expect(accepted).toBeGreaterThan(10);
    expect(accepted).toBeLessThan(140);
  });

  it('an all-optional body: {} (short path) and no body at all (FastAPI) both get the defaults', async () => {
    const { short, full } = await both('/opt', '{}', 'PUT');
    expect(short).toEqual(full);
    expect(short).toMatchObject({ status: 200, body: { n: 7 } });
    const empty = await call(`${app.url}/opt`, { method: 'PUT' });
    expect([empty.status, empty.body]).toEqual([200, { n: 7 }]);
  });

  it('metrics and the request log line are the same on the short path', async () => {
    const rid = 'fast-path-metrics-1';
    const r = await call(`${app.url}/echo`, { body: { name: 'Zed' }, headers: { 'X-Request-Id': rid } });
    expect([r.status, r.headers.get('x-request-id')]).toEqual([201, rid]);
    await new Promise((res) => setTimeout(res, 100));
    const mine = app.logs().filter((l) => l.request_id === rid);
    expect(mine.map((l) => l.msg)).toEqual(['workflow finished', 'request']);
    expect(mine[0]).toMatchObject({ level: 'info', workflow: 'echo', node: null, via: 'http', outcome: 'ok', status: 201 });
    expect(mine[1]).toMatchObject({ level: 'info', workflow: null, method: 'POST', path: '/echo', status: 201, route_workflow: 'echo' });
    const m = await (await fetch(`${app.url}/metrics`)).text();
    expect(m).toMatch(/^catalyst_requests_total\{status="201",workflow="echo"\} \d+\.0$/m);
    expect(m).toMatch(/^catalyst_request_duration_seconds_bucket\{le="\+Inf",workflow="echo"\} \d+\.0$/m);
    expect(m).toMatch(/^catalyst_workflow_runs_total\{via="http",workflow="echo"\} \d+\.0$/m);
  });
});

describe('timeouts still fire where documented', () => {
  it("a callee's own timeoutMs: 504 upstream_timeout from the call", async () => {
    const r = await call(`${app.url}/own-timeout`, { method: 'POST' });
    expect(r.status).toBe(504);
    expect(r.body).toMatchObject({ error: 'upstream_timeout', workflow: 'own-timeout', node: 'call', message: 'call to quick-sleeper failed: workflow quick-sleeper did not finish within 0.3s' });
    expect(r.ms).toBeLessThan(2000);
  });

  it("a workflowCall node's timeoutMs shorter than the callee's", async () => {
    const r = await call(`${app.url}/node-timeout`, { method: 'POST' });
    expect(r.status).toBe(504);
    expect(r.body).toMatchObject({ error: 'upstream_timeout', workflow: 'node-timeout', node: 'call', message: 'call to sleeper failed: workflow sleeper did not finish within 0.3s' });
    expect(r.ms).toBeLessThan(2000);
  });

  it("the caller's timeoutMs runs out while the callee runs: the caller's workflow_timeout, naming its node", async () => {
    const r = await call(`${app.url}/caller-timeout`, { method: 'POST' });
    expect(r.status).toBe(504);
    expect(r.body).toMatchObject({ error: 'workflow_timeout', workflow: 'caller-timeout', node: 'call', message: 'workflow caller-timeout did not finish within 0.3s' });
    expect(r.ms).toBeLessThan(2000);
  });

  it('a node timeout on a callee that never suspends is harmless', async () => {
    const r = await call(`${app.url}/sync-call`, { body: { x: 2.5 } });
    expect([r.status, r.body]).toEqual([200, { doubled: 5 }]);
  });
});

describe('metrics and logs without their libraries', () => {
  it('/metrics text is what prometheus-client wrote (label order, escaping, Go floats, histogram)', async () => {
    // Expected text: prometheus-client 0.26.0's generate_latest for the same updates (the runtime used it before).
    const expected =
      '# HELP catalyst_requests_total HTTP requests to public workflows, by response status\n# TYPE catalyst_requests_total counter\ncatalyst_requests_total{status="201",workflow="a-b"} 2.0\ncatalyst_requests_total{status="500",workflow="q\\"\\\\\\n"} 1.0\n' +
      '# HELP catalyst_request_errors_total HTTP requests to public workflows answered with a status >= 500\n# TYPE catalyst_request_errors_total counter\ncatalyst_request_errors_total{workflow="q\\"\\\\\\n"} 1.0\n' +
      '# HELP catalyst_request_duration_seconds Duration of HTTP requests to public workflows\n# TYPE catalyst_request_duration_seconds histogram\n' +
      [['0.005', 2], ['0.01', 3], ['0.025', 3], ['0.05', 3], ['0.1', 3], ['0.25', 3], ['0.5', 4], ['1.0', 4], ['2.5', 4], ['5.0', 4], ['10.0', 4], ['30.0', 4], ['60.0', 4], ['+Inf', 5]]
        .map(([le, n]) => `catalyst_request_duration_seconds_bucket{le="${le}",workflow="a-b"} ${n}.0\n`)
        .join('') +
      'catalyst_request_duration_seconds_count{workflow="a-b"} 5.0\ncatalyst_request_duration_seconds_sum{workflow="a-b"} 61.8141\n' +
      '# HELP catalyst_workflow_runs_total Workflow runs, by how they were started (http = a request to its route, inprocess = a call from another workflow of this app)\n# TYPE catalyst_workflow_runs_total counter\ncatalyst_workflow_runs_total{via="inprocess",workflow="tax"} 1.0\n' +
      '# HELP catalyst_subcall_total Calls from one workflow to another (kind inprocess = same app, http = another project)\n# TYPE catalyst_subcall_total counter\ncatalyst_subcall_total{caller="a-b",kind="inprocess",outcome="ok",target="tax"} 1.0\n';
    const script = [
      'import sys',
      'from catalyst_runtime import metrics as m',
      'odd = "q\\"\\\\\\n"',
      'm.requests_total.inc(("a-b", "201")); m.requests_total.inc(("a-b", "201")); m.requests_total.inc((odd, "500"))',
      'm.request_errors_total.inc((odd,))',
      'for v in (0.004, 0.005, 0.0051, 0.3, 61.5): m.request_duration_seconds.observe(("a-b",), v)',
      'm.workflow_runs_total.inc(("tax", "inprocess")); m.subcall_total.inc(("a-b", "tax", "inprocess", "ok"))',
      'sys.stdout.write(m.render().decode())',
    ].join('\n');
    const r = await runAsync(python, ['-c', script], { cwd: dir });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toBe(expected);
  });

  it('log lines: batched per loop step, in order, none lost (many at once, from a thread, at exit)', async () => {
    const script = [
      'import asyncio, json, sys',
      'from catalyst_runtime import context, logs',
      'logs.setup("info")',
      'async def main():',
      '    context.request_id.set("batch-1")',
      '    for i in range(150):',
      '        logs.log("info", f"line {i}", i=i)',
      '    await asyncio.to_thread(logs.log, "info", "from a thread")',
      '    logs.log("warning", "last before exit", n=None, ok=True, ratio=0.5, big=float("inf"), nested={"a": [1, "é"]})',
      'asyncio.run(main())',
      'logs.log("debug", "not written")',
    ].join('\n');
    const r = await runAsync(python, ['-c', script], { cwd: dir });
    expect(r.code, r.out).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toEqual([...Array.from({ length: 150 }, (_, i) => `line ${i}`), 'from a thread', 'last before exit']);
    expect(lines[0]).toEqual({ ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), level: 'info', severity: 'INFO', msg: 'line 0', logger: 'catalyst', request_id: 'batch-1', workflow: null, node: null, i: 0 });
    expect(lines.at(-1)).toMatchObject({ level: 'warning', severity: 'WARNING', request_id: 'batch-1', n: null, ok: true, ratio: 0.5, big: null, nested: { a: [1, 'é'] } });
  });
});

describe('startup', () => {
  it('an app without outgoing calls never imports httpx', async () => {
    const probe = 'import sys\nimport app.main\nprint("httpx" in sys.modules, "catalyst_runtime.http" in sys.modules)';
    const r = await runAsync(python, ['-c', probe], { cwd: dir });
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim()).toBe('False True');
  });
});
