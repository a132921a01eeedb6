import { describe, expect, it } from 'vitest';
import { node, runImport, webhookChain, workflow } from '../fixtures/n8n/builder.ts';

const respondFirst = () => node('Respond', 'respondToWebhook', 1.1, {});
const respondText = () => node('Respond', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: 'done' });

describe('webhook trigger', () => {
  it('maps method, path and a public route; input is the JSON body', () => {
    const r = runImport(webhookChain([respondText()], 'responseNode', 'POST', '/orders/new/'));
    expect(r.doc()).toMatchObject({ visibility: 'public', trigger: { type: 'webhook', method: 'POST', path: '/orders/new' }, input: { type: 'object', additionalProperties: true } });
    expect(r.errors).toEqual([]);
  });

  it('request headers the workflow reads (expressions, JavaScript by name) are declared on the trigger; other reads in JavaScript warn', () => {
    const iff = node('Check', 'if', 1, { conditions: { string: [{ value1: "={{ $('Webhook').item.json.headers.authorization }}", value2: 'Bearer x' }] } });
    const js = node('JS', 'code', 2, { mode: 'runOnceForEachItem', jsCode: "const sig = $('Webhook').first().json.headers['x-signature'];\nconst odd = $('Webhook').first().json.headers.Upper ?? $('Webhook').first().json.headers.connection;\nconst all = $('Webhook').first().json.headers;\nreturn { json: { sig, odd, n: Object.keys(all).length } };" });
    const r = runImport(webhookChain([iff, js, respondFirst()]));
    expect(r.errors).toEqual([]);
    expect(r.doc().trigger).toEqual({ type: 'webhook', method: 'POST', path: '/hook', headers: ['authorization', 'x-signature'] });
    expect(r.node('check').if).toBe("{{ request.headers.authorization == 'Bearer x' }}");
    expect((r.node('js').nodes as Record<string, Record<string, unknown>>).Webhook.headers).toBe('{{ request.headers }}');
    // `$('Webhook').first().json.headers` read whole: the code sees only the declared headers
    expect(r.issues.find((i) => i.code === 'webhook-headers')).toMatchObject({ severity: 'warning', node: 'JS', parameter: 'jsCode' });
    // An expression that runs as JavaScript (an object literal) declares the headers it reads by name too.
    const set = node('Fields', 'set', 3.4, { assignments: { assignments: [{ id: 'a', name: 'meta', type: 'string', value: "={{ JSON.stringify({ sig: $('Webhook').item.json.headers['x-sig'] }) }}" }] }, options: {} });
    const viaJs = runImport(webhookChain([set, respondFirst()]));
    expect(viaJs.errors).toEqual([]);
    expect(viaJs.doc().trigger).toMatchObject({ headers: ['x-sig'] });
    expect(viaJs.issues.map((i) => i.code)).not.toContain('webhook-headers');
    const plain = runImport(webhookChain([respondFirst()]));
    expect(plain.doc().trigger).toEqual({ type: 'webhook', method: 'POST', path: '/hook' });
    // A method call on headers, a computed template key, or a key no header can have is no header name: a warning, no declaration
    for (const read of ["h.get('x-a')", 'h[`x-${$json.k}`]', "h['bad name']", 'h?.keys()']) {
      const code = `const h = $('Webhook').first().json;\nreturn { json: { v: ${read.replace(/^h/, 'h.headers')}, w: h.headers['x-ok'] } };`;
      const r2 = runImport(webhookChain([node('JS', 'code', 2, { mode: 'runOnceForEachItem', jsCode: code }), respondFirst()]));
      expect(r2.errors, read).toEqual([]);
      expect(r2.doc().trigger, read).toEqual({ type: 'webhook', method: 'POST', path: '/hook', headers: ['x-ok'] });
      expect(r2.issues.filter((i) => i.code === 'webhook-headers'), read).toMatchObject([{ severity: 'warning', node: 'JS', parameter: 'jsCode' }]);
    }
  });

  it('defaults: v1 and v2 listen to GET and answer immediately with "Workflow was started"', () => {
    for (const v of [1, 2]) {
      const w = workflow([node('Webhook', 'webhook', v, { path: 'x' }), node('Set', 'set', 3.4, { assignments: { assignments: [{ name: 'a', type: 'string', value: '={{ $json.query.q }}' }] } })], [['Webhook', 'Set']]);
      const r = runImport(w);
      expect(r.doc().trigger).toEqual({ type: 'webhook', method: 'GET', path: '/x' });
      expect(r.node('set').set).toEqual({ a: '{{ input.q == null ? null : str(input.q) }}' });
      expect(r.node('respond_set')).toMatchObject({ type: 'respond', status: 200, body: { message: 'Workflow was started' } });
      expect(r.issues.map((i) => i.code)).toContain('respond-immediately');
    }
  });

  it('response code and headers: v1 top-level, v2 in options; custom immediate response data', () => {
    const v1 = workflow([node('Webhook', 'webhook', 1, { path: 'x', httpMethod: 'POST', responseCode: 202, options: { responseData: '={"ok":true}' } })], []);
    expect(runImport(v1).node('respond_webhook')).toMatchObject({ status: 202, body: { ok: true } });
    const v2 = workflow([node('Webhook', 'webhook', 2, { path: 'x', httpMethod: 'POST', options: { responseCode: { values: { responseCode: 'customCode', customCode: 299 } }, responseHeaders: { entries: [{ name: 'X-A', value: 'b' }] }, responseData: 'thanks' } })], []);
    expect(runImport(v2).node('respond_webhook')).toMatchObject({ status: 299, headers: { 'x-a': 'b', 'content-type': 'text/html; charset=utf-8' }, body: 'thanks' });
    const none = workflow([node('Webhook', 'webhook', 2, { path: 'x', options: { noResponseBody: true } })], []);
    expect(runImport(none).node('respond_webhook')).toMatchObject({ body: '' });
  });

  it('lastNode: the response is the last node item (first entry or all entries)', () => {
    const set = node('Set', 'set', 3.4, { assignments: { assignments: [{ name: 'ok', type: 'boolean', value: true }] } });
    const first = runImport(webhookChain([set], 'lastNode'));
    expect(first.node('respond_set')).toMatchObject({ status: 200, body: '{{ nodes.set }}' });
    const w = webhookChain([set], 'lastNode');
    (w.nodes as { parameters: Record<string, unknown> }[])[0].parameters.responseData = 'allEntries';
    expect(runImport(w).node('respond_set').body).toEqual(['{{ nodes.set }}']);
    (w.nodes as { parameters: Record<string, unknown> }[])[0].parameters.responseData = 'noData';
    expect(runImport(w).node('respond_set').body).toBe('');
    (w.nodes as { parameters: Record<string, unknown> }[])[0].parameters.responseData = 'firstEntryJson';
    (w.nodes as { parameters: Record<string, unknown> }[])[0].parameters.options = { responsePropertyName: 'ok', responseContentType: 'application/xml' };
    expect(runImport(w).node('respond_set')).toMatchObject({ body: '{{ nodes.set.ok }}', headers: { 'content-type': 'application/xml' } });
  });

  it('writes auth: none where n8n had no webhook authentication', () => {
    expect(runImport(webhookChain([respondText()], 'responseNode')).doc().auth).toBe('none');
  });

  it.each([
    ['headerAuth', 'httpHeaderAuth', { type: 'apiKey', header: 'Authorization', secrets: ['HOOK_HEADER'] }, 'webhook-header-auth'],
    ['basicAuth', 'httpBasicAuth', { type: 'basic', user: 'n8n', secret: 'HOOK_HEADER' }, 'webhook-basic-auth'],
    ['jwtAuth', 'jwtAuth', { type: 'jwt', secret: 'HOOK_HEADER' }, 'webhook-jwt-auth'],
  ])('maps webhook %s to a route auth with a declared secret, and says what to finish', (mode, credType, auth, code) => {
    const w = webhookChain([respondText()], 'responseNode');
    const hook = (w.nodes as { parameters: Record<string, unknown>; credentials?: Record<string, unknown> }[])[0];
    hook.parameters.authentication = mode;
    hook.credentials = { [credType]: { id: '7', name: 'Hook header' } };
    const r = runImport(w);
    expect(r.doc().auth).toEqual(auth);
    expect(r.errors).toEqual([]);
    expect(r.issues.find((i) => i.code === code)).toMatchObject({ severity: 'warning', node: 'Webhook' });
    expect(r.result.report.secrets.map((s) => s.name)).toEqual(['HOOK_HEADER']);
    expect(r.yaml('project.yaml')).toMatch(/secrets:\n\s+HOOK_HEADER: /);
  });

  it.each([
    [{ authentication: 'digestAuth' }, 'webhook-auth'],
    [{ options: { ipWhitelist: '1.2.3.4' } }, 'webhook-ip-allowlist'],
    [{ path: 'user/:id' }, 'webhook-path'],
    [{ path: 'health' }, 'webhook-path'],
    [{ path: 'a b' }, 'webhook-path'],
    [{ httpMethod: 'HEAD' }, 'webhook-method'],
    [{ multipleMethods: true }, 'webhook-methods'],
    [{ options: { binaryPropertyName: 'file' } }, 'binary'],
    [{ responseMode: 'streaming' }, 'webhook-response-mode'],
  ])('refuses %j', (params, code) => {
    const r = runImport(workflow([node('Webhook', 'webhook', 2, { path: 'x', ...params })], []));
    expect(r.result.report.files[0].status).toBe('refused');
    expect(r.errors.map((e) => e.code)).toContain(code);
  });

  it('uses the webhook id when the path is empty', () => {
    const r = runImport(workflow([node('Webhook', 'webhook', 1, { path: '' }, { webhookId: 'abc-123' })], []));
    expect(r.doc().trigger).toMatchObject({ path: '/abc-123' });
  });
});

