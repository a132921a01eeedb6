import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { convertToTx, convertValue, isWholeItem, translateExpression, translateValueExpression, type ExprScope } from '../../src/n8n/expr.ts';
import { Unsupported } from '../../src/n8n/issues.ts';
import { convertJson } from '../../src/n8n/jsontemplate.ts';
import { codeNode, extensionCalls, JsExpressions } from '../../src/n8n/jsrun.ts';
import { baseView, httpView, llmView, overlayView, webhookView, type Tree, type View } from '../../src/n8n/views.ts';
import { unsupported } from '../../src/n8n/issues.ts';

const envs: string[] = [];
function scope(input: View | undefined = baseView('the previous node', 'nodes.prev', ['a', 'b'])): ExprScope {
  const nodes: Record<string, View> = {
    Webhook: webhookView('POST'),
    'Get Query': webhookView('GET'),
    Fetch: httpView('fetch', 'Fetch', { fullResponse: false }),
    Full: httpView('full', 'Full', { fullResponse: true }),
    Text: httpView('text', 'Text', { fullResponse: false, textProperty: 'data' }),
    Config: baseView('config', 'nodes.config', ['url']),
    Chain: llmView('chain', 'Chain', 'chain'),
    Ask: llmView('ask', 'Ask', 'message'),
  };
  return {
    input,
    workflow: { id: 'abc', name: 'My Flow' },
    params: (name) => (name === 'Config' ? { fields: { values: [{ stringValue: 'acct-1' }] }, dyn: '={{ 1 }}' } : undefined),
    env: (name) => {
      envs.push(name);
      return `env.${name}`;
    },
    node: (name) => nodes[name] ?? unsupported('node-ref', `there is no node named "${name}"`),
  };
}

const t = (js: string, s = scope()) => translateExpression(js, s).src;

