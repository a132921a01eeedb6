/**
 * Fidelity of imported n8n workflows at run time (issue 17, "Fidelity"): small exports built here are
 * imported with `catalyst import n8n` (the LLM base URL pointed at a loopback stand-in with
 * --rewrite-url), the app runs under real uvicorn, and each case checks what n8n's node code does
 * (cited next to it): Set string fields keep null, OpenAI messages are sent as n8n sends them (missing
 * content expression left out, n8n's JSON-mode system message first), an upstream 500 is one call (no retry), and a
 * failed run answers with our error envelope (n8n: 500 {"message": "Error in workflow"}).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { call, cleanupTemps, json, requirePython, startApp, startStub, stopAllApps, tempDir, testPython, TEST_VERSION, type RunningApp, type Stub } from '../helpers/codegen.ts';
import { node, webhookChain } from '../fixtures/n8n/builder.ts';

const KEY = 'sk-fidelity-3b9e1c';
const JSON_SYSTEM = 'You are a helpful assistant designed to output JSON.';
let app: RunningApp;
let llm: Stub;

const lastNode = (path: string, nodes: ReturnType<typeof node>[]) => ({ ...webhookChain(nodes, 'lastNode', 'POST', path), id: path, name: path });
const openAi = (params: Record<string, unknown>) => node('Ask', 'openAi', 1.8, { modelId: { __rl: true, value: 'gpt-4o-mini', mode: 'list' }, ...params }, { credentials: { openAiApi: { id: 'k', name: 'OpenAi account' } } });

beforeAll(async () => {
  requirePython();
  const python = await testPython();
  llm = await startStub((req, body, res) => {
    if (req.url !== '/openai/v1/chat/completions' || req.headers.authorization !== `Bearer ${KEY}`) return json(res, 404, { error: `unexpected ${req.method} ${req.url}` });
    const sent = JSON.parse(body) as { messages: { content?: string }[] };
    if (sent.messages.some((m) => m.content === 'fail')) return json(res, 500, { error: { message: 'upstream broke' } });
    json(res, 200, { model: 'gpt-4o-mini-2024', choices: [{ message: { role: 'assistant', content: '{"ok": true}' } }], usage: { prompt_tokens: 5, completion_tokens: 3 } });
  });
  const root = tempDir('catalyst-n8n-fidelity-');
  const exports = join(root, 'exports');
  mkdirSync(exports);
  const flows = {
    'set-null': lastNode('set-null', [
      node('Fields', 'set', 3.4, { assignments: { assignments: [{ name: 'missing', type: 'string', value: '={{ $json.body.nothing }}' }, { name: 'n', type: 'string', value: '={{ $json.body.n }}' }, { name: 'text', type: 'string', value: '=n is {{ $json.body.nothing }}' }] } }),
    ]),
    ask: lastNode('ask', [openAi({ jsonOutput: true, messages: { values: [{ role: 'system' }, { content: '={{ $json.body.q }}' }] } })]),
    plain: lastNode('plain', [openAi({ messages: { values: [{ content: 'Be brief.', role: 'system' }, { content: '={{ $json.body.q }}' }] } })]),
    route: lastNode('route', [
      node('Route', 'switch', 3.2, { rules: { values: [{ conditions: { options: { caseSensitive: true, typeValidation: 'strict' }, combinator: 'and', conditions: [{ leftValue: '={{ $json.body.k }}', rightValue: '1', operator: { type: 'string', operation: 'equals' } }] } }] }, options: { fallbackOutput: 'extra' } }),
      node('Matched', 'set', 3.4, { assignments: { assignments: [{ name: 'route', type: 'string', value: 'one' }] } }),
    ]),
  };
  for (const [name, w] of Object.entries(flows)) writeFileSync(join(exports, `${name}.json`), JSON.stringify(w));
  let out = '';
  const code = await main(['import', 'n8n', exports, '--project', 'fidelity', '--into', join(root, 'projects'), '--rewrite-url', `https://api.openai.com=${llm.url}/openai`], {
    cwd: root,
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
    env: {},
    isTTY: false,
  });
  expect(code, out).toBe(0);
  const ws = loadWorkspace(join(root, 'projects', 'fidelity'), { base: root });
  expect(ws.diagnostics).toEqual([]);
  const dir = join(root, 'app');
  writeApp(generateApp(ws.workspace!.projects[0], ws.workspace!, { catalystVersion: TEST_VERSION }), dir);
  app = await startApp(dir, python, { OPENAI_API_KEY: KEY }, 60_000);
}, 300_000);

afterAll(async () => {
  await stopAllApps();
  await llm?.close();
  cleanupTemps();
});

describe('imported n8n workflows answer as n8n does', () => {
  it('Switch v3 with strict type validation: a number compared as a string fails the run (n8n: "Wrong type"); a string routes', async () => {
    expect(await call(`${app.url}/route`, { body: { k: '1' } })).toMatchObject({ status: 200, body: { route: 'one' } });
    const wrong = await call(`${app.url}/route`, { body: { k: 1 } });
    expect(wrong.status).toBe(500);
    expect(wrong.body).toMatchObject({ error: 'expression_error', node: 'route', message: expect.stringContaining('wrong type: 1 is a number but a string was expected') });
  });

  it('Set v3.4: a string field whose expression is undefined is null (validateEntry keeps null from v3.2); other values become text', async () => {
    const r = await call(`${app.url}/set-null`, { body: { n: 5 } });
    expect(r).toMatchObject({ status: 200, body: { missing: null, n: '5', text: 'n is ' } });
  });

  it('OpenAI JSON output: n8n\'s system message first, a message without content in the export is "", the base URL rewritten', async () => {
    const since = llm.requests.length;
    const r = await call(`${app.url}/ask`, { body: { q: 'Colours?' } });
    expect(r.status).toBe(200);
    const sent = llm.requests.slice(since);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0].body)).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: JSON_SYSTEM }, { role: 'system', content: '' }, { role: 'user', content: 'Colours?' }],
      response_format: { type: 'json_object' },
    });
    // The expression gives undefined: n8n's JSON body leaves the content out.
    await call(`${app.url}/ask`, { body: {} });
    expect(JSON.parse(llm.requests.at(-1)!.body).messages[2]).toEqual({ role: 'user' });
  });

  it('an upstream 500 is one billable call (n8n does not retry), and the run fails with our error envelope', async () => {
    const since = llm.requests.length;
    const r = await call(`${app.url}/plain`, { body: { q: 'fail' } });
    expect(llm.requests.length - since).toBe(1);
    expect(JSON.parse(llm.requests.at(-1)!.body).messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'fail' }]);
    // n8n answers 500 {"message": "Error in workflow"}; Catalyst answers 502 naming what failed (docs/n8n-import.md, "Failures").
    expect(r.status).toBe(502);
    expect(r.body).toEqual({ error: 'upstream_error', message: expect.stringContaining('responded with status 500'), requestId: expect.any(String), workflow: 'plain', node: 'ask' });
  });
});
