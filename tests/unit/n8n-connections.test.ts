import { describe, expect, it } from 'vitest';
import { node, runImport, workflow, type Link } from '../fixtures/n8n/builder.ts';

const hook = (mode = 'lastNode') => node('Webhook', 'webhook', 2, { path: 'x', httpMethod: 'POST', responseMode: mode });
const set = (name: string, field: string, value: unknown) => node(name, 'set', 3.4, { assignments: { assignments: [{ name: field, type: 'string', value }] } });
const ifNode = (name = 'If') => node(name, 'if', 2, { conditions: { conditions: [{ leftValue: '={{ $json.body.ok }}', rightValue: '', operator: { type: 'boolean', operation: 'true' } }] } });

describe('connections', () => {
  it('IF: both outputs, and an unconnected false output answers as n8n does (lastNode: no item → 500)', () => {
    const r = runImport(workflow([hook(), ifNode(), set('A', 'a', '1')], [['Webhook', 'If'], ['If', 'A', 0]]));
    expect(r.edges()).toEqual([
      { from: 'if', to: 'a', branch: 'true' },
      { from: 'if', to: 'respond_if', branch: 'false' },
      { from: 'a', to: 'respond_a' },
    ]);
    expect(r.node('respond_if')).toMatchObject({ status: 500, body: { message: 'No item to return was found' } });
    expect(r.node('respond_a')).toMatchObject({ status: 200, body: '{{ nodes.a }}' });
    // respond nodes come last, so every other node on the path runs first
    expect(r.nodes().map((n) => n.type)).toEqual(['condition', 'transform', 'respond', 'respond']);
  });

  it('a node reached from two branches is copied into each, so $json is the item that arrived', () => {
    const join = set('Join', 'v', '={{ $json.a }}');
    const r = runImport(workflow([hook(), ifNode(), set('A', 'a', 'yes'), set('B', 'a', 'no'), join], [['Webhook', 'If'], ['If', 'A', 0], ['If', 'B', 1], ['A', 'Join'], ['B', 'Join']]));
    expect(r.node('join').set).toEqual({ v: '{{ nodes.a.a == null ? null : str(nodes.a.a) }}' });
    expect(r.node('join_2').set).toEqual({ v: '{{ nodes.b.a == null ? null : str(nodes.b.a) }}' });
    expect(r.edges()).toContainEqual({ from: 'a', to: 'join' });
    expect(r.edges()).toContainEqual({ from: 'b', to: 'join_2' });
    expect(r.errors).toEqual([]);
  });

  it('$() of a node on only one branch is refused with the reason', () => {
    const join = set('Join', 'v', "={{ $('A').item.json.a }}");
    const r = runImport(workflow([hook(), ifNode(), set('A', 'a', 'yes'), join], [['Webhook', 'If'], ['If', 'A', 0], ['If', 'Join', 1], ['A', 'Join']]));
    expect(r.errors).toMatchObject([{ code: 'node-ref', node: 'Join', reason: expect.stringContaining('node "A" does not run before "Join"') }]);
  });

  it('Merge (append) joins branches like any node; combine by position merges the two items', () => {
    const merge = node('Merge', 'merge', 3, {});
    const after = set('After', 'v', '={{ $json.a }}');
    const r = runImport(workflow([hook(), ifNode(), set('A', 'a', 'x'), set('B', 'a', 'y'), merge, after], [['Webhook', 'If'], ['If', 'A', 0], ['If', 'B', 1], ['A', 'Merge', 0, 0], ['B', 'Merge', 0, 1], ['Merge', 'After']]));
    expect(r.nodes().filter((n) => n.type === 'transform').map((n) => n.id)).toEqual(['a', 'b', 'after', 'after_2']);
    const combine = node('Merge', 'merge', 3, { mode: 'combine', combineBy: 'combineByPosition' });
    const c = runImport(workflow([hook(), set('A', 'a', 'x'), set('B', 'b', 'y'), combine], [['Webhook', 'A'], ['Webhook', 'B'], ['A', 'Merge', 0, 1], ['B', 'Merge', 0, 0]]));
    expect(c.node('merge')).toMatchObject({ type: 'merge', mode: 'object' });
    // inputs in input order: B (input 0) then A (input 1)
    expect(c.edges().filter((e) => e.to === 'merge')).toEqual([{ from: 'b', to: 'merge' }, { from: 'a', to: 'merge' }]);
    // the trigger fans out to two nodes: a start node gives the workflow one entry
    expect(c.nodes()[0]).toMatchObject({ id: 'start', type: 'transform', set: {} });
    expect(c.node('respond_merge').body).toBe('{{ nodes.merge }}');
    const v2 = runImport(workflow([hook(), set('A', 'a', 'x'), set('B', 'b', 'y'), node('Merge', 'merge', 2, { mode: 'combine', combinationMode: 'mergeByPosition' })], [['Webhook', 'A'], ['Webhook', 'B'], ['A', 'Merge', 0, 0], ['B', 'Merge', 0, 1]]));
    expect(v2.node('merge').mode).toBe('object');
  });

  it.each([
    [{ mode: 'combine' }, 'merge-mode'],
    [{ mode: 'combine', combineBy: 'combineAll' }, 'merge-mode'],
    [{ mode: 'chooseBranch' }, 'merge-mode'],
  ])('Merge %j is refused', (params, code) => {
    const r = runImport(workflow([hook(), set('A', 'a', 'x'), set('B', 'b', 'y'), node('Merge', 'merge', 3, params)], [['Webhook', 'A'], ['Webhook', 'B'], ['A', 'Merge', 0, 0], ['B', 'Merge', 0, 1]]));
    expect(r.errors.map((e) => e.code)).toContain(code);
  });

  it('combine by position needs whole node outputs', () => {
    const http = node('H', 'httpRequest', 4.2, { url: 'https://x.io' });
    const r = runImport(workflow([hook(), http, set('B', 'b', 'y'), node('Merge', 'merge', 3, { mode: 'combine', combineBy: 'combineByPosition' })], [['Webhook', 'H'], ['Webhook', 'B'], ['H', 'Merge', 0, 0], ['B', 'Merge', 0, 1]]));
    expect(r.errors.map((e) => e.code)).toContain('merge-input');
  });

  it('Switch outputs, fallback and unmatched items', () => {
    const sw = node('Switch', 'switch', 3.2, {
      rules: { values: [{ conditions: { conditions: [{ leftValue: '={{ $json.body.k }}', rightValue: 'a', operator: { type: 'string', operation: 'equals' } }] } }, { conditions: { conditions: [{ leftValue: '={{ $json.body.k }}', rightValue: 'b', operator: { type: 'string', operation: 'equals' } }] } }] },
    });
    const r = runImport(workflow([hook('onReceived'), sw, set('A', 'a', '1')], [['Webhook', 'Switch'], ['Switch', 'A', 1]]));
    expect(r.edges()).toEqual([
      { from: 'switch', to: 'a', branch: 'output_1' },
      { from: 'switch', to: 'respond_switch', branch: 'output_0' },
      { from: 'switch', to: 'respond_switch_2', branch: 'default' },
      { from: 'a', to: 'respond_a' },
    ]);
    expect(r.nodes().filter((n) => n.type === 'respond').every((n) => (n.body as { message: string }).message === 'Workflow was started')).toBe(true);
  });

  it('refuses loops', () => {
    const r = runImport(workflow([hook(), set('A', 'a', '1'), ifNode('Again')], [['Webhook', 'A'], ['A', 'Again'], ['Again', 'A', 0]]));
    expect(r.result.report.files[0].status).toBe('refused');
    expect(r.errors[0]).toMatchObject({ code: 'loop', reason: expect.stringContaining('cycle') });
  });

  it('one workflow per trigger; names are unique and deterministic', () => {
    const w = workflow([node('Hook', 'webhook', 2, { path: 'go', httpMethod: 'POST' }), node('Manual', 'manualTrigger', 1), set('Shared', 'a', '1')], [['Hook', 'Shared'], ['Manual', 'Shared']], { name: 'Two Ways' });
    const r = runImport([w, { ...w, id: 'other', nodes: (w.nodes as { name: string }[]).filter((n) => n.name !== 'Hook') }]);
    expect(r.result.conversion.workflows.map((x) => x.info.name)).toEqual(['two-ways-hook', 'two-ways-manual', 'two-ways']);
    expect(r.doc('two-ways-hook')).toMatchObject({ visibility: 'public' });
    expect(r.doc('two-ways-manual')).toMatchObject({ visibility: 'internal' });
  });

  it('the same route twice is refused for the second workflow', () => {
    const a = workflow([node('Hook', 'webhook', 2, { path: 'same', httpMethod: 'POST' })], [], { id: 'a', name: 'A' });
    const b = workflow([node('Hook', 'webhook', 2, { path: 'same', httpMethod: 'POST' })], [], { id: 'b', name: 'B' });
    const r = runImport([a, b]);
    expect(r.result.report.files.map((f) => f.status)).toEqual(['clean', 'refused']);
    expect(r.errors[0]).toMatchObject({ code: 'route-taken' });
  });
});