/** n8n expression → our expression. */
const TABLE: [string, string][] = [
  // items and nodes
  ['$json.a', 'nodes.prev.a'],
  ['$json.a.b[0]', 'nodes.prev.a.b[0]'],
  ['$json["a"]["b c"]', "nodes.prev.a['b c']"],
  ["$json['Phone Number']", "nodes.prev['Phone Number']"],
  ['$json', 'nodes.prev'],
  ['$input.item.json.a', 'nodes.prev.a'],
  ['$input.first().json.a', 'nodes.prev.a'],
  ['$input.last().json.a', 'nodes.prev.a'],
  ['$input.all()[0].json.a', 'nodes.prev.a'],
  ["$('Webhook').item.json.body.name", 'input.name'],
  ["$('Webhook').first().json.body.user.id", 'input.user.id'],
  ["$('Get Query').item.json.query.q", 'input.q'],
  ["$('Webhook').item.json.body", 'input'],
  ["$('Get Query').item.json.query", 'input'],
  ["$('Get Query').item.json.body.q", 'null'],
  ["$('Webhook').item.json.nothing", 'null'],
  // request headers: read by lower-case name (Node.js lower-cases them; another spelling is undefined in n8n)
  ["$('Webhook').item.json.headers.authorization", 'request.headers.authorization'],
  ["$('Webhook').item.json.headers['x-hub-signature-256']", "request.headers['x-hub-signature-256']"],
  ["$('Webhook').item.json.headers['X-Foo']", 'null'],
  ["$('Webhook').item.json.headers['bad name']", 'null'],
  ["$('Get Query').item.json.headers['x-tenant'] ?? 'none'", "request.headers['x-tenant'] ?? 'none'"],
  ['$node["Webhook"].json["body"]["x"]', 'input.x'],
  ['$node.Config.json.url', 'nodes.config.url'],
  ["$items('Config')[0].json.url", 'nodes.config.url'],
  ['$item(0).$node["Config"].json.url', 'nodes.config.url'],
  ["$('Fetch').item.json.items[0].id", 'nodes.fetch.body.items[0].id'],
  ["$('Fetch').item.json", 'nodes.fetch.body'],
  ["$('Full').item.json.statusCode", 'nodes.full.status'],
  ["$('Full').item.json.body.id", 'nodes.full.body.id'],
  ["$('Full').item.json.headers['set-cookie']", "nodes.full.headers['set-cookie']"],
  ["$('Text').item.json.data", 'nodes.text.body'],
  ["$('Chain').item.json.text", 'nodes.chain.text'],
  ["$('Ask').item.json.message.content", 'nodes.ask.text'],
  ["$('Config').params.fields.values[0].stringValue", "'acct-1'"],
  ["$('Config').isExecuted", 'true'],
  // strings
  ['$json.a.toLowerCase()', 'lower(nodes.prev.a)'],
  ['$json.a.toUpperCase()', 'upper(nodes.prev.a)'],
  ['$json.a.trim()', 'trim(nodes.prev.a)'],
  ["$json.a.includes('x')", "contains(nodes.prev.a, 'x')"],
  ["$json.a.startsWith('x')", "startsWith(nodes.prev.a, 'x')"],
  ["$json.a.endsWith('x')", "endsWith(nodes.prev.a, 'x')"],
  ["$json.a.split('@')[1]", "split(nodes.prev.a, '@')[1]"],
  ["$json.a.replaceAll('-', '')", "replace(nodes.prev.a, '-', '')"],
  ["$json.a.replace('-', '+')", "contains(nodes.prev.a, '-') ? split(nodes.prev.a, '-')[0] + '+' + join(slice(split(nodes.prev.a, '-'), 1), '-') : nodes.prev.a"],
  ['$json.a.slice(0, 3)', 'slice(nodes.prev.a, 0, 3)'],
  ['$json.a.slice(-3)', 'slice(nodes.prev.a, -3)'],
  ['$json.a.substring(1, 4)', 'slice(nodes.prev.a, 1, 4)'],
  ['$json.a.length', 'len(nodes.prev.a)'],
  ['$json.list.join(", ")', "join(nodes.prev.list, ', ')"],
  ['$json.a.toString()', 'str(nodes.prev.a)'],
  ['$json.a.toNumber()', 'float(nodes.prev.a)'],
  ['$json.a.isEmpty()', "contains([null, '', 0, false, []], nodes.prev.a) || json(nodes.prev.a) == '{}'"],
  ['$json.a.isNotEmpty()', "!(contains([null, '', 0, false, []], nodes.prev.a) || json(nodes.prev.a) == '{}')"],
  ['$json.a.isNotEmpty() && $json.b', "(!(contains([null, '', 0, false, []], nodes.prev.a) || json(nodes.prev.a) == '{}')) && nodes.prev.b"],
  ["$json.a.replace('-', '$$')", "contains(nodes.prev.a, '-') ? split(nodes.prev.a, '-')[0] + '$' + join(slice(split(nodes.prev.a, '-'), 1), '-') : nodes.prev.a"],
  ["$json.a.replace('-', '[$&]')", "contains(nodes.prev.a, '-') ? split(nodes.prev.a, '-')[0] + '[-]' + join(slice(split(nodes.prev.a, '-'), 1), '-') : nodes.prev.a"],
  ["$json.a.replace('', '>')", "concat('', '>', nodes.prev.a)"],
  ["$json.a.replaceAll('-', '$$$&')", "replace(nodes.prev.a, '-', '$-')"],
  ['$json.a.substring(4, 1)', 'slice(nodes.prev.a, 1, 4)'],
  ['$json.a.substring(-2, 3)', 'slice(nodes.prev.a, 0, 3)'],
  ['$json.a.substring(-3)', 'slice(nodes.prev.a, 0)'],
  ['$json.a.substring(1.7, 2.2)', 'slice(nodes.prev.a, 1, 2)'],
  ["`tags: ${$json.a.split('-')}`", "concat('tags: ', join(split(nodes.prev.a, '-'), ','))"],
  ["`${[1, 'two', null]}`", "str(join([1, 'two', null], ','))"],
  ['`keys: ${Object.keys($json.a)}`', "concat('keys: ', join(keys(nodes.prev.a), ','))"],
  ['$json.list.first()', 'nodes.prev.list[0]'],
  ['$json.list.last()', 'nodes.prev.list[len(nodes.prev.list) - 1]'],
  ['$json.a.concat($json.b)', 'concat(nodes.prev.a, nodes.prev.b)'],
  ['`Hello ${$json.name}!`', "concat('Hello ', nodes.prev.name, '!')"],
  ['`${$json.a}`', 'str(nodes.prev.a)'],
  // globals
  ['JSON.stringify($json.a)', 'json(nodes.prev.a)'],
  ['JSON.parse($json.raw)', 'parseJson(nodes.prev.raw)'],
  ['String($json.n)', 'str(nodes.prev.n)'],
  ['Number($json.n)', 'float(nodes.prev.n)'],
  ['parseInt($json.n, 10)', 'int(nodes.prev.n)'],
  ['parseFloat($json.n)', 'float(nodes.prev.n)'],
  ['Boolean($json.n)', 'bool(nodes.prev.n)'],
  ['Math.round($json.n)', 'nodes.prev.n - int(nodes.prev.n) == -0.5 ? int(nodes.prev.n) : round(nodes.prev.n)'],
  ['Math.max($json.a, $json.b)', 'max(nodes.prev.a, nodes.prev.b)'],
  ['Object.keys($json)', 'keys(nodes.prev)'],
  ['$if($json.ok, "yes", "no")', "nodes.prev.ok ? 'yes' : 'no'"],
  ["$ifEmpty($json.a, 'none')", "(nodes.prev.a == null || nodes.prev.a == '' || nodes.prev.a == [] || json(nodes.prev.a) == '{}') ? 'none' : nodes.prev.a"],
  ['$now', 'now()'],
  ['$now.toISO()', 'now()'],
  ['new Date().toISOString()', 'now()'],
  ['$env.API_URL', 'env.API_URL'],
  ['$workflow.name', "'My Flow'"],
  ['$workflow.id', "'abc'"],
  ['$itemIndex', '0'],
  ['$runIndex', '0'],
  // operators
  ['$json.a === 1', 'nodes.prev.a == 1'],
  ['$json.a !== "x"', "nodes.prev.a != 'x'"],
  ['$json.a > 1 && $json.b <= 2', '(nodes.prev.a > 1) && (nodes.prev.b <= 2)'],
  ['$json.a || "default"', "nodes.prev.a || 'default'"],
  ['$json.a ?? "default"', "nodes.prev.a ?? 'default'"],
  ['!$json.ok', '!nodes.prev.ok'],
  ['-$json.n', '-nodes.prev.n'],
  ['+$json.n', 'float(nodes.prev.n)'],
  ['$json.a ? $json.b : $json.c', 'nodes.prev.a ? nodes.prev.b : nodes.prev.c'],
  ['$json.n * 2 + 1', '(nodes.prev.n * 2) + 1'],
  ['$json.a + " " + $json.b', "(nodes.prev.a + ' ') + nodes.prev.b"],
  ['$json.candidates?.[0]?.text', 'nodes.prev.candidates[0].text'],
  ['[1, "two", $json.a]', "[1, 'two', nodes.prev.a]"],
  ["'it\\'s'", "'it\\'s'"],
  ['undefined', 'null'],
  ['null', 'null'],
  ['$json.list[$json.i]', 'nodes.prev.list[nodes.prev.i]'],
];