describe('Respond to Webhook', () => {
  const chain = (params: Record<string, unknown>, v = 1.1) => runImport(webhookChain([node('Set', 'set', 3.4, { assignments: { assignments: [{ name: 'id', type: 'number', value: 7 }] } }), node('Respond', 'respondToWebhook', v, params)]));

  it.each([
    [{}, { status: 200, body: '{{ nodes.set }}' }],
    [{ respondWith: 'allIncomingItems' }, { body: ['{{ nodes.set }}'] }],
    [{ respondWith: 'firstIncomingItem', options: { responseKey: 'data.item' } }, { body: { data: { item: '{{ nodes.set }}' } } }],
    [{ respondWith: 'json', responseBody: '={"id": {{ $json.id }}, "ok": true}', options: { responseCode: 201 } }, { status: 201, body: { id: '{{ nodes.set.id }}', ok: true } }],
    [{ respondWith: 'text', responseBody: '=id {{ $json.id }}' }, { body: 'id {{ nodes.set.id }}', headers: { 'content-type': 'text/html; charset=utf-8' } }],
    [{ respondWith: 'text', responseBody: '={{ $json }}' }, { body: '{{ nodes.set }}' }],
    [{ respondWith: 'noData', options: { responseCode: 204 } }, { status: 204 }],
    [{ respondWith: 'redirect', redirectURL: 'https://example.com/done' }, { status: 307, headers: { location: 'https://example.com/done' } }],
    [{ respondWith: 'json', responseBody: '{"a":1}', options: { responseHeaders: { entries: [{ name: 'Access-Control-Allow-Origin', value: '*' }] } } }, { headers: { 'access-control-allow-origin': '*' }, body: { a: 1 } }],
  ])('%j', (params, want) => {
    expect(chain(params).node('respond')).toMatchObject({ type: 'respond', ...want });
  });

  it.each([
    [{ respondWith: 'binary' }, 'binary'],
    [{ respondWith: 'jwt' }, 'respond-jwt'],
    [{ respondWith: 'json', responseBody: '{bad json' }, 'invalid-json'],
  ])('refuses %j (a 501 stub with --allow-partial)', (params, code) => {
    const r = chain(params);
    expect(r.errors.map((e) => e.code)).toContain(code);
    expect(r.node('respond')).toMatchObject({ type: 'respond', status: 501 });
  });

  it('with nodes after it: answers after they ran (same response)', () => {
    const w = webhookChain([respondText(), node('Later', 'httpRequest', 4.2, { url: 'https://api.example.com/x' })]);
    const r = runImport(w);
    expect(r.issues.map((i) => i.code)).toContain('respond-deferred');
    expect(r.edges()).toEqual([{ from: 'later', to: 'respond_later' }]);
    expect(r.node('respond_later')).toMatchObject({ type: 'respond', body: 'done' });
  });

  it('is ignored when the webhook does not use responseNode mode', () => {
    const r = runImport(webhookChain([respondText()], 'onReceived'));
    expect(r.issues.map((i) => i.code)).toContain('respond-ignored');
    expect(r.nodes().map((n) => n.type)).toEqual(['respond']);
  });
});

describe('Set', () => {
  const run = (v: number, params: Record<string, unknown>, before: ReturnType<typeof node>[] = []) => runImport(webhookChain([...before, node('Set', 'set', v, params), respondFirst()]));

  it('v1/v2: typed value groups, dot notation, keeps other fields by default', () => {
    const r = run(2, { values: { string: [{ name: 'user.name', value: '={{ $json.body.name }}' }], number: [{ name: 'n', value: 3 }], boolean: [{ name: 'ok' }] } });
    expect(r.node('set').set).toEqual({ user: { name: '{{ input.name }}' }, n: 3, ok: false });
    // the webhook item's other fields are kept, so the whole item cannot be returned
    expect(r.errors.map((e) => e.code)).toContain('set-include-other');
  });

  it('v1 keepOnlySet: only the set fields; dot notation off', () => {
    const r = run(1, { keepOnlySet: true, values: { string: [{ name: 'a.b', value: 'x' }] }, options: { dotNotation: false } });
    expect(r.node('set').set).toEqual({ 'a.b': 'x' });
    expect(r.node('respond').body).toBe('{{ nodes.set }}');
  });

  it('v3.0–3.2 fields with types; include all copies known input fields', () => {
    const first = node('First', 'set', 3.4, { assignments: { assignments: [{ name: 'kept', type: 'string', value: 'k' }] } });
    const r = run(3.2, { fields: { values: [{ name: 'n', type: 'numberValue', numberValue: '42' }, { name: 's', stringValue: 'text' }, { name: 'b', type: 'booleanValue', booleanValue: 'true' }, { name: 'arr', type: 'arrayValue', arrayValue: '[1,2]' }, { name: 'obj', type: 'objectValue', objectValue: '{"a":1}' }] } }, [first]);
    expect(r.node('set').set).toEqual({ kept: '{{ nodes.first.kept }}', n: 42, s: 'text', b: true, arr: [1, 2], obj: { a: 1 } });
    expect(r.errors).toEqual([]);
  });

  it('v3.3+: assignments, includeOtherFields with selected / except', () => {
    const first = node('First', 'set', 3.4, { assignments: { assignments: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] } });
    const selected = run(3.4, { includeOtherFields: true, include: 'selected', includeFields: 'a', assignments: { assignments: [{ name: 'c', type: 'number', value: '={{ $json.a.length }}' }] } }, [first]);
    expect(selected.node('set').set).toEqual({ a: '{{ nodes.first.a }}', c: '{{ len(nodes.first.a) }}' });
    const except = run(3.4, { includeOtherFields: true, include: 'except', excludeFields: 'b', assignments: { assignments: [] } }, [first]);
    expect(except.node('set').set).toEqual({ a: '{{ nodes.first.a }}' });
  });

  it('type conversions of expressions', () => {
    const r = run(3.4, {
      assignments: {
        assignments: [
          { name: 'num', type: 'number', value: '=1{{ $json.body.n }}' },
          { name: 'str', type: 'string', value: '={{ $json.body.n }}' },
          { name: 'arr', type: 'array', value: '={{ $json.body.list }}' },
          { name: 'split', type: 'array', value: '={{ $json.body.s.split(",") }}' },
          { name: 'obj', type: 'object', value: '={"a": {{ $json.body.n }} }' },
          { name: 'lit', type: 'string', value: '=plain' },
          { name: '=renamed', type: 'string', value: 'x' },
        ],
      },
    });
    expect(r.node('set').set).toEqual({
      num: "{{ float(concat('1', input.n)) }}",
      str: '{{ input.n == null ? null : str(input.n) }}',
      // n8n parses JSON text given to an array/object field (a list stays a list: parseJson keeps non-strings).
      arr: '{{ parseJson(input.list) }}',
      split: "{{ split(input.s, ',') }}",
      obj: "{{ parseJson(concat('{\"a\": ', input.n, ' }')) }}",
      lit: 'plain',
      renamed: 'x',
    });
  });

  it('a string field keeps null from v3.2 (n8n validateEntry); v3.0/3.1 are warned; typed strings and templates are text', () => {
    const fields = [
      { name: 'a', type: 'string', value: '={{ $json.body.a ?? $json.body.b }}' },
      { name: 'b', type: 'string', value: '={{ $json.body.b.toLowerCase() }}' },
      { name: 'c', type: 'string', value: '=x{{ $json.body.c }}' },
      { name: 'd', type: 'string', value: null },
    ];
    const r = run(3.4, { assignments: { assignments: fields } });
    expect(r.node('set').set).toEqual({ a: '{{ (input.a ?? input.b) == null ? null : str(input.a ?? input.b) }}', b: '{{ lower(input.b) }}', c: 'x{{ input.c }}', d: null });
    expect(r.issues.map((i) => i.code)).not.toContain('set-null');
    for (const v of [3, 3.1]) {
      const old = run(v, { fields: { values: [{ name: 'a', stringValue: '={{ $json.body.a }}' }] } });
      expect(old.node('set').set).toEqual({ a: '{{ str(input.a) }}' });
      expect(old.issues.find((i) => i.code === 'set-null')).toMatchObject({ severity: 'warning', parameter: 'fields.values[0]' });
    }
  });

  it('raw JSON mode', () => {
    const r = run(3.2, { mode: 'raw', include: 'none', jsonOutput: '={"to": "{{ $json.body.email }}", "n": 1}' });
    expect(r.node('set').set).toEqual({ to: '{{ str(input.email) }}', n: 1 });
  });

  it('an empty Set that keeps everything is a pass-through', () => {
    const r = runImport(webhookChain([node('Noop set', 'set', 3.2, {}), node('R', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: '={{ $json.body.a }}' })]));
    expect(r.nodes().map((n) => n.id)).toEqual(['r']);
    expect(r.node('r').body).toBe('{{ str(input.a) }}');
  });

  it.each([
    [{ assignments: { assignments: [{ name: 'n', type: 'number', value: 'abc' }] } }, 'set-type'],
    [{ assignments: { assignments: [{ name: 'b', type: 'boolean', value: 'maybe' }] } }, 'set-type'],
    [{ assignments: { assignments: [{ name: 'a', type: 'array', value: '{"x":1}' }] } }, 'set-type'],
    [{ assignments: { assignments: [{ name: '={{ $json.k }}', value: 'x' }] } }, 'set-dynamic-name'],
    [{ mode: 'raw', jsonOutput: '={{ $json.body }}' }, 'set-raw'],
  ])('refuses %j', (params, code) => {
    expect(run(3.4, params).errors.map((e) => e.code)).toContain(code);
  });
});

