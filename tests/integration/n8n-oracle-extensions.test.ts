/**
 * n8n's extension methods (`.toSentenceCase()`, `.toTitleCase()`, `.urlEncode()`, …) in expressions the
 * import runs as JavaScript.
 * 1. A table of calls on tricky inputs: n8n's own `extend` (the library of the installed oracle, run by
 *    the project's Node) against ours (templates/app/optional/n8n_extensions.js) in the engine the
 *    generated app uses (mini-racer, from the apps' JavaScript venv). Same values, same errors.
 * 2. Side by side (tests/helpers/n8n-diff.ts): webhook workflows whose Set fields and HTTP JSON body (as
 *    the corpus's 0450 writes it) call them, run by n8n and by the imported app on the same requests.
 * A missing n8n or venv fails (scripts/setup-n8n.sh, the venv cache).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_METHODS } from '../../src/n8n/jsrun.ts';
import { cleanupTemps, json, REPO, runAsync, tempDir, testPythonJs } from '../helpers/codegen.ts';
import { extensionScript, n8nExtensions, type ExtensionCall, type ExtensionOutcome } from '../helpers/n8n.ts';
import { expectSame, type SideBySide, type SideRequest, startSideBySide } from '../helpers/n8n-diff.ts';

const EXT_JS = join(REPO, 'templates', 'app', 'optional', 'n8n_extensions.js');

const CASE_TEXTS = [
  '', 'hello world', 'HELLO WORLD', 'hi. there! ok?', 'hi.there', '  leading spaces', '...what? yes', 'already Capitalised Words',
  'élan vital. über cool', 'ÉCOLE normale', 'ß straße', 'ǆungla', 'i̇stanbul İSTANBUL', '𝐚stral letter', '123 abc. 4 cats', 'emoji 😀 here. next one',
  'multiple   spaces  here', 'snake_case_text', 'kebab-case-text', 'camelCaseText', 'PascalCase', 'line one\nline two', 'tabs\tand\tmore',
  'the lord of the rings', 'a tale of two cities', 'to be or not to be', 'vs. the world', 'iPhone and example.com', 'hello: world', 'note:this',
  'http://example.com is a url', '1st place', 'ÿes and ñandú', 'hello—world–again', 'and', 'of the', 'in', 'it’s “quoted” (x) [y] {z} <a>', 'a…b',
  'back\\slash', 'dollar $1 & 50%',
];
const CASE_METHODS = ['toSentenceCase', 'toTitleCase', 'toSnakeCase'];

const ADDRESSES = [
  'ada@example.com', 'Contact: ada@example.com today', 'not an email', 'a b@example.com', '"quoted"@example.org', 'x@[1.2.3.4]', 'first.last@sub.example.co.uk',
  'https://www.example.co.uk/path?q=1#frag', 'see https://example.com/a?b=c#d and more', 'mailto:bob@example.net', 'example.com', 'www.example.com',
  'sub.example.com:8080/x', 'localhost', 'http://localhost:3000/x', '127.0.0.1', 'ftp://files.example.org', 'https://xn--80aswg.xn--p1ai', 'example', '',
];

const CALLS: ExtensionCall[] = [
  ...CASE_METHODS.flatMap((m) => CASE_TEXTS.map((t): ExtensionCall => [m, t, []])),
  ...['isEmail', 'extractEmail', 'extractDomain', 'isUrl', 'extractUrl', 'isDomain'].flatMap((m) => ADDRESSES.map((t): ExtensionCall => [m, t, []])),
  ...['12', '1.5', ' 1', '1e3', 'abc', '', '0x1F', 'Infinity', '-3', '12px', '.5', '1,5'].map((t): ExtensionCall => ['isNumeric', t, []]),
  ...['a b&c=d/é?', 'ok', '😀 ~!*()\''].flatMap((t): ExtensionCall[] => [['urlEncode', t, []], ['urlEncode', t, [true]]]),
  ['urlEncode', { a: 'x y', 'b&': [1, 2], c: null, d: 'é+~*', e: true }, []],
  ['urlEncode', {}, []],
  ...['a%20b%26c', 'a%20b%2Fc', '%E2%82%AC', 'plus+stays', '%'].flatMap((t): ExtensionCall[] => [['urlDecode', t, []], ['urlDecode', t, [true]]]),
  ...['', 'hello', 'héllo wörld 😀', 'a\ud800b', 'ab', 'abc'].map((t): ExtensionCall => ['base64Encode', t, []]),
  ...['aGVsbG8=', 'aGVsbG8', 'aGVs bG8=', 'aGVsbG8=extra', 'YWJj', 'YWI=', 'YQ', 'Y', '-_-_', '//8=', 'wA==', '4oKs', '8J+YgA==', '8J+Y', '7aCA', '!!!', '', 'YQ==YQ==', 'a=b', 'YWJj\nYWJj'].map(
    (t): ExtensionCall => ['base64Decode', t, []],
  ),
  ...['<b>bold</b> text', 'a < b and c > d', '<p>unclosed', '<a href="x">link</a>', 'no tags', '<<>>', '<br/>line'].map((t): ExtensionCall => ['removeTags', t, []]),
  ['quote', 'say "hi"', []],
  ['quote', "it's", ["'"]],
  ['quote', 'back\\slash "q"', []],
  ['quote', 'a$b', ['$']],
  ['quote', '', []],
  ['quote', 'line\nnext n', ['n']],
  ['quote', 'x.y', ['.']],
  ...['{"a":1,"b":[true,null]}', '[1,2]', '"x"', "{'a':1}", 'nope', '  42 ', ''].map((t): ExtensionCall => ['parseJson', t, []]),
  // Methods of lists, objects, numbers and any value
  ...['', 'x', [], [0], {}, { a: 1 }, 0, 5, true, false, null, undefined, '2024-05-01T10:00:00.000Z'].flatMap((v): ExtensionCall[] => [['isEmpty', v, []], ['isNotEmpty', v, []]]),
  ...[[1, 'a'], { a: [1] }, 'x"y', 5, '2024-05-01T10:00:00.000Z'].map((v): ExtensionCall => ['toJsonString', v, []]),
  ...[{ b: 1, a: 2 }, {}, 'ab', 3].flatMap((v): ExtensionCall[] => [['keys', v, []], ['values', v, []]]),
  ['hasField', { a: 1 }, ['a']],
  ['hasField', { a: 1 }, ['b']],
  ['hasField', [1], ['0']],
  ...[[], [1, 2, 3], 'abc', null].flatMap((v): ExtensionCall[] => [['first', v, []], ['last', v, []], ['reverse', v, []]]),
  ...[[1, 2.5], [], [1, '2'], [3, -1, 2], { a: 1 }].flatMap((v): ExtensionCall[] => [['sum', v, []], ['min', v, []], ['max', v, []], ['average', v, []]]),
  ...[['a'], ['a', 'b'], [], ['a', 'a'], ['z']].map((f): ExtensionCall => ['pluck', [{ a: 1, b: 2 }, { b: 3, a: 4 }, { a: 5 }, null, 5, { c: 1 }], f]),
  ['chunk', [1, 2, 3, 4, 5], [2]],
  ['chunk', [1, 2, 3], [5]],
  ['chunk', [1, 2], [0]],
  ['chunk', [1, 2], ['2']],
  ...[[1.005, [2]], [2.5, []], [-2.5, []], [1234.5678, [2]], [1234.5678, [-1]], [0.1 + 0.2, [10]]].map(([n, a]): ExtensionCall => ['round', n, a as unknown[]]),
  ...[-1.5, 1.2, -3, 5, 5.5].flatMap((n): ExtensionCall[] => [['floor', n, []], ['ceil', n, []], ['abs', n, []], ['isInteger', n, []]]),
  ...[4, 3, -3, 0, 2.5].flatMap((n): ExtensionCall[] => [['isEven', n, []], ['isOdd', n, []]]),
  ['round', 'x', []],
  ['round', [1], []],
  ['floor', null, []],
  ['sum', 'abc', []],
  ['pluck', {}, ['a']],
  // Receivers that are not text: n8n's errors
  ['toSentenceCase', 42, []],
  ['toTitleCase', null, []],
  ['toSnakeCase', undefined, []],
  ['toSnakeCase', ['a b'], []],
  ['toSnakeCase', { a: 1 }, []],
  ['urlEncode', [1], []],
  ['urlEncode', 5, []],
  ['toSentenceCase', true, []],
  // text that is exactly an ISO timestamp is a date to n8n
  ['toSnakeCase', '2024-05-01T10:00:00.000Z', []],
  ['toSnakeCase', '2024-05-01T10:00:00Z', []],
];

/** Our answers: the extension script in mini-racer (the generated app's engine), from the JavaScript venv. */
async function ours(calls: ExtensionCall[]): Promise<ExtensionOutcome[]> {
  const dir = tempDir('catalyst-ext-');
  writeFileSync(join(dir, 'calls.js'), `var ext = (${readFileSync(EXT_JS, 'utf8')}\n)();\n${extensionScript(calls)}`);
  writeFileSync(
    join(dir, 'run.py'),
    'import sys\nfrom py_mini_racer import MiniRacer\nctx = MiniRacer()\nsys.stdout.write(ctx.eval(open(sys.argv[1], encoding="utf-8").read()))\n',
  );
  const r = await runAsync(await testPythonJs(), [join(dir, 'run.py'), join(dir, 'calls.js')], { env: { ...process.env, LANG: 'C.UTF-8' } });
  if (r.code !== 0) throw new Error(`mini-racer failed (exit ${r.code}):\n${r.out}`);
  return JSON.parse(r.out) as ExtensionOutcome[];
}