describe('n8n expressions → Catalyst expressions', () => {
  it.each(TABLE)('%s', (js, want) => {
    expect(t(js)).toBe(want);
  });

  it('records $env reads', () => {
    t('$env.SOME_SETTING');
    expect(envs).toContain('SOME_SETTING');
  });

  it('keeps type information for typed conversions', () => {
    expect(translateExpression('$json.a.toLowerCase()', scope()).type).toBe('string');
    expect(translateExpression('$json.a.length', scope()).type).toBe('number');
    expect(translateExpression('$json.a > 1', scope()).type).toBe('boolean');
  });
});

/** n8n expression → refusal reason (a fragment of it). */
const REFUSED: [string, string, ('no-input' | 'no-id')?][] = [
  ['$json.a.map(x => x.id)', 'callback function'],
  ['$json.list.find(e => e.role == "inbox")', 'callback function'],
  ['$json.a.match(/[0-9]+/g)', 'regular expressions'],
  ['/abc/.test($json.a)', 'regular expressions'],
  ['$json.a.split(/,/)', 'regular expression'],
  ['$now.minus(1, "minute")', 'date arithmetic or formatting'],
  ["$now.toFormat('yyyy-MM-dd')", 'date arithmetic or formatting'],
  ['$today', '$today'],
  ['new Date($json.d).getTime()', 'dates'],
  ['$execution.id', '$execution (the run) has no translation'],
  ['encodeURIComponent($json.a)', 'is JavaScript the translator does not translate'],
  ['$vars.X', 'n8n-specific'],
  ['$input.all()', 'list of all items'],
  ['$input.first(2)', 'several items'],
  ["$('Webhook').all()", 'list of all items'],
  ['items[0].json.a', 'list of all items'],
  ["$('Webhook').item.json.headers", 'whole request headers object cannot be read'],
  ["$('Webhook').item.json.headers.connection", 'hop-by-hop'],
  ["$('Webhook').item.json.headers.authorization.x", 'is text'],
  ["$('Webhook').item.json.params.id", 'path parameters'],
  ["$('Webhook').item.json", 'whole webhook item'],
  ["$('Webhook').item.json.query.q", 'query-string parameters of a POST'],
  ["$('Full').item.json", 'whole full response'],
  ["$('Full').item.json.statusMessage", 'status message'],
  ["$('Ask').item.json.message.role.x", 'only $json.message.content'],
  ["$('Nope').item.json.a", 'there is no node named "Nope"'],
  ['$("Webhook" + 1).item.json', 'literal node name'],
  ["$('Webhook').binary", 'binary'],
  ['$binary.data', 'binary'],
  ['$json.a = 1', 'assignments'],
  ['typeof $json.a', 'operator "typeof"'],
  ['$json.a ** 2', 'operator "**"'],
  ['$json.a in $json', 'operator "in"'],
  ['({a: 1}).a', 'object literals'],
  ['[...$json.list]', 'spread'],
  ['$json.a.padStart(2)', '.padStart() is not supported'],
  ['$json.a.toFixed(2)', '.toFixed() is not supported'],
  ['$json.a.substring($json.i)', 'substring'],
  ['$json.a.replace(\'-\', "$\'")', 'cannot be translated'],
  ['$json.a.replace($json.b, "[$&]")', 'cannot be translated'],
  ['`${[$json.a, [1]]}`', 'a list that may hold lists or objects'],
  ['$workflow.id', '$workflow.id is not available', 'no-id'],
  ['Math.floor($json.n)', 'Math.floor'],
  ['JSON.stringify($json, null, 2)', 'indentation'],
  ['parseInt($json.n, 16)', 'radix'],
  ['unknownThing', 'unknown variable "unknownThing"'],
  ['$json.a.', 'cannot parse'],
  ['$json.a; $json.b', 'unexpected'],
  ['$json.list[-1]', 'negative indexes'],
  ['$env["lower-case"]', 'UPPER_SNAKE_CASE'],
  ['$json.a', '$json is used in a node that has no input item', 'no-input'],
];