describe('IF', () => {
  const run = (v: number, params: Record<string, unknown>) => {
    const w = workflow(
      [node('Webhook', 'webhook', 2, { path: 'x', httpMethod: 'POST', responseMode: 'responseNode' }), node('If', 'if', v, params), node('Yes', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: 'yes' }), node('No', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: 'no' })],
      [['Webhook', 'If'], ['If', 'Yes', 0], ['If', 'No', 1]],
    );
    return runImport(w);
  };

  it('routes output 0 to branch "true" and output 1 to branch "false"', () => {
    const r = run(2, { conditions: { conditions: [{ leftValue: '={{ $json.body.a }}', rightValue: 'x', operator: { type: 'string', operation: 'equals' } }] } });
    expect(r.edges()).toEqual([{ from: 'if', to: 'yes', branch: 'true' }, { from: 'if', to: 'no', branch: 'false' }]);
    expect(r.node('if').if).toBe("{{ checkType(input.a, 'string') == 'x' }}");
  });

  it.each([
    [{ conditions: { boolean: [{ value1: '={{ $json.body.done }}' }] } }, '{{ input.done == false }}'],
    [{ conditions: { boolean: [{ value1: '={{ $json.body.done }}', value2: true, operation: 'notEqual' }] } }, '{{ input.done != true }}'],
    [{ conditions: { number: [{ value1: '={{ $json.body.n }}', value2: 5 }] } }, '{{ (input.n || 0) < 5 }}'],
    [{ conditions: { number: [{ value1: '={{ $json.body.n }}', value2: 1, operation: 'equal' }] } }, '{{ input.n == 1 }}'],
    [{ conditions: { number: [{ value1: '={{ $json.body.n }}', operation: 'isEmpty' }] } }, "{{ input.n == null || input.n == '' }}"],
    [{ conditions: { string: [{ value1: '={{ $json.body.s }}', value2: 'abc', operation: 'contains' }] } }, "{{ contains(str(input.s), 'abc') }}"],
    [{ conditions: { string: [{ value1: '={{ $json.body.s }}', value2: '200', operation: 'regex' }] } }, "{{ contains(str(input.s), '200') }}"],
    [{ conditions: { string: [{ value1: '={{ $json.body.s }}', value2: '/^OK$/i', operation: 'regex' }] } }, "{{ lower(str(input.s)) == 'ok' }}"],
    [{ conditions: { string: [{ value1: '={{ $json.body.s }}', value2: '^ab', operation: 'notRegex' }] } }, "{{ !startsWith(str(input.s), 'ab') }}"],
    [{ conditions: { string: [{ value1: '={{ $json.body.a }}' }, { value1: '={{ $json.body.b }}', operation: 'isNotEmpty' }] }, combineOperation: 'any' }, "{{ (input.a == '') || (!(input.b == null || input.b == '')) }}"],
  ])('v1 %j', (params, want) => {
    expect(run(1, params).node('if').if).toBe(want);
  });

  const op = (type: string, operation: string, left = '={{ $json.body.v }}', right: unknown = '') => ({ conditions: { options: { caseSensitive: true, typeValidation: 'strict' }, combinator: 'and', conditions: [{ leftValue: left, rightValue: right, operator: { type, operation } }] } });
  it.each([
    [op('string', 'exists'), '{{ input.v != null }}'],
    [op('string', 'notExists'), '{{ !(input.v != null) }}'],
    [op('string', 'empty'), "{{ input.v == null || input.v == '' }}"],
    [op('string', 'notEmpty'), "{{ !(input.v == null || input.v == '') }}"],
    [op('string', 'notEquals', undefined, 'x'), "{{ checkType(input.v, 'string') != 'x' }}"],
    [op('string', 'startsWith', undefined, 'x'), "{{ startsWith(str(checkType(input.v, 'string')), 'x') }}"],
    [op('string', 'notEndsWith', undefined, 'x'), "{{ !endsWith(str(checkType(input.v, 'string')), 'x') }}"],
    [op('string', 'notContains', undefined, 'x'), "{{ !contains(str(checkType(input.v, 'string')), 'x') }}"],
    [op('number', 'gt', undefined, 1), "{{ checkType(input.v, 'number') > 1 }}"],
    [op('number', 'lte', undefined, 1), "{{ checkType(input.v, 'number') <= 1 }}"],
    [op('number', 'equals', undefined, '={{ $json.body.w }}'), "{{ checkType(input.v, 'number') == checkType(input.w, 'number') }}"],
    [op('boolean', 'true'), "{{ checkType(input.v, 'boolean') == true }}"],
    [op('boolean', 'false'), "{{ checkType(input.v, 'boolean') == false }}"],
    [op('array', 'contains', undefined, 'x'), "{{ contains(checkType(input.v, 'array'), 'x') }}"],
    [op('array', 'lengthGt', undefined, 2), "{{ len(checkType(input.v, 'array')) > 2 }}"],
    [op('array', 'empty'), '{{ len(input.v) == 0 }}'],
    [op('object', 'notEmpty'), '{{ len(input.v) > 0 }}'],
    [{ conditions: { options: { caseSensitive: false }, combinator: 'or', conditions: [op('string', 'equals', undefined, 'ABC').conditions.conditions[0], op('number', 'equals', undefined, 2).conditions.conditions[0]] } }, "{{ (lower(checkType(input.v, 'string')) == 'abc') || (checkType(input.v, 'number') == 2) }}"],
    [{ ...op('number', 'equals', undefined, '5'), looseTypeValidation: true }, "{{ float(input.v) == float('5') }}"],
    [{ conditions: { conditions: [] } }, true],
  ])('v2 %j', (params, want) => {
    expect(run(2.2, params).node('if').if).toBe(want);
  });

  it.each([
    [op('dateTime', 'after', undefined, '={{ $now }}'), 'date'],
    [op('number', 'between'), 'condition-operation'],
  ])('v2 refuses %j', (params, code) => {
    expect(run(2, params).errors.map((e) => e.code)).toContain(code);
  });

  it('a regular expression using regex syntax (or given by an expression) runs as JavaScript with n8n\'s rule', () => {
    const cases: [number, Record<string, unknown>, string, string][] = [
      [1, { conditions: { string: [{ value1: '={{ $json.body.s }}', value2: '/\\d{4}-\\d\\d/i', operation: 'regex' }] } }, '($json.body.s\n)', '"/\\\\d{4}-\\\\d\\\\d/i"'],
      [2, op('string', 'regex', undefined, '[0-9]+'), '($json.body.v\n)', '"[0-9]+"'],
      [2, op('string', 'notRegex', undefined, '={{ $json.body.p }}'), '($json.body.v\n)', '($json.body.p\n)'],
    ];
    for (const [v, params, value, pattern] of cases) {
      const r = run(v, params);
      expect(r.errors).toEqual([]);
      const js = r.node('if_js');
      expect(js).toMatchObject({ type: 'javascript', mode: 'eachItem' });
      expect(js.code).toContain(`})(${value}, ${pattern})`);
      expect(js.code).toContain('.match(m ? new RegExp(m[1], m[2]) : new RegExp(s))');
      expect(r.node('if').if).toBe(params.conditions && (params as { conditions: { conditions?: { operator: { operation: string } }[] } }).conditions.conditions?.[0].operator.operation === 'notRegex' ? '{{ !nodes.if_js.e0 }}' : '{{ nodes.if_js.e0 }}');
    }
    // A case-insensitive filter lowers both sides in n8n; that stays refused rather than approximated.
    const ci = op('string', 'regex', undefined, '[0-9]+');
    ci.conditions.options.caseSensitive = false;
    expect(run(2, ci).errors.map((e) => e.code)).toContain('regex');
  });

  it('v1 refuses dates', () => {
    expect(run(1, { conditions: { dateTime: [{ value1: '2020-01-01', value2: '2021-01-01' }] } }).errors.map((e) => e.code)).toContain('date');
  });
});

