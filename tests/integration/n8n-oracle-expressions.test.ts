/**
 * Differential cases for the expression translations issue 17 found unpinned (isNotEmpty, replace
 * without the g flag, substring with start > end, a backslash before {{, lists in template literals,
 * $workflow.id without an id), JavaScript globals the translator leaves to the JavaScript engine, and
 * regular expressions in IF conditions (run as JavaScript with n8n's rule): webhook workflows whose Set
 * or IF nodes compute each of them from the request body, run by n8n (the oracle, scripts/setup-n8n.sh) and by the app the import makes of it,
 * with the same requests (tests/helpers/n8n-diff.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, json } from '../helpers/codegen.ts';
import { workflowId } from '../helpers/n8n.ts';
import { expectSame, type SideBySide, type SideRequest, startSideBySide } from '../helpers/n8n-diff.ts';

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

/** Webhook → IF (regex tests that use regex syntax: they run as JavaScript) → Set on each branch. */
const regexExport = (name: string, path: string, ifNode: { typeVersion: number; parameters: Record<string, unknown> }) => {
  const set = (n: string, matched: boolean) => ({
    parameters: { assignments: { assignments: [{ id: n, name: 'matched', value: matched, type: 'boolean' }, { id: `${n}v`, name: 'value', value: '={{ $json.body.d }}', type: 'string' }] }, options: {} },
    name: n,
    type: 'n8n-nodes-base.set',
    typeVersion: 3.4,
    position: [400, matched ? 0 : 200],
  });
  return {
    name,
    nodes: [
      { parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} }, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: path },
      { ...ifNode, name: 'Check', type: 'n8n-nodes-base.if', position: [200, 0] },
      set('Yes', true),
      set('No', false),
    ],
    connections: { Webhook: { main: [[{ node: 'Check', type: 'main', index: 0 }]] }, Check: { main: [[{ node: 'Yes', type: 'main', index: 0 }], [{ node: 'No', type: 'main', index: 0 }]] } },
    settings: {},
  };
};

/**
 * Webhook → HTTP Request whose JSON body has expressions writing JSON entries (as the corpus's 1633
 * does: `$ifEmpty(…).replace(…)` producing `"key": "…",` or nothing) → the stand-in's answer.
 */
const jsonEntriesExport = {
  name: 'JSON entries',
  nodes: [
    { parameters: { httpMethod: 'POST', path: 'acorn-json-entries', responseMode: 'lastNode', options: {} }, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'acorn-json-entries' },
    {
      parameters: {
        url: 'https://links.example.test/links',
        method: 'POST',
        sendBody: true,
        specifyBody: 'json',
        jsonBody:
          '={\n{{ $ifEmpty(`"domain": "${$json.body.domain || "undefined"}",`, "").replace(\'"domain": "undefined",\', "") }}\n{{ $json.body.tags ? `"tags": ${JSON.stringify($json.body.tags)},` : "" }}\n  "url": "{{ $json.body.url }}",\n  "note": "from {{ $json.body.who }}"\n}',
        options: {},
      },
      name: 'Create',
      type: 'n8n-nodes-base.httpRequest',
      typeVersion: 4.1,
      position: [200, 0],
    },
  ],
  connections: { Webhook: { main: [[{ node: 'Create', type: 'main', index: 0 }]] } },
  settings: {},
};

const EXPORTS = {
  'expressions.json': exportOf('Expressions', 'acorn-expressions', FIELDS),
  // No id: n8n gives one when the workflow is imported (the harness gives CatalystOracleNN).
  'workflow-id.json': exportOf('Workflow Id', 'acorn-workflow-id', { id: ['={{ $workflow.id }}', 'string'] }),
  // As the corpus's 0127 writes it: IF v1, a /…/i pattern with \d.
  'regex-v1.json': regexExport('Regex v1', 'acorn-regex-v1', { typeVersion: 1, parameters: { conditions: { string: [{ value1: '={{$json.body.d}}', value2: '/\\d\\d\\d\\d-\\d\\d-\\d\\d/i', operation: 'regex' }] }, combineOperation: 'any' } }),
  // IF v2 filter: notRegex with the pattern from the request.
  'json-entries.json': jsonEntriesExport,
  'regex-v2.json': regexExport('Regex v2', 'acorn-regex-v2', {
    typeVersion: 2,
    parameters: { conditions: { options: { caseSensitive: true, leftValue: '', typeValidation: 'loose' }, combinator: 'and', conditions: [{ id: 'c1', leftValue: '={{ $json.body.d }}', rightValue: '={{ $json.body.p }}', operator: { type: 'string', operation: 'notRegex' } }] }, options: {} },
  }),
};

let side: SideBySide;
beforeAll(async () => {
  side = await startSideBySide({
    exports: EXPORTS,
    rewrite: { 'https://links.example.test': '/links-api' },
    upstream: (req, body, res) => (req.method === 'POST' && req.url === '/links-api/links' ? json(res, 200, { created: JSON.parse(body) }) : json(res, 404, { error: `no stand-in for ${req.method} ${req.url}` })),
  });
}, 600_000);
afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

const same = async (req: SideRequest) => (await expectSame(side, req)).n8n;

describe('regular expressions in IF conditions run as JavaScript and answer as n8n does', () => {
  it('IF v1: /\\d\\d\\d\\d-\\d\\d-\\d\\d/i against dates, other text, a number and a missing value', async () => {
    const answers = [];
    for (const d of ['2024-05-01', 'due 2024-05-01!', '24-5-1', 20240501, undefined, null]) answers.push((await same({ method: 'POST', path: 'acorn-regex-v1', body: { d } })).body);
    expect(answers.map((b) => (b as { matched: boolean }).matched)).toEqual([true, true, false, false, false, false]);
  });

  it('IF v2: notRegex with a pattern from the request (/…/flags or bare)', async () => {
    const answers = [];
    for (const [d, p] of [['Hello', '^h'], ['Hello', '/^h/i'], ['abc123', '[0-9]+$'], ['abc', '/x|y/']]) answers.push((await same({ method: 'POST', path: 'acorn-regex-v2', body: { d, p } })).body);
    expect(answers.map((b) => (b as { matched: boolean }).matched)).toEqual([true, false, false, true]);
  });
});

describe('a JSON body whose expressions write JSON entries runs as JavaScript (text, then JSON.parse) as in n8n', () => {
  it('entries present, left out, and a list written with JSON.stringify', async () => {
    const sent = [];
    for (const body of [{ url: 'https://a.example/x', domain: 'go.example', tags: ['a', 'b'], who: 'Ada' }, { url: 'https://a.example/y', who: 'Bob' }]) {
      const r = await same({ method: 'POST', path: 'acorn-json-entries', body });
      sent.push(r.upstream.map((u) => u.body));
    }
    expect(sent).toEqual([
      [{ domain: 'go.example', tags: ['a', 'b'], url: 'https://a.example/x', note: 'from Ada' }],
      [{ url: 'https://a.example/y', note: 'from Bob' }],
    ]);
  });
});

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
