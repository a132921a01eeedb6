/**
 * Differential cases for the expression translations issue 17 found unpinned (isNotEmpty, replace
 * without the g flag, substring with start > end, a backslash before {{, lists in template literals,
 * $workflow.id without an id), and JavaScript globals the translator leaves to the JavaScript engine:
 * one webhook workflow whose Set node computes each of them from the
 * request body, run by n8n (the oracle, scripts/setup-n8n.sh) and by the app the import makes of it,
 * with the same requests (tests/helpers/n8n-diff.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, json } from '../helpers/codegen.ts';
import { workflowId } from '../helpers/n8n.ts';
import { startSideBySide, type SideBySide, type SideRequest } from '../helpers/n8n-diff.ts';

/** Field → [n8n expression, Set field type]. */
const FIELDS: Record<string, [string, string]> = {
  notEmptyText: ['={{ $json.body.text.isNotEmpty() }}', 'boolean'],
  notEmptyZero: ['={{ $json.body.zero.isNotEmpty() }}', 'boolean'],
  notEmptyCount: ['={{ $json.body.count.isNotEmpty() }}', 'boolean'],
  notEmptyObject: ['={{ $json.body.obj.isNotEmpty() }}', 'boolean'],
  notEmptyList: ['={{ $json.body.list.isNotEmpty() }}', 'boolean'],
  notEmptyMissing: ['={{ $json.body.missing.isNotEmpty() }}', 'boolean'],
  emptyMissing: ['={{ $json.body.missing.isEmpty() }}', 'boolean'],
  replaceFirst: ["={{ $json.body.dashed.replace('-', '+') }}", 'string'],
  replaceDollar: ["={{ $json.body.dashed.replace('-', '$$') }}", 'string'],
  replaceMatch: ["={{ $json.body.dashed.replace('-', '[$&]') }}", 'string'],
  replaceEmpty: ["={{ $json.body.word.replace('', '>') }}", 'string'],
  substringSwapped: ['={{ $json.body.word.substring(4, 1) }}', 'string'],
  substringNegative: ['={{ $json.body.word.substring(-2, 3) }}', 'string'],
  backslash: ['=a \\{{ $json.body.text }} b', 'string'],
  backslashThenExpression: ['=\\{{ x }} and {{ $json.body.text }}', 'string'],
  templateList: ["={{ `tags: ${$json.body.dashed.split('-')}` }}", 'string'],
  templateLiteralList: ["={{ `n: ${[1, 'two', null]}!` }}", 'string'],
  textList: ["=tags: {{ $json.body.dashed.split('-') }}", 'string'],
  mathRound: ['={{ Math.round($json.body.neg) }}', 'number'],
  ifEmptyObject: ["={{ $ifEmpty($json.body.obj, 'd') === 'd' }}", 'boolean'],
  // JavaScript's own globals are not translated: they run as JavaScript in the app
  jsGlobal: ["={{ encodeURIComponent($json.body.dashed + ' &?') }}", 'string'],
  jsGlobalInText: ['=n={{ isNaN($json.body.word) }}', 'string'],
};

const exportOf = (name: string, path: string, fields: Record<string, [string, string]>) => ({
  name,
  nodes: [
    { parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} }, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: path },
    {
      parameters: { assignments: { assignments: Object.entries(fields).map(([field, [value, type]], i) => ({ id: `a${i}`, name: field, value, type })) }, options: {} },
      name: 'Fields',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [200, 0],
    },
  ],
  connections: { Webhook: { main: [[{ node: 'Fields', type: 'main', index: 0 }]] } },
  settings: {},
});

const EXPORTS = {
  'expressions.json': exportOf('Expressions', 'acorn-expressions', FIELDS),
  // No id: n8n gives one when the workflow is imported (the harness gives CatalystOracleNN).
  'workflow-id.json': exportOf('Workflow Id', 'acorn-workflow-id', { id: ['={{ $workflow.id }}', 'string'] }),
};

let side: SideBySide;
beforeAll(async () => {
  side = await startSideBySide({ exports: EXPORTS, upstream: (req, _body, res) => json(res, 404, { error: `no stand-in for ${req.method} ${req.url}` }) });
}, 600_000);
afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

async function same(req: SideRequest) {
  const r = await side.send(req);
  expect(r.app, `${req.path}: the app (received) differs from n8n (expected)`).toEqual(r.n8n);
  return r.n8n;
}

describe('translated expressions answer as n8n does', () => {
  it('isNotEmpty, replace, substring, a backslash before {{, lists in text', async () => {
    const body = { text: 'x', zero: 0, count: 3, obj: {}, list: [null], dashed: 'a-b-c', word: 'abcdef', neg: -2.5 };
    const r = await same({ method: 'POST', path: 'acorn-expressions', body });
    // What n8n answered (so a change on either side is visible here, not only as "still equal").
    expect(r.body).toEqual({
      notEmptyText: true,
      notEmptyZero: false,
      notEmptyCount: true,
      notEmptyObject: false,
      notEmptyList: true,
      notEmptyMissing: false,
      emptyMissing: true,
      replaceFirst: 'a+b-c',
      replaceDollar: 'a$b-c',
      replaceMatch: 'a[-]b-c',
      replaceEmpty: '>abcdef',
      substringSwapped: 'bcd',
      substringNegative: 'abc',
      backslash: 'a \\{{ $json.body.text }} b',
      backslashThenExpression: '\\{{ x }} and x',
      templateList: 'tags: a,b,c',
      templateLiteralList: 'n: 1,two,!',
      textList: 'tags: a,b,c',
      mathRound: -2,
      ifEmptyObject: true,
      jsGlobal: 'a-b-c%20%26%3F',
      jsGlobalInText: 'n=true',
    });
    // The same on other data: an empty text, an object with a key, an empty list.
    await same({ method: 'POST', path: 'acorn-expressions', body: { ...body, text: '', obj: { k: 1 }, list: [], zero: false, neg: -3.5 } });
  });

  it('$workflow.id of an export without an id: n8n gives the workflow an id on import, the app has its workflow name', async () => {
    const r = await side.send({ method: 'POST', path: 'acorn-workflow-id', body: {} });
    expect(r.n8n.body).toEqual({ id: workflowId(1) });
    expect(r.app.body).toEqual({ id: 'workflow-id' });
  });
});
