import { afterAll, describe, expect, it } from 'vitest';
import { NODE_TYPES } from '../../src/definitions/schema.ts';
import { branchesOf, EXPRESSION_FIELDS } from '../../src/definitions/model.ts';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, expectValid, graph, loadFiles, PROJECT, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

/** A workflow whose first node is `node`, followed by a respond node (explicit edges when needed). */
const one = (node: string, extra = '') => wfDiags(`${extra}${graph([node, '{ id: done, type: respond }'])}`);
const ok = (body: string, files: Record<string, string> = {}) => {
  const r = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': `catalyst: 1\nname: w\n${body}`, ...files });
  expectValid(r);
  return r.workspace!.projects[0].workflows.find((w) => w.name === 'w')!;
};

describe('every node type: a minimal valid node builds', () => {
  const minimal: Record<string, string> = {
    httpRequest: '{ id: n, type: httpRequest, url: "https://x/{{ input.id }}" }',
    llm: '{ id: n, type: llm, model: m, prompt: hi, apiKeySecret: API_KEY }',
    transform: '{ id: n, type: transform, set: { a: 1 } }',
    code: '{ id: n, type: code, code: "return {}" }',
    javascript: '{ id: n, type: javascript, code: "return {}" }',
    workflowCall: '{ id: n, type: workflowCall, workflow: other }',
    respond: '{ id: n, type: respond }',
    log: '{ id: n, type: log, message: hello }',
    delay: '{ id: n, type: delay, ms: 10 }',
    merge: '{ id: n, type: merge }',
  };
  it('covers every type in the schema', () => {
    expect([...Object.keys(minimal), 'condition', 'switch'].sort()).toEqual([...NODE_TYPES].sort());
    expect(Object.keys(EXPRESSION_FIELDS).sort()).toEqual([...NODE_TYPES].sort());
  });
  for (const [type, node] of Object.entries(minimal)) {
    it(type, () => {
      const wf = ok(`input: { type: object, properties: { id: { type: string } } }\n${graph(type === 'respond' ? [node] : [node, '{ id: done, type: respond }'])}`, {
        'pp/workflows/other.yaml': 'catalyst: 1\nname: other\nnodes: [{ id: r, type: respond }]\n',
      });
      expect(wf.nodes[0]).toMatchObject({ id: 'n', type });
    });
  }
  it('condition and switch (explicit edges with branches)', () => {
    const wf = ok(
      graph(
        ['{ id: c, type: condition, if: true }', '{ id: s, type: switch, value: 1, cases: [{ branch: one, equals: 1 }, { branch: big, when: "{{ input.n > 1 }}" }] }', '{ id: a, type: respond }', '{ id: b, type: respond }', '{ id: d, type: respond }', '{ id: e, type: respond }'],
        ['{ from: c, to: s, branch: "true" }', '{ from: c, to: a, branch: "false" }', '{ from: s, to: b, branch: one }', '{ from: s, to: d, branch: big }', '{ from: s, to: e, branch: default }'],
      ).replace('nodes:', 'input: { type: object, properties: { n: { type: number } } }\nnodes:'),
    );
    expect(branchesOf(wf.nodes.find((n) => n.id === 's')!.def)).toEqual(['one', 'big', 'default']);
    expect(branchesOf(wf.nodes.find((n) => n.id === 'c')!.def)).toEqual(['true', 'false']);
  });
  it('applies defaults', () => {
    const wf = ok(graph(['{ id: n, type: httpRequest, url: "https://x" }', '{ id: l, type: llm, model: m, prompt: p, apiKeySecret: API_KEY }', '{ id: done, type: respond }']));
    expect(wf.nodes[0].def).toMatchObject({ method: 'GET', headers: {}, query: {}, retries: 0, responseType: 'json', failOnError: true });
    expect(wf.nodes[1].def).toMatchObject({ baseUrl: 'https://api.openai.com/v1', json: false, retries: 0 });
    expect(wf.nodes[2].def).toMatchObject({ status: 200, headers: {} });
    expect(wf.secrets).toEqual(['API_KEY']);
  });
});