describe('Switch', () => {
  const run = (v: number, params: Record<string, unknown>, outputs: number[]) => {
    const targets = outputs.map((o) => node(`Out ${o}`, 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: `out ${o}` }));
    const w = workflow([node('Webhook', 'webhook', 2, { path: 'x', httpMethod: 'POST', responseMode: 'responseNode' }), node('Switch', 'switch', v, params), ...targets], [['Webhook', 'Switch'], ...outputs.map((o): [string, string, number] => ['Switch', `Out ${o}`, o])]);
    return runImport(w);
  };

  it('v1: rules with explicit outputs (default 0), number data type by default, fallback output', () => {
    const r = run(1, { value1: '={{ $json.body.n }}', rules: { rules: [{ value2: 10 }, { value2: 100, operation: 'larger', output: 1 }, { value2: 5, operation: 'equal', output: 1 }] }, fallbackOutput: 3 }, [0, 1, 3]);
    expect(r.node('switch').cases).toEqual([
      { branch: 'output_0', when: '{{ (input.n || 0) < 10 }}' },
      { branch: 'output_1', when: '{{ (input.n || 0) > 100 }}' },
      { branch: 'output_1_2', when: '{{ input.n == 5 }}' },
    ]);
    expect(r.edges().filter((e) => e.from === 'switch')).toEqual([
      { from: 'switch', to: 'out_0', branch: 'output_0' },
      { from: 'switch', to: 'out_1', branch: 'output_1' },
      { from: 'switch', to: 'out_1', branch: 'output_1_2' },
      { from: 'switch', to: 'out_3', branch: 'default' },
    ]);
  });

  it('v2: string rules with output keys; output index = rule index', () => {
    const r = run(2, { dataType: 'string', value1: '={{ $json.body.kind }}', rules: { rules: [{ value2: 'a', outputKey: 'Kind A' }, { value2: 'b', operation: 'startsWith', outputKey: 'default' }] } }, [0, 1]);
    expect(r.node('switch').cases).toEqual([
      { branch: 'Kind_A', when: "{{ input.kind == 'a' }}" },
      { branch: 'output_1', when: "{{ startsWith(input.kind, 'b') }}" },
    ]);
  });

  it('v3: filter rules, renamed outputs, extra fallback output', () => {
    const cond = (value: string) => ({ conditions: { combinator: 'and', conditions: [{ leftValue: '={{ $json.body.k }}', rightValue: value, operator: { type: 'string', operation: 'equals' } }] } });
    const r = run(3.2, { rules: { values: [{ ...cond('a'), renameOutput: true, outputKey: 'A' }, cond('b')] }, options: { fallbackOutput: 'extra', ignoreCase: true } }, [0, 1, 2]);
    expect(r.node('switch').cases).toEqual([
      { branch: 'A', when: "{{ lower(checkType(input.k, 'string')) == 'a' }}" },
      { branch: 'output_1', when: "{{ lower(checkType(input.k, 'string')) == 'b' }}" },
    ]);
    expect(r.edges().find((e) => e.to === 'out_2')).toEqual({ from: 'switch', to: 'out_2', branch: 'default' });
  });

  it('responseNode mode: an output with no Respond node (a rule that does not match) answers 200 with an empty body, as n8n does', () => {
    const w = workflow(
      [node('Webhook', 'webhook', 2, { path: 'x', httpMethod: 'POST', responseMode: 'responseNode' }), node('Switch', 'switch', 3.2, { rules: { values: [{ conditions: { conditions: [{ leftValue: '={{ $json.body.k }}', rightValue: 'a', operator: { type: 'string', operation: 'equals' } }] } }] } }), node('R', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: 'matched' })],
      [['Webhook', 'Switch'], ['Switch', 'R', 0]],
    );
    const r = runImport(w);
    expect(r.node('respond_switch')).toMatchObject({ type: 'respond', status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' });
    expect(r.edges()).toContainEqual({ from: 'switch', to: 'respond_switch', branch: 'default' });
    expect(r.issues.find((i) => i.code === 'no-respond')).toMatchObject({ severity: 'note' });
  });

  it('v3: strict type validation (the default) fails the node on a value of another type; loose converts', () => {
    const rules = { values: [{ conditions: { options: { typeValidation: 'strict' }, combinator: 'and', conditions: [{ leftValue: '={{ $json.body.k }}', rightValue: '1', operator: { type: 'string', operation: 'equals' } }] } }] };
    expect(run(3.2, { rules }, [0]).node('switch').cases).toEqual([{ branch: 'output_0', when: "{{ checkType(input.k, 'string') == '1' }}" }]);
    const loose = run(3.2, { rules, options: { looseTypeValidation: true } }, [0]);
    expect(loose.node('switch').cases).toEqual([{ branch: 'output_0', when: "{{ input.k == '1' }}" }]);
  });

  it('expression mode routes by output index', () => {
    const r = run(3, { mode: 'expression', numberOutputs: 2, output: '={{ $json.body.i }}' }, [0, 1]);
    expect(r.node('switch')).toMatchObject({ value: '{{ input.i }}', cases: [{ branch: 'output_0', equals: 0 }, { branch: 'output_1', equals: 1 }] });
  });

  it('refuses sending to all matching outputs', () => {
    expect(run(3, { rules: { values: [] }, options: { allMatchingOutputs: true } }, [0]).errors.map((e) => e.code)).toContain('switch-all-matching');
    expect(run(3, { rules: { values: [] } }, [0]).errors.map((e) => e.code)).toContain('switch-empty');
  });
});

