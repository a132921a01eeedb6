import { afterAll, describe, expect, it } from 'vitest';
import { dominators, findCycle, reachableFrom, topoSort } from '../../src/definitions/graph.ts';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, expectValid, graph, loadFiles, PROJECT, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

const proj = (name: string, extra = '') => `catalyst: 1\nname: ${name}\n${extra}`;
const wf = (name: string, body: string) => `catalyst: 1\nname: ${name}\n${body}`;
const PUBLIC = (path: string, method = 'POST') => `visibility: public\nauth: none\ntrigger: { type: webhook, method: ${method}, path: ${path} }\n`;
const RESPOND = 'nodes: [{ id: r, type: respond }]\n';
const CALL = (target: string) => `nodes:\n  - { id: c, type: workflowCall, workflow: ${target} }\n  - { id: r, type: respond }\n`;

describe('cross-file rules (load.ts)', () => {
  it('workflow names are unique in a project', () => {
    const ds = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/a.yaml': wf('a', RESPOND), 'pp/workflows/a.yml': wf('a', RESPOND) }).diagnostics;
    expectDiag(ds, /workflow "a" is defined twice \(also in projects\/pp\/workflows\/a.yaml\)/, { file: 'projects/pp/workflows/a.yml', path: 'name', fix: 'workflow names are unique in a project' });
  });

  it('routes are unique in a project (method + path)', () => {
    const ds = loadFiles({
      'pp/project.yaml': PROJECT,
      'pp/workflows/a.yaml': wf('a', PUBLIC('/x') + RESPOND),
      'pp/workflows/b.yaml': wf('b', PUBLIC('/x') + RESPOND),
      'pp/workflows/c.yaml': wf('c', PUBLIC('/x', 'PUT') + RESPOND),
    }).diagnostics;
    expect(ds).toHaveLength(1);
    expectDiag(ds, /route POST \/x is already taken by workflow "a"/, { file: 'projects/pp/workflows/b.yaml', path: 'trigger.path', line: 5, col: 47 });
  });

  it('the same route in two projects is fine', () => {
    expectValid(loadFiles({ 'aa/project.yaml': proj('aa'), 'aa/workflows/a.yaml': wf('a', PUBLIC('/x') + RESPOND), 'bb/project.yaml': proj('bb'), 'bb/workflows/a.yaml': wf('a', PUBLIC('/x') + RESPOND) }));
  });

  it('call target exists: project, then workflow (did-you-mean)', () => {
    const files = { 'aa/project.yaml': proj('aa'), 'bb/project.yaml': proj('bb'), 'bb/workflows/lookup.yaml': wf('lookup', PUBLIC('/lookup') + RESPOND) };
    expectDiag(loadFiles({ ...files, 'aa/workflows/a.yaml': wf('a', CALL('b/lookup')) }).diagnostics, /no project "b"/, { path: 'nodes[0].workflow', line: 4, col: 44, fix: 'did you mean "bb/lookup"?' });
    expectDiag(loadFiles({ ...files, 'aa/workflows/a.yaml': wf('a', CALL('zzzzzz/lookup')) }).diagnostics, /no project "zzzzzz"/, { fix: 'projects: aa, bb' });
    expectDiag(loadFiles({ ...files, 'aa/workflows/a.yaml': wf('a', CALL('bb/lookp')) }).diagnostics, /project "bb" has no workflow "lookp"/, { fix: 'did you mean "bb/lookup"?' });
    expectDiag(loadFiles({ ...files, 'aa/workflows/a.yaml': wf('a', CALL('aa-helper')), 'aa/workflows/helper.yaml': wf('helper', RESPOND) }).diagnostics, /project "aa" has no workflow "aa-helper"/, { fix: 'did you mean "helper"?' });
  });

  it('same-project calls are written without the project', () => {
    const ds = loadFiles({ 'aa/project.yaml': proj('aa'), 'aa/workflows/a.yaml': wf('a', CALL('aa/b')), 'aa/workflows/b.yaml': wf('b', RESPOND) }).diagnostics;
    expectDiag(ds, /"aa\/b" is in this project/, { fix: 'write workflow: b (same-project calls are in-process)' });
  });

  it('a cross-project target must be public', () => {
    const ds = loadFiles({ 'aa/project.yaml': proj('aa'), 'aa/workflows/a.yaml': wf('a', CALL('bb/hidden')), 'bb/project.yaml': proj('bb'), 'bb/workflows/hidden.yaml': wf('hidden', RESPOND) }).diagnostics;
    expectDiag(ds, /"bb\/hidden" is internal to project "bb"; other projects can call only public workflows/, { fix: 'make it public (catalyst workflow visibility bb/hidden public), or call a public workflow' });
  });

  it('a call into a project with errors says so', () => {
    const ds = loadFiles({ 'aa/project.yaml': proj('aa'), 'aa/workflows/a.yaml': wf('a', CALL('bb/x')), 'bb/project.yaml': proj('bb', 'bogus: 1\n') }).diagnostics;
    expectDiag(ds, /project "bb" has errors of its own; fix them first/, { file: 'projects/aa/workflows/a.yaml' });
  });

  it('in-process call cycles', () => {
    const ds = loadFiles({ 'aa/project.yaml': proj('aa'), 'aa/workflows/a.yaml': wf('a', CALL('b')), 'aa/workflows/b.yaml': wf('b', CALL('c')), 'aa/workflows/c.yaml': wf('c', CALL('a')) }).diagnostics;
    expectDiag(ds, /workflows call each other in a cycle: a → b → c → a/, { file: 'projects/aa/workflows/c.yaml', path: 'nodes[0].workflow', fix: 'in-process calls must not recurse; break the cycle' });
  });

  it('project call cycles (over HTTP)', () => {
    const ds = loadFiles({
      'aa/project.yaml': proj('aa'),
      'aa/workflows/a.yaml': wf('a', PUBLIC('/a') + CALL('bb/b')),
      'bb/project.yaml': proj('bb'),
      'bb/workflows/b.yaml': wf('b', PUBLIC('/b') + CALL('aa/a')),
    }).diagnostics;
    expectDiag(ds, /projects call each other in a cycle: aa → bb → aa/, { file: 'projects/bb/workflows/b.yaml', fix: 'stacks deploy callees first, so cross-project calls must not form a cycle' });
  });

  it('the call graph of the examples: in-process vs HTTP', () => {
    const r = loadFiles({ 'aa/project.yaml': proj('aa'), 'aa/workflows/a.yaml': wf('a', `${PUBLIC('/a')}nodes:\n  - { id: x, type: workflowCall, workflow: b }\n  - { id: y, type: workflowCall, workflow: bb/b }\n  - { id: r, type: respond }\n`), 'aa/workflows/b.yaml': wf('b', RESPOND), 'bb/project.yaml': proj('bb'), 'bb/workflows/b.yaml': wf('b', PUBLIC('/b') + RESPOND) });
    expectValid(r);
    const a = r.workspace!.projects[0].workflows[0];
    expect(a.calls).toEqual([
      { node: 'x', project: 'aa', workflow: 'b', inProcess: true },
      { node: 'y', project: 'bb', workflow: 'b', inProcess: false },
    ]);
  });
});