describe('httpRequest parameters', () => {
  it('url is required; method is an HTTP method', () => {
    expectDiag(one('{ id: n, type: httpRequest }'), /missing required field "url"/, { path: 'nodes[0].url' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, method: FETCH }'), /the string "FETCH" is not allowed here/, { path: 'nodes[0].method' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, method: PSOT }'), /not allowed/, { fix: 'did you mean "POST"?' });
  });
  it('retries 0..10, timeoutMs 1..3600000, responseType json|text', () => {
    expectDiag(one('{ id: n, type: httpRequest, url: x, retries: 11 }'), /Too big/i, { path: 'nodes[0].retries' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, retries: -1 }'), /Too small/i, { path: 'nodes[0].retries' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, timeoutMs: 0 }'), /Too small/i, { path: 'nodes[0].timeoutMs' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, timeoutMs: 1.5 }'), /expected int/i, { path: 'nodes[0].timeoutMs' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, responseType: xml }'), /not allowed/, { path: 'nodes[0].responseType' });
  });
  it('textKey only with responseType auto', () => {
    expectDiag(one('{ id: n, type: httpRequest, url: x, textKey: data }'), /textKey is used only with responseType: auto/, { path: 'nodes[0].textKey', fix: 'set responseType: auto, or remove textKey' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, responseType: text, textKey: data }'), /textKey is used only with responseType: auto/);
    expectDiag(one('{ id: n, type: httpRequest, url: x, responseType: auto, textKey: "" }'), /Too small/i, { path: 'nodes[0].textKey' });
    expect(one('{ id: n, type: httpRequest, url: "https://x", responseType: auto, textKey: data }')).toEqual([]);
  });
  it('bodyType form | multipart: a flat map of text fields (lists repeat a field), not on GET, no Content-Type header', () => {
    const post = (rest: string, extra = '') => one(`{ id: n, type: httpRequest, url: "https://x", method: POST, ${rest} }`, extra);
    expect(post('bodyType: form, body: { a: "{{ input.id }}", n: 1, ok: true, none: null, tags: [x, 2] }', 'input: { type: object, properties: { id: { type: string } } }\n')).toEqual([]);
    expect(post('bodyType: multipart, body: { a: b }')).toEqual([]);
    expectDiag(one('{ id: n, type: httpRequest, url: x, bodyType: xml, body: {} }'), /not allowed/, { path: 'nodes[0].bodyType' });
    expectDiag(post('bodyType: form'), /bodyType: form needs a body/, { path: 'nodes[0].bodyType', fix: 'add body: {field: "{{ input.value }}"}, or remove bodyType' });
    expectDiag(post('bodyType: form, body: "a=1"'), /a form body is a map of field names to values/, { path: 'nodes[0].body', line: 4 });
    expectDiag(post('bodyType: multipart, body: [a]'), /a multipart body is a map/, { path: 'nodes[0].body' });
    expectDiag(post('bodyType: form, body: { user: { name: x } }'), /form field "user" is an object/, { path: 'nodes[0].body.user', fix: 'flatten it into fields (e.g. "user[name]": …), or use bodyType: json' });
    expectDiag(post('bodyType: multipart, body: { photo: { file: "{{ input.id }}" } }'), /form field "photo" looks like a file; Catalyst sends text fields only/, { path: 'nodes[0].body.photo' });
    expectDiag(post('bodyType: form, body: { tags: [a, [b]] }'), /the items of form field "tags" are texts/, { path: 'nodes[0].body.tags[1]' });
    expectDiag(one('{ id: n, type: httpRequest, url: "https://x", bodyType: form, body: { a: b } }'), /a GET request carries no body, so it cannot send a form body/, { path: 'nodes[0].method' });
    expectDiag(post('bodyType: form, headers: { content-type: text/plain }, body: { a: b }'), /sets the Content-Type header itself/, { path: 'nodes[0].headers.content-type', fix: 'remove the Content-Type header' });
    // bodyType text: one text, with the node's own Content-Type header
    expect(post('bodyType: text, headers: { Content-Type: text/xml }, body: "<a>{{ input.id }}</a>"', 'input: { type: object, properties: { id: { type: string } } }\n')).toEqual([]);
    expectDiag(post('bodyType: text, body: { a: 1 }'), /a text body is a text/, { path: 'nodes[0].body' });
    expectDiag(post('bodyType: text'), /bodyType: text needs a body/, { fix: 'add body: "…", or remove bodyType' });
    expectDiag(one('{ id: n, type: httpRequest, url: "https://x", bodyType: text, body: hi }'), /cannot send a text body/, { path: 'nodes[0].method' });
    // a JSON body on GET stays as it was
    expect(one('{ id: n, type: httpRequest, url: "https://x", body: { a: b } }')).toEqual([]);
  });
  it('auth: secret name format, declared secret, scheme header needs a header', () => {
    expectDiag(one('{ id: n, type: httpRequest, url: x, auth: { secret: token } }'), /UPPER_SNAKE_CASE/, { path: 'nodes[0].auth.secret' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, auth: { secret: TOKN } }'), /secret "TOKN" is not declared by project "pp"/, { path: 'nodes[0].auth.secret', fix: 'did you mean "TOKEN"?' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, auth: { secret: TOKEN, scheme: header } }'), /scheme: header needs the header name/, { path: 'nodes[0].auth' });
    expectDiag(one('{ id: n, type: httpRequest, url: x, auth: { secret: TOKEN, scheme: basic } }'), /not allowed/, { path: 'nodes[0].auth.scheme' });
  });
  it('headers are text', () => {
    expectDiag(one('{ id: n, type: httpRequest, url: x, headers: { X-A: [1] } }'), /expected string/, { path: 'nodes[0].headers.X-A' });
  });
});