describe('n8n expressions that are refused, with the reason', () => {
  it.each(REFUSED)('%s', (js, reason, flag) => {
    const s = flag === 'no-input' ? { ...scope(), input: undefined } : flag === 'no-id' ? { ...scope(), workflow: { name: 'My Flow' } } : scope();
    let err: unknown;
    try {
      translateExpression(js, s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Unsupported);
    expect((err as Error).message).toContain(reason);
    expect((err as Unsupported).expression).toBe(js);
  });
});

describe('n8n parameter values (templates)', () => {
  it('a plain string is literal text; a literal {{ is escaped', () => {
    expect(convertValue('hello', scope())).toBe('hello');
    expect(convertValue('Bearer {{token}}', scope())).toBe('Bearer \\{{token}}');
    expect(convertValue('=no expressions here', scope())).toBe('no expressions here');
    expect(convertValue(42, scope())).toBe(42);
    expect(convertValue(undefined, scope())).toBe(null);
  });

  it('text mixed with expressions becomes a template', () => {
    expect(convertValue('=Hi {{ $json.a }}, you are {{ $json.b }}', scope())).toBe('Hi {{ nodes.prev.a }}, you are {{ nodes.prev.b }}');
    expect(convertValue('=https://x.io/{{$node["Webhook"].json["body"]["id"]}}/close', scope())).toBe('https://x.io/{{ input.id }}/close');
  });

  it('a single expression keeps its type; an object literal becomes an object', () => {
    expect(convertValue('={{ $json.a }}', scope())).toBe('{{ nodes.prev.a }}');
    expect(convertValue('={{ { "key": $json.a, "n": 1, "list": [ { "x": $json.b } ] } }}', scope())).toEqual({ key: '{{ nodes.prev.a }}', n: 1, list: [{ x: '{{ nodes.prev.b }}' }] });
    expect(convertValue('={{ $json }}', scope())).toBe('{{ nodes.prev }}');
    expect(translateValueExpression("$('Chain').item.json", scope())).toEqual({ text: '{{ nodes.chain.text }}' });
  });

  it('want: string wraps non-string expressions in str()', () => {
    expect(convertValue('={{ $json.n }}', scope(), 'string')).toBe('{{ str(nodes.prev.n) }}');
    expect(convertValue('={{ $json.n.toLowerCase() }}', scope(), 'string')).toBe('{{ lower(nodes.prev.n) }}');
  });

  it('convertToTx builds one expression from a template', () => {
    expect(convertToTx('=Bearer {{ $json.t }}', scope()).src).toBe("concat('Bearer ', nodes.prev.t)");
    expect(convertToTx('=plain', scope()).src).toBe("'plain'");
    expect(convertToTx(true, scope()).src).toBe('true');
    expect(convertToTx(null, scope()).src).toBe('null');
  });

  it('detects whole-item expressions', () => {
    expect(isWholeItem('={{ $json }}', scope())).toBe(true);
    expect(isWholeItem("={{ $('Config').item.json }}", scope())).toBe(true);
    expect(isWholeItem('={{ $json.a }}', scope())).toBe(false);
    expect(isWholeItem('plain', scope())).toBe(false);
  });

  it('$workflow.id of an export without an id is our workflow name (what JavaScript nodes see)', () => {
    expect(t('$workflow.id', { ...scope(), workflow: { name: 'My Flow', ownName: 'my-flow' } })).toBe("'my-flow'");
    expect(t('$workflow.id', { ...scope(), workflow: { id: 'abc', name: 'My Flow', ownName: 'my-flow' } })).toBe("'abc'");
  });

  it('a backslash before {{ is literal text, kept (as n8n keeps it)', () => {
    expect(convertValue('=a \\{{ $json.a }} b', scope())).toBe('a \\\\{{ $json.a }} b');
    expect(convertValue('=\\{{ x }} {{ $json.a }}', scope())).toBe('\\\\{{ x }} {{ nodes.prev.a }}');
  });

  it('a list interpolated into text is its items joined by ","; run as JavaScript, [v].join("") makes the text', () => {
    expect(convertValue("=tags: {{ $json.a.split('-') }}", scope())).toBe("tags: {{ join(split(nodes.prev.a, '-'), ',') }}");
    expect(convertToTx("=tags: {{ $json.a.split('-') }}", scope()).src).toBe("concat('tags: ', join(split(nodes.prev.a, '-'), ','))");
    const sources: string[] = [];
    const js = { ...scope(), js: (e: string) => (sources.push(e), { src: 'nodes.x_js.e0', kind: 'atom' as const, type: 'unknown' as const }) };
    expect(convertValue('=ids: {{ $json.list.map(x => x.id); }}', js)).toBe('ids: {{ nodes.x_js.e0 }}');
    expect(convertValue('={{ $json.list.map(x => x.id) }}', js)).toBe('{{ nodes.x_js.e0 }}');
    expect(sources).toEqual(["[$json.list.map(x => x.id)].join('')", ' $json.list.map(x => x.id) ']);
  });

  it('what only JavaScript can compute runs as JavaScript where the node allows it; what JavaScript lacks is refused', () => {
    const js = { ...scope(), js: (e: string) => ({ src: `js(${e})`, kind: 'atom' as const, type: 'unknown' as const }) };
    for (const e of ['$execution.id', 'encodeURIComponent($json.a)', 'isNaN($json.n)', 'Array.isArray($json.a)', 'Date.now()', 'Duration.fromObject({ hours: 1 }).toISO()', '$json.a.map(x => x)', "$json.a.match(/x/)"]) {
      expect(translateExpression(e, js).src, e).toBe(`js(${e})`);
    }
    for (const [e, code] of [['foo($json.a)', 'unknown-variable'], ['$vars.x', 'n8n-variable'], ['$json.a = 1', 'assignment'], ['$binary.data', 'binary']]) {
      expect(() => translateExpression(e, js), e).toThrow(expect.objectContaining({ code }));
    }
  });

  it("n8n's DateTime extension format(fmt) runs as Luxon's toFormat(fmt) in expressions evaluated as JavaScript", () => {
    const exprs = new JsExpressions(() => 'x_js', () => scope());
    const cases = [
      ['$now.format("yyyy-MM-dd-HH-mm")', '$now.toFormat("yyyy-MM-dd-HH-mm")'],
      ["$today.minus({ days: 1 }).format('d') + $now.format('HH')", "$today.minus({ days: 1 }).toFormat('d') + $now.toFormat('HH')"],
      ["DateTime.now().setZone('UTC').format('x')", "DateTime.now().setZone('UTC').toFormat('x')"],
      // Not a DateTime from $now / $today / DateTime: left as written.
      ["$json.a.format('x')", "$json.a.format('x')"],
      ["$now.toISO().format('x')", "$now.toISO().format('x')"],
      ["$now['format']('x')", "$now['format']('x')"],
    ];
    cases.forEach(([e], i) => expect(exprs.add(e).src).toBe(`nodes.x_js.e${i}`));
    expect(exprs.node('Node', undefined)?.code).toBe(`return {\n${cases.map(([, out], i) => `  e${i}: (${out}),\n`).join('')}};\n`);
  });

  it("n8n's extension methods on text are rewritten to the app's implementation; the others stay refused, and Code nodes get none", () => {
    const exprs = new JsExpressions(() => 'x_js', () => scope());
    const cases = [
      ['$json.a.toSentenceCase()', '__catalyst.ext($json.a, "toSentenceCase", [])'],
      ["$json.a.toSnakeCase().toTitleCase().quote(\"'\")", '__catalyst.ext(__catalyst.ext(__catalyst.ext($json.a, "toSnakeCase", []), "toTitleCase", []), "quote", ["\'"])'],
      ['$json.a?.toTitleCase() ?? "x"', '((__catalyst_v) => __catalyst_v == null ? undefined : __catalyst.ext(__catalyst_v, "toTitleCase", []))($json.a) ?? "x"'],
      ['($json.a, $json.b).toTitleCase()', '__catalyst.ext(($json.a, $json.b), "toTitleCase", [])'],
      ["$json.a.urlEncode(true) + $json.b.replaceAll('x', $json.c.base64Encode())", '__catalyst.ext($json.a, "urlEncode", [true]) + $json.b.replaceAll(\'x\', __catalyst.ext($json.c, "base64Encode", []))'],
      ['$now.format("d") + $json.a.toTitleCase()', '$now.toFormat("d") + __catalyst.ext($json.a, "toTitleCase", [])'],
      // Methods of other types, and JavaScript's own of the same name (the app calls the value's own method when its type has none)
      ['Math.max(...$json.list.pluck("n")) + $input.first().json.n', '__catalyst.ext(Math, "max", [...__catalyst.ext($json.list, "pluck", ["n"])]) + __catalyst.ext($input, "first", []).json.n'],
      // Not a call of the method, or a computed name: left as written.
      ["$json.toTitleCase + $json['toTitleCase']()", "$json.toTitleCase + $json['toTitleCase']()"],
    ];
    cases.forEach(([e], i) => expect(exprs.add(e).src).toBe(`nodes.x_js.e${i}`));
    expect(exprs.node('Node', undefined)?.code).toBe(`return {\n${cases.map(([, out], i) => `  e${i}: (${out}),\n`).join('')}};\n`);
    for (const e of ['$json.a.toInt()', '$json.list.compact()', '$json.a.removeMarkdown()', '$json.a.hash("sha256")', '$json.d.toDate()', '$json.list.append(1)']) expect(() => exprs.add(e), e).toThrow(expect.objectContaining({ code: 'n8n-method' }));
    for (const code of ['return [{ json: { t: $json.a.toTitleCase() } }];', 'return { n: $json.list.sum() };']) {
      expect(() => codeNode('c', 'd', code, false, scope(), undefined), code).toThrow(expect.objectContaining({ code: 'n8n-method' }));
    }
    // Names JavaScript has too stay callable in Code nodes, as written.
    const code = 'return { a: $input.first().json, b: Math.max(1, 2), c: Object.keys($json), d: [1, 2].reverse() };';
    expect(codeNode('c', 'd', code, false, scope(), undefined).code).toBe(code);
  });

  it('an optional chain holding an extension method call still short-circuits, as in n8n; past a ?. that did not, the call fails as there', () => {
    const ext = runInNewContext(readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'app', 'optional', 'n8n_extensions.js'), 'utf8'))();
    const run = (e: string, vars: Record<string, unknown>) => runInNewContext(extensionCalls(e), { ...vars, __catalyst: { ext } });
    expect(extensionCalls('a?.b.toTitleCase()')).toBe('((__catalyst_v) => __catalyst_v == null ? undefined : __catalyst.ext(__catalyst_v.b, "toTitleCase", []))(a)');
    // Each case: n8n's answer (n8n-workflow's extendTransform + extend, tests/integration/n8n-oracle-extensions.test.ts)
    expect(run('a?.first().name', { a: undefined })).toBeUndefined();
    expect(run('a?.b.toTitleCase()', { a: null })).toBeUndefined();
    expect(run('a?.toTitleCase().length', { a: null })).toBeUndefined();
    expect(run('a?.b?.c.toTitleCase().x?.y', { a: { b: null } })).toBeUndefined();
    expect(run('a?.b.quote(c?.d.toTitleCase())', { a: { b: 'q' }, c: null })).toBe('"q"');
    expect(run('a?.toTitleCase().length', { a: 'ab cd' })).toBe(5);
    expect(run('a.toTitleCase()?.length', { a: 'ab' })).toBe(2);
    expect(run('a?.list.pluck("n").sum()', { a: { list: [{ n: 1 }, { n: 2 }] } })).toBe(3);
    expect(() => run('a?.b.toTitleCase()', { a: {} })).toThrow("toTitleCase can't be used on undefined value");
    expect(() => run('(a?.b).toTitleCase()', { a: null })).toThrow("toTitleCase can't be used on undefined value");
    // n8n's extendOptional (`x.m?.()`) is not implemented: refused, not run differently
    expect(() => extensionCalls('a?.b.toTitleCase?.()')).toThrow(expect.objectContaining({ code: 'syntax' }));
  });

  it('reports unclosed templates', () => {
    expect(() => convertValue('=a {{ $json.a', scope())).toThrow(/never closed/);
  });
});