describe('visibility and triggers (workflow.ts)', () => {
  it('a public workflow needs a webhook trigger', () => {
    expectDiag(wfDiags(`visibility: public\n${RESPOND}`), /public workflow "w" needs a webhook trigger/, { path: 'name', fix: 'add trigger: {type: webhook, method: POST, path: /w}' });
    expectDiag(wfDiags(`visibility: public\ntrigger: { type: call }\n${RESPOND}`), /needs a webhook trigger/, { path: 'trigger.type' });
  });
  it('visibility defaults to the project\'s defaults.visibility', () => {
    expectDiag(wfDiags(RESPOND, `${PROJECT}defaults: { visibility: public }\n`), /public workflow "w" needs a webhook trigger/);
    const r = loadFiles({ 'pp/project.yaml': `${PROJECT}defaults: { visibility: public, timeoutMs: 5000, auth: none }\n`, 'pp/workflows/w.yaml': wf('w', `trigger: { type: webhook, path: /w }\n${RESPOND}`) });
    expectValid(r);
    expect(r.workspace!.projects[0].workflows[0]).toMatchObject({ visibility: 'public', trigger: { type: 'webhook', method: 'POST', path: '/w' }, timeoutMs: 5000, auth: { type: 'none' } });
  });
  it('an internal workflow has no webhook', () => {
    expectDiag(wfDiags(`visibility: internal\ntrigger: { type: webhook, path: /w }\n${RESPOND}`), /internal workflow "w" has a webhook trigger, but internal workflows get no route/, { path: 'trigger', line: 4, col: 10 });
    expectValid(loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': wf('w', `trigger: { type: call }\n${RESPOND}`) }));
  });
  it('reserved paths and route syntax', () => {
    expectDiag(wfDiags(PUBLIC('/health') + RESPOND), /\/health is served by every Catalyst app itself/, { fix: 'choose another path, e.g. /w' });
    expectDiag(wfDiags(PUBLIC('no-slash') + RESPOND), /a route path like \/orders\/lookup/);
  });
});

describe('secrets and expressions (workflow.ts)', () => {
  it('expressions cannot read secrets; env settings must exist; input fields must be declared', () => {
    const ds = wfDiags(graph(['{ id: a, type: log, message: "{{ env.API_KEY }} {{ env.BASE_UR }} {{ input.nme }}" }', '{ id: r, type: respond }']).replace('nodes:', 'input: { type: object, properties: { name: { type: string } } }\nnodes:'));
    expectDiag(ds, /"API_KEY" is a secret; expressions cannot read secrets/, { path: 'nodes[0].message' });
    expectDiag(ds, /reads env.BASE_UR, which project "pp" does not set/, { fix: 'did you mean env.BASE_URL?' });
    expectDiag(ds, /reads input.nme, which the input schema does not declare/, { fix: 'did you mean input.name?' });
  });
  it('additionalProperties: true allows any input field', () => {
    expectValid(loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': wf('w', 'input: { type: object, additionalProperties: true }\nnodes: [{ id: r, type: respond, body: "{{ input.anything }}" }]\n') }));
  });
  it('expression syntax errors are positioned inside the string', () => {
    const ds = wfDiags('nodes:\n  - id: a\n    type: respond\n    body: "x {{ input.a + }} y"\n');
    expectDiag(ds, /^expression: syntax error: Expected expression after \+/, { line: 6, col: 27, path: 'nodes[0].body' });
    const ds2 = wfDiags('nodes:\n  - id: a\n    type: log\n    message: x {{ lowr(input.a) }}\n');
    expectDiag(ds2, /expression: unknown function "lowr"/, { line: 6, col: 18, fix: 'did you mean lower()?' });
  });
  it('a node reads only nodes that exist, not itself', () => {
    const ds = wfDiags(graph(['{ id: a, type: transform, set: { x: "{{ nodes.a.x }}" } }', '{ id: b, type: respond, body: "{{ nodes.ab.x }}" }']));
    expectDiag(ds, /a node cannot read its own output/, { path: 'nodes[0].set.x' });
    expectDiag(ds, /reads node "ab", which does not exist/, { path: 'nodes[1].body', fix: 'did you mean nodes.a?' });
  });
  it('a node reads only nodes that run before it on every path', () => {
    const nodes = ['{ id: c, type: condition, if: true }', '{ id: yes, type: transform, set: { v: 1 } }', '{ id: no, type: transform, set: { v: 2 } }', '{ id: m, type: merge }', '{ id: r, type: respond, body: "{{ nodes.yes.v }}" }'];
    const edges = ['{ from: c, to: yes, branch: "true" }', '{ from: c, to: no, branch: "false" }', '{ from: yes, to: m }', '{ from: no, to: m }', '{ from: m, to: r }'];
    expectDiag(wfDiags(graph(nodes, edges)), /reads node "yes", which does not run before "r" on every path/, { path: 'nodes[4].body', line: 8, col: 35 });
    // Reading the merge (which dominates r) or the condition is fine.
    expectValid(loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': wf('w', graph([...nodes.slice(0, 4), '{ id: r, type: respond, body: "{{ nodes.m }} {{ nodes.c }}" }'], edges)) }));
  });
});

describe('graph rules (workflow.ts)', () => {
  it('edges name existing nodes (did-you-mean), no self-loops, no duplicates', () => {
    const ds = wfDiags(graph(['{ id: fetch, type: log, message: x }', '{ id: r, type: respond }'], ['{ from: fetch, to: rr }', '{ from: fetch, to: fetch }', '{ from: fetch, to: r }', '{ from: fetch, to: r }']));
    expectDiag(ds, /no node "rr" in this workflow/, { path: 'edges[0].to', fix: 'did you mean "r"?' });
    expectDiag(ds, /node "fetch" has an edge to itself/, { path: 'edges[1]' });
    expectDiag(ds, /duplicate edge \(same as edges\[2\]\)/, { path: 'edges[3]' });
  });
  it('a DAG: cycles are reported with their path', () => {
    const ds = wfDiags(graph(['{ id: a, type: log, message: x }', '{ id: b, type: log, message: x }', '{ id: c, type: log, message: x }', '{ id: r, type: respond }'], ['{ from: a, to: b }', '{ from: b, to: c }', '{ from: c, to: b }', '{ from: c, to: r }']));
    expectDiag(ds, /edges form a cycle: b → c → b/, { path: 'edges[2]', fix: 'workflows are DAGs; remove one edge of the cycle' });
  });
  it('one entry node; every node reachable', () => {
    const ds = wfDiags(graph(['{ id: a, type: log, message: x }', '{ id: b, type: log, message: x }', '{ id: r, type: respond }'], ['{ from: a, to: r }', '{ from: b, to: r }']));
    expectDiag(ds, /node "b" has no incoming edge, but "a" is already the entry node/, { path: 'nodes[1].id', line: 5, col: 11 });
  });
  it('unreachable nodes: downstream of a second entry', () => {
    const ds = wfDiags(graph(['{ id: a, type: log, message: x }', '{ id: r, type: respond }', '{ id: b, type: log, message: x }', '{ id: x, type: respond }'], ['{ from: a, to: r }', '{ from: b, to: x }']));
    expectDiag(ds, /node "b" has no incoming edge/, { path: 'nodes[2].id' });
    expectDiag(ds, /node "x" is unreachable from the entry node "a"/, { path: 'nodes[3].id', fix: 'add an edge that leads to "x"' });
  });
  it('branch labels: required from branching nodes, refused elsewhere, checked against the cases', () => {
    const nodes = ['{ id: c, type: condition, if: true }', '{ id: s, type: switch, value: 1, cases: [{ branch: one, equals: 1 }] }', '{ id: a, type: respond }', '{ id: b, type: respond }', '{ id: l, type: log, message: x }', '{ id: e, type: respond }'];
    const ds = wfDiags(graph(nodes, ['{ from: c, to: s }', '{ from: c, to: l, branch: "flase" }', '{ from: s, to: a, branch: onee }', '{ from: s, to: b, branch: default }', '{ from: l, to: e, branch: "true" }']));
    expectDiag(ds, /an edge from condition "c" needs a branch/, { path: 'edges[0]', fix: 'add branch: one of true, false' });
    expectDiag(ds, /"c" has no branch "flase"/, { path: 'edges[1].branch', fix: 'did you mean "false"?' });
    expectDiag(ds, /"s" has no branch "onee"/, { fix: 'did you mean "one"?' });
    expectDiag(ds, /a log node does not branch/, { path: 'edges[4].branch', fix: 'remove branch' });
  });
  it('error edges (error: true): valid from any node that can fail, with no branch, kept in the model', () => {
    const nodes = ['{ id: h, type: httpRequest, url: "https://api.example.com/x" }', '{ id: ok, type: respond }', '{ id: bad, type: respond, status: 502, body: "{{ nodes.h.message }}" }'];
    const r = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': wf('w', graph(nodes, ['{ from: h, to: ok }', '{ from: h, to: bad, error: true }'])) });
    expectValid(r);
    expect(r.workspace!.projects[0].workflows[0].edges).toEqual([{ from: 'h', to: 'ok' }, { from: 'h', to: 'bad', error: true }]);
  });
  it('error edges: no branch, not from a call that continues on error, not false; duplicates counted with the flag', () => {
    const nodes = ['{ id: c, type: condition, if: true }', '{ id: k, type: workflowCall, workflow: other, onError: continue }', '{ id: a, type: respond }', '{ id: b, type: respond }', '{ id: e, type: respond }', '{ id: f, type: respond }'];
    const ds = wfDiags(graph(nodes, ['{ from: c, to: k, branch: "true" }', '{ from: c, to: a, branch: "false", error: true }', '{ from: k, to: b }', '{ from: k, to: e, error: true }', '{ from: k, to: f }']), PROJECT, { 'pp/workflows/other.yaml': wf('other', 'nodes: [{ id: r, type: respond }]\n') });
    expectDiag(ds, /an error edge \(error: true\) is taken when the node fails, whatever its branch/, { path: 'edges[1].branch', fix: 'remove branch, or remove error: true' });
    expectDiag(ds, /"k" has onError: continue, so it never fails and this error edge is never taken/, { path: 'edges[3].error' });
    expectDiag(wfDiags(graph(['{ id: l, type: log, message: x }', '{ id: r, type: respond }'], ['{ from: l, to: r, error: false }'])), /false is not allowed here/, { path: 'edges[0].error', fix: 'one of: true' });
    const dup = wfDiags(graph(['{ id: l, type: log, message: x }', '{ id: r, type: respond }'], ['{ from: l, to: r }', '{ from: l, to: r, error: true }']));
    expect(dup.map((d) => d.message)).toEqual([]);
  });
  it('implicit edges follow the file order', () => {
    const r = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': wf('w', graph(['{ id: a, type: log, message: x }', '{ id: b, type: delay, ms: 1 }', '{ id: r, type: respond }'])) });
    expectValid(r);
    const w = r.workspace!.projects[0].workflows[0];
    expect(w.implicitEdges).toBe(true);
    expect(w.edges).toEqual([{ from: 'a', to: 'b' }, { from: 'b', to: 'r' }]);
    expect(w.nodes.map((n) => [n.id, n.inputs])).toEqual([['a', []], ['b', ['a']], ['r', ['b']]]);
  });
});

describe('graph algorithms (graph.ts)', () => {
  const E = (...pairs: string[]) => pairs.map((p) => ({ from: p[0], to: p[1] }));
  it('topoSort: ties keep the given order; cycles are left out', () => {
    expect(topoSort(['a', 'b', 'c', 'd'], E('ad', 'bd', 'cd'))).toEqual({ order: ['a', 'b', 'c', 'd'], cyclic: [] });
    expect(topoSort(['d', 'c', 'b', 'a'], E('ab', 'bc'))).toEqual({ order: ['d', 'a', 'b', 'c'], cyclic: [] });
    expect(topoSort(['a', 'b', 'c'], E('ab', 'ba', 'bc'))).toEqual({ order: [], cyclic: ['a', 'b', 'c'] });
    expect(topoSort(['a'], E('ax', 'xa'))).toEqual({ order: ['a'], cyclic: [] });
  });
  it('findCycle returns the cycle closed on itself', () => {
    expect(findCycle(['a', 'b', 'c'], E('ab', 'bc'))).toBeUndefined();
    expect(findCycle(['a', 'b', 'c'], E('ab', 'bc', 'cb'))).toEqual(['b', 'c', 'b']);
    expect(findCycle(['a'], E('aa'))).toEqual(['a', 'a']);
  });
  it('reachableFrom and dominators', () => {
    expect([...reachableFrom('a', E('ab', 'bc', 'xd'))].sort()).toEqual(['a', 'b', 'c']);
    const dom = dominators(['a', 'b', 'c', 'd'], E('ab', 'ac', 'bd', 'cd'));
    expect([...dom.get('d')!].sort()).toEqual(['a', 'd']);
    expect([...dom.get('b')!].sort()).toEqual(['a', 'b']);
  });
});