describe('extension methods: ours in mini-racer vs n8n-workflow`s extend', () => {
  it('every enabled method is in the table', () => {
    expect(new Set(CALLS.map(([m]) => m))).toEqual(EXTENSION_METHODS);
  });

  it(`${CALLS.length} calls on tricky inputs answer as in n8n (values and errors)`, async () => {
    const [want, got] = await Promise.all([n8nExtensions(CALLS), ours(CALLS)]);
    expect(got).toHaveLength(CALLS.length);
    const rows = CALLS.map((c, i) => ({ call: `${c[0]}(${JSON.stringify(c[1])}${c[2].length ? `, ${JSON.stringify(c[2])}` : ''})`, n8n: want[i], ours: got[i] }));
    expect(rows.filter((r) => JSON.stringify(r.n8n) !== JSON.stringify(r.ours))).toEqual([]);
    // Some answers spelled out, so a change on both sides shows here too.
    const at = (m: string, v: unknown) => want[CALLS.findIndex((c) => c[0] === m && c[1] === v && c[2].length === 0)];
    expect(at('toSentenceCase', 'hi. there! ok?')).toEqual({ value: 'Hi. There! Ok?' });
    expect(at('toTitleCase', 'the lord of the rings')).toEqual({ value: 'The Lord of the Rings' });
    expect(at('toSnakeCase', 'hi. there! ok?')).toEqual({ value: 'hi_there_ok' });
    expect(at('toSentenceCase', 42)).toEqual({ error: 'toSentenceCase() is only callable on type "String"' });
  }, 300_000);
});