describe('llm parameters', () => {
  it('model, apiKeySecret and a prompt (or messages) are required', () => {
    const ds = one('{ id: n, type: llm }');
    expectDiag(ds, /missing required field "model"/);
    expectDiag(ds, /missing required field "apiKeySecret"/);
    expectDiag(one('{ id: n, type: llm, model: m, apiKeySecret: API_KEY }'), /either `prompt` \(with an optional `system`\) or `messages`/, { path: 'nodes[0].prompt' });
  });
  it('messages instead of system and prompt: roles checked, content optional, not both forms', () => {
    const wf = ok('input: { type: object, properties: { q: { type: string } } }\n' + graph(['{ id: n, type: llm, model: m, apiKeySecret: API_KEY, messages: [{ role: system, content: "Be brief." }, { role: user, content: "{{ input.q }}" }, { role: assistant }] }', '{ id: done, type: respond }']));
    expect(wf.nodes[0].def).toMatchObject({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '{{ input.q }}' }, { role: 'assistant' }] });
    expectDiag(one('{ id: n, type: llm, model: m, apiKeySecret: API_KEY, messages: [{ role: tool, content: x }] }'), /the string "tool" is not allowed here/, { path: 'nodes[0].messages[0].role', fix: 'one of: "system", "user", "assistant"' });
    expectDiag(one('{ id: n, type: llm, model: m, apiKeySecret: API_KEY, prompt: p, messages: [{ role: user, content: x }] }'), /either `prompt`/, { path: 'nodes[0].messages' });
    expectDiag(one('{ id: n, type: llm, model: m, apiKeySecret: API_KEY, system: s, messages: [{ role: user, content: x }] }'), /`system` goes with `prompt`/, { path: 'nodes[0].system' });
    expectDiag(one('{ id: n, type: llm, model: m, apiKeySecret: API_KEY, messages: [{ role: user, content: "{{ nodes.nope.x }}" }] }'), /reads node "nope", which does not exist/, { path: 'nodes[0].messages[0].content' });
  });
  it('temperature 0..2, maxTokens ≥ 1, model non-empty', () => {
    expectDiag(one('{ id: n, type: llm, model: m, prompt: p, apiKeySecret: API_KEY, temperature: 3 }'), /Too big/i, { path: 'nodes[0].temperature' });
    expectDiag(one('{ id: n, type: llm, model: m, prompt: p, apiKeySecret: API_KEY, maxTokens: 0 }'), /Too small/i, { path: 'nodes[0].maxTokens' });
    expectDiag(one('{ id: n, type: llm, model: "", prompt: p, apiKeySecret: API_KEY }'), /Too small/i, { path: 'nodes[0].model' });
  });
  it('the API key must be a declared secret', () => {
    expectDiag(one('{ id: n, type: llm, model: m, prompt: p, apiKeySecret: OPENAI_KEY }'), /secret "OPENAI_KEY" is not declared by project "pp"/, {
      path: 'nodes[0].apiKeySecret',
      fix: 'declare it in project.yaml under secrets: OPENAI_KEY: <what it is for>',
    });
  });
});