describe('JSON templates (JSON bodies, Respond JSON, Set raw mode)', () => {
  it('parses JSON with expressions as values and inside strings', () => {
    const body = convertJson('={\n  "to": "{{ $json.a }}",\n  "n": {{ $json.n }},\n  "text": "Hi {{ $json.b }}!",\n  "raw": {{ JSON.stringify($json.c) }},\n  "fixed": [1, true, null]\n}', scope(), 'jsonBody');
    expect(body).toEqual({ to: '{{ str(nodes.prev.a) }}', n: '{{ nodes.prev.n }}', text: 'Hi {{ nodes.prev.b }}!', raw: '{{ nodes.prev.c }}', fixed: [1, true, null] });
  });

  it('drops escaping written for JSON text inside strings', () => {
    expect(convertJson('={"text": "{{ $json.t.replaceAll(\'"\', \'\\\\"\') }}"}', scope(), 'jsonBody')).toEqual({ text: '{{ str(nodes.prev.t) }}' });
  });

  it('a whole-value string expression is parsed as JSON text', () => {
    expect(convertJson('={"x": {{ $json.a + "" }} }', scope(), 'jsonBody')).toEqual({ x: "{{ parseJson(nodes.prev.a + '') }}" });
  });

  it('plain JSON and a single expression', () => {
    expect(convertJson('{"a": "{{x}}"}', scope(), 'jsonBody')).toEqual({ a: '\\{{x}}' });
    expect(convertJson('={{ $json }}', scope(), 'jsonBody')).toBe('{{ nodes.prev }}');
    expect(convertJson({ already: 'object' }, scope(), 'jsonBody')).toEqual({ already: 'object' });
    expect(convertJson('', scope(), 'jsonBody')).toBeUndefined();
  });

  it.each([
    ['={ {{ $json.fields }} }', 'JSON key or entries'],
    ['={"a": 1{{ $json.b }} }', 'glued'],
    ['={"a": {{ $json.a }}{{ $json.b }} }', 'part of the JSON text'],
    ['={"a": "x" {{ $json.b }} }', 'JSON entries'],
    ['{"a": 1', 'not valid JSON'],
    ['={"a": {{ $json.a }}, }', 'trailing comma'],
    ['={"a": "line\nbreak {{ $json.a }}"}', 'line break'],
  ])('refuses %s', (raw, reason) => {
    expect(() => convertJson(raw, scope(), 'jsonBody')).toThrow(reason);
  });
});