/** Field → n8n expression (Set field of type string). */
const FIELDS: Record<string, string> = {
  sentence: '={{ $json.body.text.toSentenceCase() }}',
  title: '={{ $json.body.text.toTitleCase() }}',
  snake: '={{ $json.body.text.toSnakeCase() }}',
  chained: "={{ $json.body.text.toSnakeCase().toTitleCase().quote(\"'\") }}",
  inText: '=Dear {{ $json.body.name.toTitleCase() }}, re: {{ $json.body.text.toSentenceCase() }}',
  nested: '={{ $json.body.text.replaceAll(" ", "+").urlEncode() }}',
  optional: '={{ $json.body.missing?.toTitleCase() ?? "none" }}',
  // An optional chain short-circuits past the extension call, as n8n's own rewrite keeps it
  optFirst: '={{ $json.body.missing?.first().name ?? "none" }}',
  optMember: '={{ $json.body.nothing?.b.toTitleCase() ?? "none" }}',
  optAfter: '={{ $json.body.nothing?.toTitleCase().length ?? "none" }}',
  optTaken: '={{ $json.body.people?.last().name.toTitleCase().length }}',
  optUndefined: '={{ $json.body.obj?.missing.toTitleCase() ?? "none" }}',
  email: '={{ $json.body.contact.extractEmail() }}',
  domain: '={{ $json.body.contact.extractDomain() }}',
  encoded: '={{ $json.body.name.base64Encode() }}',
  decoded: '={{ $json.body.name.base64Encode().base64Decode() === $json.body.name }}',
  // Lists and numbers, and JavaScript's own methods of the same names
  plucked: '={{ $json.body.people.pluck("name").toJsonString() }}',
  total: '={{ $json.body.people.pluck("age").sum().round(1) }}',
  listEnds: '={{ [$json.body.people.first().name, $json.body.people.last().name, $json.body.people.reverse().first().name].join() }}',
  emptiness: '={{ [$json.body.people.isEmpty(), $json.body.missing.isEmpty(), $json.body.text.isNotEmpty(), $json.body.people.first().hasField("age")].join() }}',
  native: '={{ Math.max(...$json.body.people.pluck("age")) + Object.keys($json.body).length + $input.first().json.body.name.length }}',
};