describe('transform, condition, code', () => {
  it('transform needs set, a mapping', () => {
    expectDiag(one('{ id: n, type: transform }'), /missing required field "set"/);
    expectDiag(one('{ id: n, type: transform, set: [1] }'), /expected record, got a list/, { path: 'nodes[0].set' });
  });
  it('condition: if is an expression string or a boolean; it needs explicit edges', () => {
    expectDiag(one('{ id: n, type: condition, if: 1 }'), /number 1 matches none of the allowed forms/);
    expectDiag(one('{ id: n, type: condition, if: true }'), /a condition node branches, so the workflow needs explicit edges/, { path: 'nodes[0].type', fix: 'add edges: [{from: n, to: <node>, branch: true}, …]' });
  });
  it('code: python only, lower-case inputs, unique outputs, non-empty code', () => {
    expectDiag(one('{ id: n, type: code, language: javascript, code: x }'), /the string "javascript" is not allowed here/, { path: 'nodes[0].language' });
    expectDiag(one('{ id: n, type: code, code: x, inputs: { Name: 1 } }'), /input names are Python identifiers/);
    expectDiag(one('{ id: n, type: code, code: x, outputs: [a, b, a] }'), /output "a" is listed twice/, { path: 'nodes[0].outputs' });
    expectDiag(one('{ id: n, type: code, code: "" }'), /Too small/i, { path: 'nodes[0].code' });
    expectDiag(one('{ id: n, type: code, code: x, outputs: [1a] }'), /Invalid string/i, { path: 'nodes[0].outputs[0]' });
  });
});