describe('HTTP Request', () => {
  const run = (v: number, params: Record<string, unknown>, extra: Record<string, unknown> = {}) => runImport(webhookChain([node('Call', 'httpRequest', v, params, extra), node('R', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: 'ok' })]));

  it('a host read from a Set node constant is written into the URL (fixed at build time); data-driven hosts are not', () => {
    const config = (value: unknown) => node('Config', 'set', 3.4, { assignments: { assignments: [{ name: 'base', type: 'string', value }, { name: 'api.port', type: 'string', value: '8443' }] }, options: { dotNotation: true } });
    const call = node('Call', 'httpRequest', 4.2, { url: '={{ $json.base }}:{{ $json.api.port }}/items/{{ $(\'Webhook\').item.json.body.id }}', authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' }, { credentials: { httpHeaderAuth: { id: '1', name: 'My API' } } });
    const fixed = runImport(webhookChain([config('https://api.example.com'), call], 'lastNode'));
    expect(fixed.node('call').url).toBe("https://api.example.com:8443/items/{{ input.id }}");
    expect(fixed.node('call')).not.toHaveProperty('allowHosts');
    expect(fixed.issues).toContainEqual(expect.objectContaining({ severity: 'note', code: 'http-fixed-host', node: 'Call' }));
    expect(fixed.result.report.files[0].status).toBe('clean');
    // a value from the request (or any expression) stays a reference, and the rule still refuses it
    const fromData = runImport(webhookChain([config('={{ $json.body.base }}'), call], 'lastNode'));
    expect(fromData.errors).toMatchObject([{ code: 'validation', node: 'Call', reason: expect.stringContaining('inside the scheme, host or port of url') }]);
    // text the template language would read (braces, backslashes) is not written in
    const braces = runImport(webhookChain([config('https://{x}.example.com'), call], 'lastNode'));
    expect(braces.issues.map((i) => i.code)).not.toContain('http-fixed-host');
  });

  it('a credentialed URL built by a Code node may call only the hosts written in that code (allowHosts)', () => {
    const code = (js: string) => node('Build', 'code', 2, { jsCode: js });
    const call = node('Call', 'httpRequest', 4.2, { url: '={{ $json.url }}', authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' }, { credentials: { httpHeaderAuth: { id: '1', name: 'My API' } } });
    const r = runImport(webhookChain([code('const BASE = "https://API.example.com";\nreturn { json: { url: `${BASE}/v1/items` } };'), call], 'lastNode'));
    expect(r.node('call')).toMatchObject({ url: '{{ str(nodes.build.url) }}', allowHosts: ['api.example.com'] });
    expect(r.issues).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'http-allow-hosts', node: 'Call', reason: expect.stringContaining('allowHosts: [api.example.com]') }));
    expect(r.result.report.files[0].status).toBe('clean');
    // no host written in the code: nothing to restrict to, so the rule refuses the node
    const none = runImport(webhookChain([code('return { json: { url: $json.body.target } };'), call], 'lastNode'));
    expect(none.node('call')).not.toHaveProperty('allowHosts');
    expect(none.errors).toMatchObject([{ code: 'validation', node: 'Call', reason: expect.stringContaining('the whole url comes from request data') }]);
  });

  it('v1: requestMethod, UI parameters, JSON body by default, header auth, timeout', () => {
    const r = run(1, {
      url: '=https://api.example.com/items/{{ $json.body.id }}',
      requestMethod: 'POST',
      authentication: 'headerAuth',
      queryParametersUi: { parameter: [{ name: 'q', value: '={{ $json.body.q }}' }, { name: 'tag', value: 'a' }, { name: 'tag', value: 'b' }] },
      headerParametersUi: { parameter: [{ name: 'X-N', value: 5 }] },
      bodyParametersUi: { parameter: [{ name: 'name', value: '={{ $json.body.name }}' }] },
      options: { timeout: 5000 },
    }, { credentials: { httpHeaderAuth: { id: '1', name: 'My API' } }, retryOnFail: true, maxTries: 4 });
    expect(r.node('call')).toEqual({
      id: 'call',
      type: 'httpRequest',
      description: 'n8n: Call (httpRequest v1)',
      method: 'POST',
      url: 'https://api.example.com/items/{{ input.id }}',
      headers: { 'X-N': '5' },
      query: { q: '{{ input.q }}', tag: ['a', 'b'] },
      body: { name: '{{ input.name }}' },
      auth: { secret: 'MY_API', scheme: 'header', header: 'Authorization' },
      timeoutMs: 5000,
      retries: 3,
    });
    expect(r.yaml('project.yaml')).toContain('MY_API: value of the HTTP header (n8n credential "My API", type httpHeaderAuth)');
  });

  it('v1 JSON parameters and response formats', () => {
    const r = run(2, { url: 'https://x.io', jsonParameters: true, bodyParametersJson: '={"a": {{ $json.body.n }} }', headerParametersJson: '{"X-A": 1}', queryParametersJson: '{"p": "v"}', responseFormat: 'string', options: { fullResponse: false } });
    expect(r.node('call')).toMatchObject({ body: { a: '{{ input.n }}' }, headers: { 'X-A': '1' }, query: { p: 'v' }, responseType: 'text' });
  });

  it('v3+: method, send flags, keypair / JSON parameters, nested body names from v4', () => {
    const params = {
      method: 'PATCH',
      url: 'https://api.example.com',
      sendQuery: true,
      queryParameters: { parameters: [{ name: 'a', value: '1' }] },
      sendHeaders: true,
      specifyHeaders: 'json',
      jsonHeaders: '{"Content-Type": "application/json", "X-B": "2"}',
      sendBody: true,
      bodyParameters: { parameters: [{ name: 'tree[0].path', value: 'p' }] },
    };
    expect(run(4.2, params).node('call')).toMatchObject({ method: 'PATCH', query: { a: '1' }, headers: { 'X-B': '2' }, body: { tree: [{ path: 'p' }] } });
    expect(run(3, params).node('call').body).toEqual({ 'tree[0].path': 'p' });
    const json = run(4.1, { method: 'POST', url: 'https://x.io', sendBody: true, specifyBody: 'json', jsonBody: '={{ { "q": $json.body.q } }}' });
    expect(json.node('call').body).toEqual({ q: '{{ input.q }}' });
    const off = run(4.2, { url: 'https://x.io', queryParameters: { parameters: [{ name: 'ignored', value: '1' }] } });
    expect(off.node('call').query).toBeUndefined();
  });

  it('form bodies: url-encoded and multipart fields in order, repeated names as n8n sends them, the Content-Type header dropped', () => {
    const fields = [{ name: 'grant_type', value: 'client_credentials' }, { name: 'id', value: '={{ $json.body.id }}' }, { name: 'n', value: 5 }, { name: 'platform[]', value: 'ig' }, { name: 'platform[]', value: 'tt' }];
    const form = (v: number, contentType: string, extra: Record<string, unknown> = {}) => run(v, { method: 'POST', url: 'https://x.io/token', sendBody: true, contentType, bodyParameters: { parameters: fields }, ...extra });
    const multipart = form(4.2, 'multipart-form-data', { sendHeaders: true, headerParameters: { parameters: [{ name: 'Content-Type', value: 'multipart/form-data' }, { name: 'X-A', value: 'b' }] } });
    expect(multipart.errors).toEqual([]);
    expect(multipart.node('call')).toMatchObject({ method: 'POST', headers: { 'X-A': 'b' }, bodyType: 'multipart', body: { grant_type: 'client_credentials', id: '{{ str(input.id) }}', n: '5', 'platform[]': ['ig', 'tt'] } });
    expect(multipart.result.report.files[0].status).toBe('clean');
    // url-encoded from 4.3: qs sends a repeated name with indices; before 4.3 (and multipart before 4.2) the last one wins
    expect(form(4.3, 'form-urlencoded').node('call')).toMatchObject({ bodyType: 'form', body: { grant_type: 'client_credentials', id: '{{ str(input.id) }}', n: '5', 'platform[][0]': 'ig', 'platform[][1]': 'tt' } });
    expect(form(4.2, 'form-urlencoded').node('call').body).toEqual({ grant_type: 'client_credentials', id: '{{ str(input.id) }}', n: '5', 'platform[]': 'tt' });
    expect(form(4.1, 'multipart-form-data').node('call').body).toMatchObject({ 'platform[]': 'tt' });
    // a url-encoded body as one literal string, or as JSON
    const text = run(4.2, { method: 'PUT', url: 'https://x.io', sendBody: true, contentType: 'form-urlencoded', specifyBody: 'string', body: 'a=1&b=x%20y&a=2' });
    expect(text.node('call')).toMatchObject({ bodyType: 'form', body: { a: '2', b: 'x y' } });
    // with expressions: split where written, literal parts decoded, the expressions as values (a warning)
    const expr = run(4.2, { method: 'POST', url: 'https://x.io', sendBody: true, contentType: 'form-urlencoded', specifyBody: 'string', body: '=grant_type=client%5Fcredentials&id={{ $json.body.id }}&note=x+{{ $json.body.a }}-{{ $json.body.b }}&flag&id=2' });
    expect(expr.errors).toEqual([]);
    expect(expr.node('call').body).toEqual({ grant_type: 'client_credentials', id: '2', note: 'x {{ input.a }}-{{ input.b }}', flag: '' });
    expect(expr.issues).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'http-form-string', node: 'Call' }));
    const json = run(4.2, { method: 'POST', url: 'https://x.io', sendBody: true, contentType: 'form-urlencoded', specifyBody: 'json', jsonBody: '={{ { "q": $json.body.q, "n": 1 } }}' });
    expect(json.node('call')).toMatchObject({ bodyType: 'form', body: { q: '{{ input.q }}', n: 1 } });
    // the legacy node: options.bodyContentType
    const legacy = run(1, { url: 'https://x.io', requestMethod: 'POST', bodyParametersUi: { parameter: [{ name: 'a', value: 1 }, { name: 'a', value: 2 }] }, options: { bodyContentType: 'form-urlencoded' } });
    expect(legacy.node('call')).toMatchObject({ bodyType: 'form', body: { a: '2' } });
    // a raw body: the text as written, rawContentType as its Content-Type (replacing one in the headers)
    const raw = run(4.2, { method: 'POST', url: 'https://x.io', sendBody: true, contentType: 'raw', rawContentType: 'text/xml', body: '=<note id="{{ $json.body.id }}"/>', sendHeaders: true, headerParameters: { parameters: [{ name: 'content-type', value: 'text/plain' }] } });
    expect(raw.errors).toEqual([]);
    expect(raw.node('call')).toMatchObject({ bodyType: 'text', body: '<note id="{{ input.id }}"/>', headers: { 'Content-Type': 'text/xml' } });
    expect(raw.node('call').headers).not.toHaveProperty('content-type');
    // a JSON body stays JSON (no bodyType written)
    expect(run(4.2, { method: 'POST', url: 'https://x.io', sendBody: true, bodyParameters: { parameters: [{ name: 'a', value: '1' }] } }).node('call')).not.toHaveProperty('bodyType');
  });

  it('field, query and header names that are Object.prototype names are kept as written; __proto__ is refused where it is written', () => {
    const fields = [{ name: 'constructor', value: 'a' }, { name: 'toString', value: 'b' }, { name: 'toString', value: 'c' }, { name: 'valueOf', value: 'd' }];
    const params = (contentType: string) => ({ method: 'POST', url: 'https://x.io', sendBody: true, contentType, bodyParameters: { parameters: fields }, sendQuery: true, queryParameters: { parameters: [{ name: 'hasOwnProperty', value: '1' }] }, sendHeaders: true, headerParameters: { parameters: [{ name: 'constructor', value: 'h' }] } });
    const multipart = run(4.2, params('multipart-form-data'));
    expect(multipart.errors).toEqual([]);
    expect(multipart.node('call')).toMatchObject({ bodyType: 'multipart', query: { hasOwnProperty: '1' }, headers: { constructor: 'h' } });
    expect(multipart.node('call').body).toEqual({ constructor: 'a', toString: ['b', 'c'], valueOf: 'd' });
    expect(run(4.3, params('form-urlencoded')).node('call').body).toEqual({ constructor: 'a', 'toString[0]': 'b', 'toString[1]': 'c', valueOf: 'd' });
    expect(run(4.2, { method: 'POST', url: 'https://x.io', sendBody: true, bodyParameters: { parameters: [{ name: 'constructor.name', value: 'x' }, { name: 'toString', value: 'y' }] } }).node('call').body).toEqual({ constructor: { name: 'x' }, toString: 'y' });
    const literal = run(4.2, { method: 'POST', url: 'https://x.io', sendBody: true, contentType: 'form-urlencoded', specifyBody: 'string', body: 'constructor=1&toString=2' });
    expect(literal.node('call').body).toEqual({ constructor: '1', toString: '2' });
    // __proto__: refused, naming the parameter, in every way a name is written (and nothing polluted)
    const refused = (params: Record<string, unknown>, parameter: string) => {
      const r = run(4.2, { method: 'POST', url: 'https://x.io', ...params });
      expect(r.errors, parameter).toMatchObject([{ code: 'http-parameter', node: 'Call', parameter, reason: expect.stringContaining('__proto__ cannot be a field, query or header name') }]);
    };
    const protoFields = [{ name: 'a', value: '1' }, { name: '__proto__', value: '2' }];
    refused({ sendBody: true, contentType: 'multipart-form-data', bodyParameters: { parameters: protoFields } }, 'bodyParameters.parameters[1].name');
    refused({ sendBody: true, contentType: 'form-urlencoded', bodyParameters: { parameters: protoFields } }, 'bodyParameters.parameters[1].name');
    refused({ sendBody: true, bodyParameters: { parameters: [{ name: 'a.__proto__.polluted', value: 'yes' }] } }, 'bodyParameters.parameters[0].name');
    refused({ sendQuery: true, queryParameters: { parameters: protoFields } }, 'queryParameters.parameters[1].name');
    refused({ sendHeaders: true, headerParameters: { parameters: protoFields } }, 'headerParameters.parameters[1].name');
    refused({ sendBody: true, contentType: 'form-urlencoded', specifyBody: 'string', body: 'a=1&__proto__=2' }, 'body');
    refused({ sendBody: true, contentType: 'form-urlencoded', specifyBody: 'string', body: '=a={{ $json.body.a }}&__proto__=2' }, 'body');
    refused({ sendBody: true, contentType: 'form-urlencoded', specifyBody: 'json', jsonBody: '{"a": 1, "__proto__": 2}' }, 'jsonBody');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('responses: full response, text, never error, continue on fail', () => {
    const r = run(4.2, { url: 'https://x.io', options: { response: { response: { fullResponse: true, neverError: true } } } }, { onError: 'continueRegularOutput' });
    expect(r.node('call')).toMatchObject({ failOnError: false });
    expect(r.issues.filter((i) => i.code === 'continue-on-fail')).toMatchObject([{ severity: 'warning', reason: expect.stringContaining('after a network error or timeout (an error edge') }]);
    // a network error or timeout goes on along the same output: an error edge beside the normal one
    expect(r.edges().filter((e) => e.from === 'call')).toEqual([{ from: 'call', to: 'r' }, { from: 'call', to: 'r', error: true }]);
    const text = run(4.2, { url: 'https://x.io', options: { response: { response: { responseFormat: 'text', outputPropertyName: 'html' } } } });
    expect(text.node('call').responseType).toBe('text');
  });

  it.each([
    ['bearer', { authentication: 'genericCredentialType', genericAuthType: 'httpBearerAuth' }, { httpBearerAuth: { name: 'Tok' } }, { secret: 'TOK', scheme: 'bearer' }],
    ['basic', { authentication: 'genericCredentialType', genericAuthType: 'httpBasicAuth' }, { httpBasicAuth: { name: 'Basic Creds' } }, { secret: 'BASIC_CREDS', scheme: 'header', header: 'Authorization' }],
    ['openAi', { authentication: 'predefinedCredentialType', nodeCredentialType: 'openAiApi' }, { openAiApi: { name: 'OpenAi account' } }, { secret: 'OPENAI_API_KEY', scheme: 'bearer' }],
    ['qdrant', { authentication: 'predefinedCredentialType', nodeCredentialType: 'qdrantApi' }, { qdrantApi: { name: 'Q' } }, { secret: 'Q', scheme: 'header', header: 'api-key' }],
    ['string credential', { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' }, { httpHeaderAuth: '1 weird name' }, { secret: 'N8N_1_WEIRD_NAME', scheme: 'header', header: 'Authorization' }],
    ['linear API key', { authentication: 'predefinedCredentialType', nodeCredentialType: 'linearApi' }, { linearApi: { name: 'Linear' } }, { secret: 'LINEAR', scheme: 'header', header: 'Authorization' }],
  ])('credentials: %s', (_, params, credentials, auth) => {
    expect(run(4.2, { url: 'https://x.io', ...params }, { credentials }).node('call').auth).toEqual(auth);
  });

  it.each([
    ['linearOAuth2Api', { secret: 'LINEAR_OAUTH', scheme: 'header', header: 'Authorization' }, /a Linear personal API key as it is, or "Bearer " \+ an OAuth access token/],
    ['githubOAuth2Api', { secret: 'LINEAR_OAUTH', scheme: 'bearer' }, /a GitHub personal access token/],
  ])('an OAuth2 credential of a service with long-lived tokens (%s): a fixed secret, with a warning that it is never refreshed', (type, auth, use) => {
    const r = run(4.2, { url: 'https://x.io', authentication: 'predefinedCredentialType', nodeCredentialType: type }, { credentials: { [type]: { id: '7', name: 'Linear OAuth' } } });
    expect(r.errors).toEqual([]);
    expect(r.node('call').auth).toEqual(auth);
    const warning = r.issues.find((i) => i.code === 'oauth2-token');
    expect(warning).toMatchObject({ severity: 'warning', node: 'Call' });
    expect(warning!.reason).toMatch(use);
    expect(warning!.reason).toContain('never refreshed');
  });

  it('an OAuth2 credential whose tokens expire (Google) stays refused, saying why', () => {
    const r = run(4.2, { url: 'https://x.io', authentication: 'predefinedCredentialType', nodeCredentialType: 'googleSheetsOAuth2Api' });
    expect(r.errors.find((e) => e.code === 'credential-type')!.reason).toMatch(/OAuth2 login whose tokens n8n refreshes; .* tokens expire \(OAuth2 types with long-lived tokens: linearOAuth2Api, /);
  });

  it.each([
    [{ url: 'https://x.io', method: 'HEAD' }, 'http-method'],
    [{ url: '' }, 'http-url'],
    [{ url: 'https://x.io', sendBody: true, contentType: 'raw', rawContentType: 'text/xml', body: '<a/>' }, 'http-content-type'],
    [{ url: 'https://x.io', sendBody: true, contentType: 'form-urlencoded', bodyParameters: { parameters: [{ name: 'a', value: '1' }] } }, 'http-content-type'],
    [{ url: 'https://x.io', method: 'POST', sendBody: true, contentType: 'form-urlencoded', specifyBody: 'string', body: '={{ $json.k }}=1' }, 'dynamic-parameter'],
    [{ url: 'https://x.io', method: 'POST', sendBody: true, contentType: 'form-urlencoded', specifyBody: 'string', body: '=a=%7B%7B&b={{ $json.x }}' }, 'http-content-type'],
    [{ url: 'https://x.io', method: 'POST', sendBody: true, contentType: 'form-urlencoded', specifyBody: 'json', jsonBody: '{"a": {"b": 1}}' }, 'http-content-type'],
    [{ url: 'https://x.io', method: 'POST', sendBody: true, contentType: 'form-urlencoded', sendHeaders: true, headerParameters: { parameters: [{ name: 'Content-Type', value: 'multipart/form-data' }] } }, 'http-content-type'],
    [{ url: 'https://x.io', sendBody: true, contentType: 'binaryData' }, 'binary'],
    [{ url: 'https://x.io', method: 'POST', sendBody: true, contentType: 'multipart-form-data', bodyParameters: { parameters: [{ name: 'model', value: 'm' }, { name: 'f', parameterType: 'formBinaryData', inputDataFieldName: 'data' }] } }, 'binary'],
    [{ url: 'https://x.io', sendBody: true, bodyParameters: { parameters: [{ name: 'f', parameterType: 'formBinaryData' }] } }, 'binary'],
    [{ url: 'https://x.io', options: { response: { response: { responseFormat: 'file' } } } }, 'binary'],
    [{ url: 'https://x.io', authentication: 'genericCredentialType', genericAuthType: 'oAuth2Api' }, 'credential-type'],
    [{ url: 'https://x.io', authentication: 'predefinedCredentialType', nodeCredentialType: 'googleSheetsOAuth2Api' }, 'credential-type'],
    [{ url: 'https://x.io', options: { pagination: { pagination: {} } } }, 'http-pagination'],
    [{ url: 'https://x.io', sendHeaders: true, headerParameters: { parameters: [{ name: 'Content-Type', value: 'text/xml' }] }, sendBody: true }, 'http-content-type'],
    [{ url: 'https://x.io', method: '={{ $json.m }}' }, 'dynamic-parameter'],
  ])('refuses %j', (params, code) => {
    expect(run(4.2, params).errors.map((e) => e.code)).toContain(code);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('credential type %j (an Object.prototype name) is not supported, not taken as known', (name) => {
    const r = run(4.2, { url: 'https://x.io', authentication: 'predefinedCredentialType', nodeCredentialType: name });
    expect(r.errors).toMatchObject([{ code: 'credential-type', node: 'Call', parameter: 'nodeCredentialType', reason: expect.stringContaining(`credential type "${name}" is not supported`) }]);
    expect(r.issues.filter((i) => i.code === 'oauth2-token')).toEqual([]);
    const legacy = run(1, { url: 'https://x.io', authentication: name });
    expect(legacy.errors.map((e) => e.code)).toEqual(['credential-type']);
  });

  it('an autodetected response that nothing reads is taken as text (n8n may download a file); one that is read is detected at run time (auto)', () => {
    const unread = runImport(webhookChain([node('Download', 'httpRequest', 4.2, { url: 'https://x.io/file.pdf' })], 'onReceived'));
    expect(unread.node('download').responseType).toBe('text');
    const read = runImport(webhookChain([node('Get', 'httpRequest', 4.2, { url: 'https://x.io/data' })], 'lastNode'));
    // n8n's item for a text answer is {data: text} (or the output property named in the options).
    expect(read.node('get')).toMatchObject({ responseType: 'auto', textKey: 'data' });
    expect(read.yaml(`workflows/${read.doc().name}.yaml`)).not.toContain('autodetect');
    const named = runImport(webhookChain([node('Get', 'httpRequest', 4.2, { url: 'https://x.io/data', options: { response: { response: { outputPropertyName: 'page' } } } })], 'lastNode'));
    expect(named.node('get')).toMatchObject({ responseType: 'auto', textKey: 'page' });
    // With the full response, the text is the body itself.
    const full = runImport(webhookChain([node('Get', 'httpRequest', 4.2, { url: 'https://x.io/data', options: { response: { response: { fullResponse: true } } } })], 'lastNode'));
    expect(full.node('get').responseType).toBe('auto');
    expect(full.node('get').textKey).toBeUndefined();
  });

  it('warns about URLs that are not absolute and rewrites URL prefixes on request', () => {
    expect(run(4.2, { url: 'example.com/x' }).issues.map((i) => i.code)).toContain('http-url');
    const r = runImport(webhookChain([node('Call', 'httpRequest', 4.2, { url: 'https://api.example.com/v1/x' })]), { urlRewrites: [['https://api.example.com', 'http://127.0.0.1:9']] });
    expect(r.node('call').url).toBe('http://127.0.0.1:9/v1/x');
  });
});

describe('Code', () => {
  it('JavaScript becomes a javascript node: the item, the nodes it reads, the mode and the code as written', () => {
    const config = node('Config', 'set', 3.4, { assignments: { assignments: [{ name: 'url', value: 'https://x.io' }] } });
    const code = "const u = $('Config').first().json.url;\nreturn items.map(i => ({ json: { u, env: $env.REGION } }));";
    const r = runImport(webhookChain([config, node('JS', 'code', 2, { jsCode: code, mode: 'runOnceForEachItem' }), respondFirst()]));
    expect(r.errors).toEqual([]);
    expect(r.node('js')).toMatchObject({ type: 'javascript', mode: 'eachItem', item: '{{ nodes.config }}', nodes: { Config: '{{ nodes.config }}' }, env: ['REGION'], code });
    expect(r.node('respond').body).toBe('{{ nodes.js }}');
    expect(r.result.report.files[0].status).toBe('clean');
  });

  it('a Set node that keeps the webhook item\'s fields, a field inside the body: refused', () => {
    const set = node('Set', 'set', 2, { values: { string: [{ name: 'domain', value: '={{ $json.body.email.split("@")[1] }}' }, { name: 'body.seen', value: 'yes' }, { name: 'meta.by', value: 'x' }] } });
    const r = runImport(webhookChain([set, node('JS', 'code', 2, { jsCode: 'return items;' }), respondFirst()]));
    // the webhook's body is only known at run time: a field set inside it cannot be laid over it here
    expect(r.errors.map((e) => [e.code, e.node])).toEqual([['set-include-other', 'JS']]);
  });

  it('a Set node that keeps the webhook item\'s fields: top-level and new nested fields over {headers, params, query, body}', () => {
    const set = node('Set', 'set', 2, { values: { string: [{ name: 'domain', value: '={{ $json.body.email.split("@")[1] }}' }, { name: 'meta.by', value: 'x' }] } });
    const r = runImport(webhookChain([set, node('JS', 'code', 2, { jsCode: 'return items;' }), respondFirst()]));
    expect(r.errors).toEqual([]);
    expect(r.node('js').item).toEqual({ headers: '{{ request.headers }}', params: {}, query: {}, body: '{{ input }}', domain: '{{ nodes.set.domain }}', meta: { by: '{{ nodes.set.meta.by }}' } });
    expect(Object.keys(r.node('js').item as object)).toEqual(['headers', 'params', 'query', 'body', 'domain', 'meta']);
  });

  it.each([
    ["const c = require('crypto-js'); return items;", 'code-module'],
    ['return this.helpers.httpRequest({ url: "x" });', 'code-this'],
    ['const d = $getWorkflowStaticData("global"); return items;', 'workflow-meta'],
    ['return $binary;', 'binary'],
    ["return $('Nowhere').all();", 'node-ref'],
    ['return items.map(', 'syntax'],
  ])('JavaScript the app cannot run is refused: %s', (jsCode, code) => {
    const r = runImport(webhookChain([node('JS', 'code', 2, { jsCode }), respondFirst()]));
    expect(r.errors).toMatchObject([{ code, node: 'JS', parameter: 'jsCode' }]);
  });

  it('Python runs in a shim with _input and _(), returning one item', () => {
    const code = "x = _input.first()['json']['n']\ncfg = _('Config').first().json.url\nreturn [{'json': {'double': x * 2, 'url': cfg}}]";
    const config = node('Config', 'set', 3.4, { assignments: { assignments: [{ name: 'url', value: 'https://x.io' }] } });
    const r = runImport(webhookChain([config, node('Py', 'code', 2, { language: 'python', pythonCode: code }), respondFirst()]));
    const py = r.node('py');
    expect(py.inputs).toEqual({ n8n_item: '{{ nodes.config }}', n8n_nodes: { Config: '{{ nodes.config }}' } });
    expect(py.outputs).toEqual(['json']);
    expect(String(py.code)).toContain("    x = _input.first()['json']['n']  # noqa");
    expect(r.node('respond').body).toBe('{{ nodes.py.json }}');
    const each = runImport(webhookChain([config, node('Py', 'code', 2, { language: 'python', mode: 'runOnceForEachItem', pythonCode: 'return {"a": _json.url}' }), respondFirst()]));
    expect(String(each.node('py').code)).toContain('_json = _input.item.json');
  });

  it('Python that does not compile is reported at its line and column in the n8n code (a stub), never left to break the app', () => {
    const r = runImport(webhookChain([node('Py', 'code', 2, { language: 'python', pythonCode: "a = 1\nif a:\n b = 2\n  c = 3\nreturn [{'json': {'b': b}}]" }), respondFirst()]));
    expect(r.errors).toMatchObject([{ code: 'code-syntax', node: 'Py', parameter: 'pythonCode', reason: expect.stringMatching(/^the Python code does not compile: IndentationError: unexpected indent \(line 4, column \d+ of the Python code\)$/) }]);
    expect(r.node('py')).toMatchObject({ type: 'code', code: expect.stringContaining('raise RuntimeError') });
    const syntax = runImport(webhookChain([node('Py', 'code', 2, { language: 'python', pythonCode: "a = 1\nb = a +* 2\nreturn [{'json': {'b': b}}]" }), respondFirst()]));
    expect(syntax.errors[0].reason).toMatch(/SyntaxError: invalid syntax \(line 2, column \d+ of the Python code\)/);
  });

  it.each([
    ['return _items', 'code-builtin'],
    ['  ', 'code-empty'],
  ])('refuses Python %j', (code, want) => {
    expect(runImport(webhookChain([node('Py', 'code', 2, { language: 'python', pythonCode: code })])).errors.map((e) => e.code)).toContain(want);
  });
});

describe('LLM nodes', () => {
  it('OpenAI message a model → llm', () => {
    const openai = node('Ask', 'openAi', 1.7, { modelId: { __rl: true, value: 'gpt-4o-mini', mode: 'list' }, messages: { values: [{ content: 'Be brief.', role: 'system' }, { content: '={{ $json.body.q }}' }] }, options: { temperature: 0.3, maxTokens: 100 } }, { credentials: { openAiApi: { id: 'x', name: 'OpenAi account' } } });
    const r = runImport(webhookChain([openai, node('R', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: '={{ $json.message.content }}' })]));
    expect(r.node('ask')).toEqual({ id: 'ask', type: 'llm', description: 'n8n: Ask (openAi v1.7)', model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '{{ input.q }}' }], apiKeySecret: 'OPENAI_API_KEY', temperature: 0.3, maxTokens: 100 });
    expect(r.node('r').body).toBe('{{ str(nodes.ask.text) }}');
    expect(r.yaml('project.yaml')).toContain('OPENAI_API_KEY: OpenAI API key');
  });

  it('OpenAI: messages as n8n sends them (any order and role, a missing content is n8n\'s default ""), JSON mode adds n8n\'s system message, no retries unless Retry On Fail', () => {
    const values = [{ role: 'system' }, { content: '=Q: {{ $json.body.q }}' }, { content: 'ok', role: 'assistant' }, { content: '={{ $json.body.more }}' }];
    const openai = node('Ask', 'openAi', 1.8, { modelId: 'gpt-4o', jsonOutput: true, messages: { values } }, { credentials: { openAiApi: { id: 'x', name: 'OpenAi account' } } });
    const r = runImport(webhookChain([openai, respondFirst()]));
    expect(r.errors).toEqual([]);
    expect(r.node('ask')).toMatchObject({
      json: true,
      messages: [{ role: 'system', content: 'You are a helpful assistant designed to output JSON.' }, { role: 'system', content: '' }, { role: 'user', content: 'Q: {{ input.q }}' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: '{{ input.more }}' }],
    });
    expect(r.node('ask').retries).toBeUndefined();
    expect(r.node('ask').baseUrl).toBeUndefined();
    const retried = runImport(webhookChain([{ ...openai, retryOnFail: true, maxTries: 2 }, respondFirst()]));
    expect(retried.node('ask').retries).toBe(1);
    const plain = runImport(webhookChain([node('Ask', 'openAi', 1.8, { modelId: 'gpt-4o', messages: { values: [{ content: 'hi' }] } }), respondFirst()]));
    expect(plain.node('ask').messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('--rewrite-url rewrites LLM base URLs: the default OpenAI one (from the credential) and the model\'s baseURL option', () => {
    const rewrites: [string, string][] = [['https://api.openai.com', 'http://127.0.0.1:9/openai'], ['https://llm.example.com', 'http://127.0.0.1:9/llm']];
    const openai = node('Ask', 'openAi', 1.8, { modelId: 'gpt-4o', messages: { values: [{ content: 'hi' }] } });
    expect(runImport(webhookChain([openai, respondFirst()]), { urlRewrites: rewrites }).node('ask').baseUrl).toBe('http://127.0.0.1:9/openai/v1');
    const chain = node('Chain', 'chainLlm', 1.5, { promptType: 'define', text: 'x' });
    const model = node('Model', 'lmChatOpenAi', 1.2, { model: 'gpt-4o', options: { baseURL: 'https://llm.example.com/v1' } });
    const w = workflow([node('Webhook', 'webhook', 2, { path: 'x', httpMethod: 'POST', responseMode: 'lastNode' }), chain, model], [['Webhook', 'Chain'], ['Model', 'Chain', 0, 0, 'ai_languageModel']]);
    expect(runImport(w, { urlRewrites: rewrites }).node('chain').baseUrl).toBe('http://127.0.0.1:9/llm/v1');
    expect(runImport(w).node('chain').baseUrl).toBe('https://llm.example.com/v1');
  });

  it('Basic LLM chain with an OpenAI chat model sub-node → llm', () => {
    const chain = node('Chain', 'chainLlm', 1.5, { promptType: 'define', text: '=Translate: {{ $json.body.t }}', messages: { messageValues: [{ message: 'You translate.' }] } });
    const model = node('Model', 'lmChatOpenAi', 1.2, { model: { __rl: true, value: 'gpt-4o' }, options: { temperature: 0 } }, { credentials: { openAiApi: { id: 'y', name: 'Other' } } });
    const w = workflow([node('Webhook', 'webhook', 2, { path: 'x', httpMethod: 'POST', responseMode: 'lastNode' }), chain, model], [['Webhook', 'Chain'], ['Model', 'Chain', 0, 0, 'ai_languageModel']]);
    const r = runImport(w);
    // LangChain's OpenAI chat model retries twice by default (maxRetries ?? 2 in n8n's node).
    expect(r.node('chain')).toMatchObject({ type: 'llm', model: 'gpt-4o', system: 'You translate.', prompt: 'Translate: {{ input.t }}', apiKeySecret: 'OPENAI_API_KEY', temperature: 0, retries: 2 });
    const two = runImport(workflow([node('Webhook', 'webhook', 2, { path: 'x', httpMethod: 'POST', responseMode: 'lastNode' }), { ...chain, parameters: { ...chain.parameters, messages: { messageValues: [{ message: 'A.' }, { message: 'B.' }] } } }, { ...model, parameters: { ...model.parameters, options: { maxRetries: 0 } } }], [['Webhook', 'Chain'], ['Model', 'Chain', 0, 0, 'ai_languageModel']]));
    expect(two.node('chain')).toMatchObject({ messages: [{ role: 'system', content: 'A.' }, { role: 'system', content: 'B.' }, { role: 'user', content: 'Translate: {{ input.t }}' }], retries: 0 });
    expect(two.node('chain').system).toBeUndefined();
    expect(r.node('respond_chain').body).toEqual({ text: '{{ nodes.chain.text }}' });
    const auto = runImport(workflow([node('Trigger', 'executeWorkflowTrigger', 1, {}), { ...chain, parameters: {} }, model], [['Trigger', 'Chain'], ['Model', 'Chain', 0, 0, 'ai_languageModel']]));
    expect(auto.node('chain').prompt).toBe('{{ input.chatInput }}');
  });

  it.each([
    [node('Img', 'openAi', 1.7, { resource: 'image', prompt: 'x' }), 'openai-resource'],
    [node('NoMessages', 'openAi', 1.7, { modelId: 'gpt', messages: { values: [] } }), 'llm-messages'],
    [node('Tool', 'openAi', 1.7, { modelId: 'gpt', messages: { values: [{ content: 'a', role: 'tool' }] } }), 'llm-messages'],
    [node('NoModel', 'chainLlm', 1.5, { promptType: 'define', text: 'x' }), 'llm-model'],
    [node('Parser', 'chainLlm', 1.5, { hasOutputParser: true }), 'llm-output-parser'],
  ])('refuses %#', (n, code) => {
    expect(runImport(webhookChain([n])).errors.map((e) => e.code)).toContain(code);
  });
});

describe('other nodes', () => {
  it('NoOp and disabled nodes pass the item through', () => {
    const r = runImport(webhookChain([node('Nothing', 'noOp', 1), node('Off', 'httpRequest', 4.2, { url: 'https://x.io' }, { disabled: true }), node('R', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: '={{ $json.body.a }}' })]));
    expect(r.nodes().map((n) => n.id)).toEqual(['r']);
    expect(r.issues.map((i) => i.code)).toContain('disabled');
  });

  it('unknown node types are refused per node', () => {
    const r = runImport(webhookChain([node('Sheet', 'googleSheets', 4, {}), respondFirst()]));
    expect(r.errors).toMatchObject([{ code: 'node-type', node: 'Sheet', reason: expect.stringContaining('n8n-nodes-base.googleSheets') }]);
  });

  it('manual and schedule triggers become internal workflows, with a note in the report', () => {
    const manual = runImport(workflow([node('Start', 'manualTrigger', 1), node('Set', 'set', 3.4, { assignments: { assignments: [{ name: 'a', value: '={{ $json.x }}' }] } })], [['Start', 'Set']]));
    expect(manual.doc()).toMatchObject({ visibility: 'internal' });
    expect(manual.doc().trigger).toBeUndefined();
    expect(manual.node('set').set).toEqual({ a: null });
    expect(manual.issues.map((i) => i.code)).toContain('manual-trigger');
    const schedule = runImport(workflow([node('Every day', 'scheduleTrigger', 1.2, { rule: { interval: [{ field: 'hours' }] } }), node('Set', 'set', 3.4, { assignments: { assignments: [{ name: 't', value: '={{ $json.timestamp }}' }] } })], [['Every day', 'Set']]));
    expect(schedule.node('set').set).toEqual({ t: '{{ now() }}' });
    expect(schedule.doc()).toMatchObject({ visibility: 'internal', trigger: { type: 'schedule', cron: '0 * * * *' } });
    expect(schedule.issues.find((i) => i.code === 'schedule-timezone')?.reason).toMatch(/imported in UTC.*set trigger.timezone/);
  });

  it('a workflow without a trigger is refused; unconnected nodes and sticky notes are reported', () => {
    const r = runImport(workflow([node('Set', 'set', 3.4, {})], []));
    expect(r.result.report.files[0]).toMatchObject({ status: 'refused', workflows: [] });
    expect(r.errors.map((e) => e.code)).toEqual(['no-trigger']);
    expect(r.result.writable).toBe(false);
    const w = webhookChain([respondText()]);
    (w.nodes as unknown[]).push(node('Lonely', 'set', 3.4, {}), node('Note', 'stickyNote', 1, { content: 'hi' }));
    const r2 = runImport(w);
    expect(r2.issues.map((i) => i.code).sort()).toEqual(['sticky-notes', 'unreachable']);
  });
});

describe('expressions that only JavaScript can express', () => {
  it('run in a javascript node placed before the node that uses them, which reads its fields', () => {
    const set = node('Pick', 'set', 3.4, { assignments: { assignments: [{ name: 'digits', value: '={{ $json.body.text.match(/\\d+/)[0] }}' }, { name: 'when', value: "={{ $now.toFormat('yyyy') }}" }, { name: 'n', value: '={{ $json.body.n }}' }] } });
    const r = runImport(webhookChain([set, respondFirst()]));
    expect(r.errors).toEqual([]);
    expect(r.node('pick_js')).toMatchObject({ type: 'javascript', mode: 'eachItem', item: { headers: {}, params: {}, query: {}, body: '{{ input }}' } });
    expect(String(r.node('pick_js').code)).toBe("return {\n  e0: ($json.body.text.match(/\\d+/)[0]),\n  e1: ($now.toFormat('yyyy')),\n};\n");
    expect(r.node('pick')).toMatchObject({ set: { digits: '{{ nodes.pick_js.e0 == null ? null : str(nodes.pick_js.e0) }}', when: '{{ nodes.pick_js.e1 == null ? null : str(nodes.pick_js.e1) }}', n: '{{ input.n == null ? null : str(input.n) }}' } });
    expect(r.edges()).toEqual(expect.arrayContaining([{ from: 'pick_js', to: 'pick' }]));
  });
  it('a JSON body whose expressions write JSON entries: the text in JavaScript, then JSON.parse (as n8n); $ifEmpty defined as n8n defines it', () => {
    const jsonBody = '={\n{{ $ifEmpty($json.body.k, "") }}\n  "url": "{{ $json.body.url }}"\n}';
    const r = runImport(webhookChain([node('Create', 'httpRequest', 4.1, { method: 'POST', url: 'https://x.io', sendBody: true, specifyBody: 'json', jsonBody }), respondFirst()]));
    expect(r.errors).toEqual([]);
    expect(r.node('create').body).toBe('{{ nodes.create_js.e0 }}');
    const code = String(r.node('create_js').code);
    expect(code.split('\n')[0]).toMatch(/^const \$ifEmpty = \(value, defaultValue\) => /);
    expect(code).toContain('e0: (JSON.parse("{\\n" + [($ifEmpty($json.body.k, "")\n)].join(\'\') + "\\n  \\"url\\": \\"" + [($json.body.url\n)].join(\'\') + "\\"\\n}")),');
    // a Code node is not given n8n's expression helpers (n8n does not give them either)
    const code2 = runImport(webhookChain([node('JS', 'code', 2, { jsCode: 'return [{ json: { a: $ifEmpty(1, 2) } }];' }), respondFirst()]));
    expect(code2.errors.map((e) => e.code)).toEqual(['unknown-variable']);
  });

  it('are still reference-checked: a node that does not run before is refused', () => {
    const set = node('Pick', 'set', 3.4, { assignments: { assignments: [{ name: 'x', value: "={{ $('Later').item.json.a.match(/x/) }}" }] } });
    const r = runImport(webhookChain([set, respondFirst()]));
    expect(r.errors).toMatchObject([{ code: 'node-ref', node: 'Pick' }]);
  });
});