describe('On Error settings (error edges)', () => {
  const fetch = (onError: string) => node('Fetch', 'httpRequest', 4.2, { url: 'https://api.example.com/x' }, { onError });
  it('continueErrorOutput: the error output becomes an error edge; $json.error is the message', () => {
    const r = runImport(workflow([hook(), fetch('continueErrorOutput'), set('Ok', 'v', '={{ $json.id }}'), set('Oops', 'why', '={{ $json.error }}')], [['Webhook', 'Fetch'], ['Fetch', 'Ok', 0], ['Fetch', 'Oops', 1]]));
    expect(r.errors).toEqual([]);
    expect(r.edges()).toEqual([
      { from: 'fetch', to: 'ok' },
      { from: 'fetch', to: 'oops', error: true },
      { from: 'ok', to: 'respond_ok' },
      { from: 'oops', to: 'respond_oops' },
    ]);
    expect(r.node('oops').set).toEqual({ why: '{{ nodes.fetch.message == null ? null : str(nodes.fetch.message) }}' });
    expect(r.node('fetch')).not.toHaveProperty('failOnError');
    expect(r.result.report.files[0].status).toBe('clean');
  });

  it('continueErrorOutput with nothing on the error output: n8n answers with the error item (lastNode)', () => {
    const r = runImport(workflow([hook(), fetch('continueErrorOutput'), set('Ok', 'v', 'fine')], [['Webhook', 'Fetch'], ['Fetch', 'Ok', 0]]));
    expect(r.edges()).toContainEqual({ from: 'fetch', to: 'respond_fetch', error: true });
    expect(r.node('respond_fetch')).toMatchObject({ status: 200, body: { error: '{{ nodes.fetch.message }}' } });
  });

  it('continueRegularOutput (and continueOnFail) on a node that has no setting of its own: the failure continues along the output', () => {
    const code = node('Code', 'code', 2, { jsCode: 'return { json: { n: 1 } };' }, { continueOnFail: true });
    const r = runImport(workflow([hook(), code, set('Next', 'v', 'x')], [['Webhook', 'Code'], ['Code', 'Next']]));
    expect(r.edges()).toContainEqual({ from: 'code', to: 'next' });
    expect(r.edges()).toContainEqual({ from: 'code', to: 'next', error: true });
    expect(r.issues).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'continue-on-fail', node: 'Code' }));
    expect(r.errors).toEqual([]);
  });

  it('an error output on IF, or on a node imported as several nodes, is an error naming the setting', () => {
    const r = runImport(workflow([hook(), { ...ifNode(), onError: 'continueErrorOutput' }, set('A', 'a', '1'), set('E', 'e', '1')], [['Webhook', 'If'], ['If', 'A', 0], ['If', 'E', 2]]));
    expect(r.errors).toMatchObject([{ code: 'error-output', node: 'If', parameter: 'onError', reason: expect.stringContaining('branching node') }]);
  });
});