const setExport = {
  name: 'Extension methods',
  nodes: [
    { parameters: { httpMethod: 'POST', path: 'ext-fields', responseMode: 'lastNode', options: {} }, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'ext-fields' },
    {
      parameters: { assignments: { assignments: Object.entries(FIELDS).map(([field, value], i) => ({ id: `a${i}`, name: field, value, type: 'string' })) }, options: {} },
      name: 'Fields',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [200, 0],
    },
  ],
  connections: { Webhook: { main: [[{ node: 'Fields', type: 'main', index: 0 }]] } },
  settings: {},
};

/** The JSON body of the corpus's 0450 (a GraphQL mutation), sent to a stand-in. */
const bodyExport = {
  name: 'Extension methods in a JSON body',
  nodes: [
    { parameters: { httpMethod: 'POST', path: 'ext-body', responseMode: 'lastNode', options: {} }, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'ext-body' },
    {
      parameters: {
        url: 'https://issues.example.test/graphql',
        method: 'POST',
        sendBody: true,
        specifyBody: 'json',
        jsonBody:
          '={\n    "query":"mutation IssueCreate($input: IssueCreateInput!) {issueCreate(input: $input) {issue {id title url}}}",\n    "variables":{"input":{"title":"{{ $json["body"]["text"].replaceAll(\'"\',"\'") }}", "description":"## Reporter: {{ $json.body.user_name.toTitleCase() }}  \\n slug {{ $json.body.text.toSnakeCase() }}  \\n Created by: {{ $json["body"]["user_name"].toSentenceCase() }}"}} \n}',
        options: {},
      },
      name: 'Create issue',
      type: 'n8n-nodes-base.httpRequest',
      typeVersion: 4.2,
      position: [200, 0],
    },
  ],
  connections: { Webhook: { main: [[{ node: 'Create issue', type: 'main', index: 0 }]] } },
  settings: {},
};

let side: SideBySide;
beforeAll(async () => {
  side = await startSideBySide({
    exports: { 'fields.json': setExport, 'body.json': bodyExport },
    rewrite: { 'https://issues.example.test': '/issues-api' },
    upstream: (req, body, res) => (req.method === 'POST' && req.url === '/issues-api/graphql' ? json(res, 200, { received: JSON.parse(body) }) : json(res, 404, { error: `no stand-in for ${req.method} ${req.url}` })),
  });
}, 600_000);
afterAll(async () => {
  await side?.stop();
  cleanupTemps();
});