describe('switch cases', () => {
  const sw = (cases: string, value = 'value: 1, ') =>
    wfDiags(graph([`{ id: s, type: switch, ${value}cases: ${cases} }`, '{ id: r, type: respond }'], ['{ from: s, to: r, branch: default }']));
  it('at least one case', () => {
    expectDiag(sw('[]'), /Too small/i, { path: 'nodes[0].cases' });
  });
  it('unique branches, not "default", names of letters/digits/-/_', () => {
    expectDiag(sw('[{ branch: a, equals: 1 }, { branch: a, equals: 2 }]'), /duplicate branch "a"/, { path: 'nodes[0].cases[1].branch' });
    expectDiag(sw('[{ branch: default, equals: 1 }]'), /"default" is the branch taken when no case matches/, { path: 'nodes[0].cases[0].branch' });
    expectDiag(sw('[{ branch: "a b", equals: 1 }]'), /branch names are letters, digits, - and _/);
  });
  it('exactly one of equals or when; equals needs value', () => {
    expectDiag(sw('[{ branch: a, equals: 1, when: true }]'), /a case has exactly one of `equals`/, { path: 'nodes[0].cases[0]' });
    expectDiag(sw('[{ branch: a }]'), /a case has exactly one of `equals`/);
    expectDiag(sw('[{ branch: a, equals: 1 }]', ''), /`equals` needs the switch's `value`/, { path: 'nodes[0].cases[0].equals' });
  });
  it('unknown case fields', () => {
    expectDiag(sw('[{ branch: a, equal: 1 }]'), /unknown field "equal"/, { fix: 'did you mean "equals"?' });
  });
});

describe('workflowCall, respond, log, delay, merge', () => {
  it('workflowCall: target syntax, onError, fallback only with onError continue', () => {
    expectDiag(one('{ id: n, type: workflowCall, workflow: Billing/X }'), /a workflow name, or project\/workflow/, { path: 'nodes[0].workflow' });
    expectDiag(one('{ id: n, type: workflowCall, workflow: w2, onError: ignore }'), /not allowed/, { path: 'nodes[0].onError' });
    const ds = wfDiags(graph(['{ id: n, type: workflowCall, workflow: w2, fallback: { a: 1 } }', '{ id: done, type: respond }']), PROJECT, {
      'pp/workflows/w2.yaml': 'catalyst: 1\nname: w2\nnodes: [{ id: r, type: respond }]\n',
    });
    expectDiag(ds, /fallback is used only with onError: continue/, { path: 'nodes[0].fallback', fix: 'set onError: continue, or remove fallback' });
  });
  it('workflowCall: the input mapping must fit the callee\'s input schema', () => {
    const callee = 'catalyst: 1\nname: w2\ninput: { type: object, properties: { customerId: { type: string }, n: { type: number, default: 1 } }, required: [customerId, n] }\nnodes: [{ id: r, type: respond }]\n';
    const ds = wfDiags(graph(['{ id: n, type: workflowCall, workflow: w2, input: { customerID: x } }', '{ id: done, type: respond }']), PROJECT, { 'pp/workflows/w2.yaml': callee });
    expectDiag(ds, /"w2" requires input field "customerId"/, { path: 'nodes[0].input' });
    expectDiag(ds, /"w2" has no input field "customerID"/, { path: 'nodes[0].input.customerID', fix: 'did you mean "customerId"?' });
    // n has a default, so it need not be given.
    expect(ds.filter((d) => /requires input field "n"/.test(d.message))).toEqual([]);
  });
  it('respond: status 200..599; nothing may follow it', () => {
    expectDiag(one('{ id: n, type: respond, status: 101 }'), /a response status is 200–599/, { path: 'nodes[0].status' });
    expectDiag(one('{ id: n, type: respond, status: 600 }'), /Too big/i, { path: 'nodes[0].status' });
    expectDiag(one('{ id: n, type: respond, status: "200" }'), /expected number, got the string "200"/);
    expectDiag(one('{ id: n, type: respond }'), /"n" is a respond node; it ends the run, so the nodes after it would never run/, { path: 'nodes[0].type' });
    expectDiag(wfDiags(graph(['{ id: n, type: respond }', '{ id: m, type: respond }'], ['{ from: n, to: m }'])), /"n" is a respond node; it ends the run, so nothing can follow it/, { path: 'edges[0]' });
  });
  it('log: level and message', () => {
    expectDiag(one('{ id: n, type: log }'), /missing required field "message"/);
    expectDiag(one('{ id: n, type: log, message: m, level: fatal }'), /not allowed/, { path: 'nodes[0].level', fix: 'one of: "debug", "info", "warning", "error"' });
  });
  it('delay: ms is an integer 0..600000', () => {
    expectDiag(one('{ id: n, type: delay }'), /missing required field "ms"/);
    expectDiag(one('{ id: n, type: delay, ms: -1 }'), /Too small/i);
    expectDiag(one('{ id: n, type: delay, ms: 600001 }'), /Too big/i);
    expectDiag(one('{ id: n, type: delay, ms: 1.5 }'), /expected int/i);
  });
  it('merge: mode append|object', () => {
    expectDiag(one('{ id: n, type: merge, mode: zip }'), /not allowed/, { path: 'nodes[0].mode' });
  });
  it('node ids: format and uniqueness', () => {
    expectDiag(one('{ id: a-b, type: log, message: x }'), /node ids are letters, digits and _/, { path: 'nodes[0].id' });
    expectDiag(wfDiags(graph(['{ id: a, type: log, message: x }', '{ id: a, type: respond }'])), /duplicate node id "a" \(also nodes\[0\]\)/, { path: 'nodes[1].id' });
  });
});

describe('the input schema', () => {
  it('is an object with declared field names', () => {
    expectDiag(wfDiags('input: { type: array }\nnodes: [{ id: r, type: respond }]\n'), /the string "array" is not allowed here/, { path: 'input.type', fix: 'one of: "object"' });
    expectDiag(wfDiags('input: { type: object, properties: { "a-b": { type: string } } }\nnodes: [{ id: r, type: respond }]\n'), /field names are letters, digits and _/);
    expectDiag(wfDiags('input: { type: object, properties: { a: { type: date } } }\nnodes: [{ id: r, type: respond }]\n'), /not allowed/, { path: 'input.properties.a.type' });
    expectDiag(wfDiags('input: { type: object, properties: { a: { type: string, format: phone } } }\nnodes: [{ id: r, type: respond }]\n'), /not allowed/, { path: 'input.properties.a.format' });
  });
  it('required fields must be declared (own properties only)', () => {
    expectDiag(wfDiags('input: { type: object, required: [missing] }\nnodes: [{ id: r, type: respond }]\n'), /required field "missing" is not in input.properties/, { path: 'input.required' });
    // Names that exist on every JavaScript object are not "declared".
    expectDiag(wfDiags('input: { type: object, required: [constructor] }\nnodes: [{ id: r, type: respond }]\n'), /required field "constructor" is not in input.properties/);
  });
  it('GET and DELETE take only scalar fields (the query string)', () => {
    const body = 'visibility: public\ntrigger: { type: webhook, method: GET, path: /w }\ninput: { type: object, properties: { q: { type: string }, tags: { type: array, items: { type: string } } } }\nnodes: [{ id: r, type: respond }]\n';
    expectDiag(wfDiags(body), /GET requests carry their input in the query string/, { path: 'input.properties.tags.type' });
  });
});