describe('Execute Workflow between imported files', () => {
  const callee = (trigger: ReturnType<typeof node>) =>
    workflow([trigger, set('Greet', 'greeting', '=Hello {{ $json.name }} from {{ $json.city }}')], [[trigger.name, 'Greet']], { id: 'sub-1', name: 'Greeter' });

  it('resolves by id and passes the fields the called workflow reads (v1: the whole item)', () => {
    const caller = workflow([hook(), set('Who', 'name', '={{ $json.body.who }}'), node('Call', 'executeWorkflow', 1, { workflowId: 'sub-1' })], [['Webhook', 'Who'], ['Who', 'Call']] as Link[], { id: 'main', name: 'Main' });
    const r = runImport([caller, callee(node('Start', 'executeWorkflowTrigger', 1))]);
    expect(r.node('call', 'main')).toMatchObject({ type: 'workflowCall', workflow: 'greeter', input: { city: '{{ null }}', name: '{{ nodes.who.name }}' } });
    expect(r.node('respond_call', 'main').body).toBe('{{ nodes.call }}');
    expect(r.doc('greeter')).toMatchObject({ visibility: 'internal' });
    expect(r.node('respond_greet', 'greeter').body).toBe('{{ nodes.greet }}');
    expect(r.errors).toEqual([]);
  });

  it('resolves by cached name; v1.2 input mappings and v1.1 declared inputs', () => {
    const call = node('Call', 'executeWorkflow', 1.2, { workflowId: { __rl: true, mode: 'list', value: 'unknown-id', cachedResultName: 'Greeter' }, workflowInputs: { mappingMode: 'defineBelow', value: { name: '={{ $json.body.n }}', city: 'Paris' } } });
    const r = runImport([workflow([hook(), call], [['Webhook', 'Call']], { id: 'main', name: 'Main' }), callee(node('Start', 'executeWorkflowTrigger', 1.1, { workflowInputs: { values: [{ name: 'name', type: 'string' }, { name: 'city' }, { name: 'bad name', type: 'string' }] } }))]);
    expect(r.node('call', 'main').input).toEqual({ name: '{{ input.n }}', city: 'Paris' });
    expect(r.doc('greeter').input).toEqual({ type: 'object', additionalProperties: true, properties: { name: { type: 'string' } } });
  });

  it('$workflow.id calls the Execute Workflow Trigger of the same export', () => {
    const w = workflow(
      [node('Manual', 'manualTrigger', 1), node('Call', 'executeWorkflow', 1.2, { workflowId: { __rl: true, mode: 'id', value: '={{$workflow.id}}' }, workflowInputs: { value: { level: 'error' }, mappingMode: 'defineBelow' } }), node('Sub', 'executeWorkflowTrigger', 1.1, { inputSource: 'jsonExample', jsonExample: '{"level": "x", "n": 1, "list": [], "o": {}}' }), set('Log', 'msg', '={{ $json.level }}')],
      [['Manual', 'Call'], ['Sub', 'Log']],
      { name: 'Logger' },
    );
    const r = runImport(w);
    expect(r.node('call', 'logger-manual')).toMatchObject({ workflow: 'logger-sub', input: { level: 'error' } });
    expect(r.doc('logger-sub').input).toMatchObject({ properties: { level: { type: 'string' }, n: { type: 'number' }, list: { type: 'array' }, o: { type: 'object' } } });
  });

  it('an unknown target is an error with the fix', () => {
    const r = runImport(workflow([hook(), node('Call', 'executeWorkflow', 1, { workflowId: 'nope' })], [['Webhook', 'Call']]));
    expect(r.errors).toMatchObject([{ code: 'call-target', reason: expect.stringContaining('import the called workflow') }]);
  });

  it('a called workflow can return its whole input', () => {
    const sub = workflow([node('Start', 'executeWorkflowTrigger', 1), node('Echo', 'respondToWebhook', 1.1, {})], [['Start', 'Echo']], { id: 'sub', name: 'Echo' });
    const caller = workflow([hook(), node('Call', 'executeWorkflow', 1, { workflowId: 'sub' })], [['Webhook', 'Call']], { id: 'main', name: 'Main' });
    const r = runImport([caller, sub]);
    expect(r.errors).toEqual([]);
    expect(r.nodes('echo').find((n) => n.type === 'respond')).toMatchObject({ body: '{{ input }}' });
  });
});

describe('validation of the result', () => {
  it('a translation the definitions loader rejects becomes a stub with the loader\'s reason', () => {
    const call = node('Call', 'httpRequest', 4.2, { url: 'https://api.openai.com/v1/models', authentication: 'predefinedCredentialType', nodeCredentialType: 'openAiApi' }, { credentials: { openAiApi: { id: '1', name: 'OpenAI' } } });
    const leak = set('Leak', 'key', '={{ $env.OPENAI_API_KEY }}');
    const r = runImport(workflow([hook(), call, leak], [['Webhook', 'Call'], ['Call', 'Leak']]));
    expect(r.errors).toMatchObject([{ code: 'validation', node: 'Leak', reason: expect.stringContaining('is a secret; expressions cannot read secrets') }]);
    expect(r.node('leak')).toMatchObject({ type: 'code' });
    expect(r.result.report.files[0].status).toBe('partial');
  });
});