describe('views', () => {
  it('a Set node that keeps other fields reads through to its input', () => {
    const tree: Tree = new Map<string | number, Tree | 'leaf'>([
      ['name', 'leaf'],
      ['config', new Map<string | number, Tree | 'leaf'>([['url', 'leaf']])],
    ]);
    const v = overlayView('set1', 'Set', tree, baseView('prev', 'nodes.prev'));
    expect(v.at(['name']).src).toBe('nodes.set1.name');
    expect(v.at(['config', 'url']).src).toBe('nodes.set1.config.url');
    expect(v.at(['other']).src).toBe('nodes.prev.other');
    expect(v.at(['config', 'token']).src).toBe('nodes.prev.config.token');
    expect(() => v.at(['config'])).toThrow(/mixes fields/);
    expect(() => v.whole()).toThrow(/keeps the other fields/);
    // a JavaScript node needs the whole item: only where the input's shape is known (not here)
    expect(() => v.jsValue!()).toThrow(/keeps the other fields/);
    const only = overlayView('set2', 'Set', tree);
    expect(only.at(['missing']).src).toBe('null');
    expect(only.whole().src).toBe('nodes.set2');
    expect(only.keys).toEqual(['name', 'config']);
  });

  it('HTTP views map n8n items to {status, headers, body}', () => {
    expect(httpView('h', 'H', { fullResponse: true }).value()).toEqual({ body: '{{ nodes.h.body }}', headers: '{{ nodes.h.headers }}', statusCode: '{{ nodes.h.status }}' });
    expect(httpView('h', 'H', { fullResponse: false, textProperty: 'data' }).value()).toEqual({ data: '{{ nodes.h.body }}' });
    expect(httpView('h', 'H', { fullResponse: false, textProperty: 'data' }).at(['other']).src).toBe('null');
    expect(() => webhookView('POST').at(['webhookUrl'])).toThrow(/n8n-specific/);
  });
});