const same = (req: SideRequest) => expectSame(side, req);

describe('extension methods in imported workflows answer as n8n does', () => {
  it('both exports import cleanly', () => {
    expect(side.status('fields.json')).toBe('clean');
    expect(side.status('body.json')).toBe('clean');
  });

  it('Set fields: sentence, title and snake case, chained, in text, optional, addresses, base64', async () => {
    const people = [{ name: 'Ada', age: 36.25 }, { name: 'Alan', age: 41.5 }, { name: 'Grace', age: 85 }];
    const r = await same({ method: 'POST', path: 'ext-fields', body: { nothing: null, text: 'hello WORLD. the end! of it', name: 'ada of lovelace', contact: 'Mail ada@math.example.org now', people } });
    // What n8n answered (so a change on either side is visible here, not only as "still equal").
    expect(r.n8n.body).toEqual({
      sentence: 'Hello world. The end! Of it',
      title: 'Hello WORLD. the End! of It',
      snake: 'hello_world_the_end_of_it',
      chained: "'Hello_world_the_end_of_it'",
      inText: 'Dear Ada of Lovelace, re: Hello world. The end! Of it',
      nested: 'hello%2BWORLD.%2Bthe%2Bend!%2Bof%2Bit',
      optional: 'none',
      optFirst: 'none',
      optMember: 'none',
      optAfter: 'none',
      optTaken: '5',
      optUndefined: 'none',
      email: 'ada@math.example.org',
      domain: null, // n8n: text with a space is no e-mail address, and not a domain either
      encoded: 'YWRhIG9mIGxvdmVsYWNl',
      decoded: 'true',
      plucked: '["Ada","Alan","Grace"]',
      total: '162.8',
      listEnds: 'Ada,Grace,Grace',
      emptiness: 'false,true,true,true',
      native: '105',
    });
    await same({ method: 'POST', path: 'ext-fields', body: { text: 'émile-zola: ÜBER café', name: 'ÿ 😀', contact: 'none here', people: [{ name: 'x', age: 3 }] } });
    await same({ method: 'POST', path: 'ext-fields', body: { text: '', name: 'x', contact: 'https://sub.example.com/a', people: [{ age: 1 }, { age: 2, name: 'y' }] } });
  });

  it('a JSON body like the corpus`s 0450: the stand-in receives the same request from both', async () => {
    const r = await same({ method: 'POST', path: 'ext-body', body: { text: 'crash when "saving" a workflow', user_name: 'jane DOE' } });
    expect(r.n8n.upstream.map((u) => u.body)).toEqual([
      {
        query: 'mutation IssueCreate($input: IssueCreateInput!) {issueCreate(input: $input) {issue {id title url}}}',
        variables: { input: { title: "crash when 'saving' a workflow", description: '## Reporter: Jane DOE  \n slug crash_when_saving_a_workflow  \n Created by: Jane doe' } },
      },
    ]);
  });

  it('a receiver that is not text fails the workflow in both', async () => {
    const r = await side.send({ method: 'POST', path: 'ext-fields', body: { text: 42, name: 'x', contact: '', people: [] } });
    expect(r.n8n.status).toBe('workflow failed');
    expect(r.app.status).toBe('workflow failed');
    expect(r.app.detail).toMatchObject({ message: expect.stringContaining('toSentenceCase() is only callable on type "String"') });
  });

  it('past a ?. that did not short-circuit, an extension call on undefined fails the workflow in both', async () => {
    const body = { obj: {}, text: 'x', name: 'x', contact: '', people: [{ name: 'a' }] };
    const r = await side.send({ method: 'POST', path: 'ext-fields', body });
    expect(r.n8n.status).toBe('workflow failed');
    expect(r.app.status).toBe('workflow failed');
    expect(r.app.detail).toMatchObject({ message: expect.stringContaining("toTitleCase can't be used on undefined value") });
  });
});
