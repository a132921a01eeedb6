/**
 * Which cross-project calls carry a peer key (src/definitions/peer-auth.ts): a public workflow that
 * another project calls and whose auth is not `none` accepts its project's key; its callers send it.
 * And the generated apps say so (AuthSpec peer_key, PEER_KEYS, the required variables).
 */
import { describe, expect, it } from 'vitest';
import { generateApp } from '../../src/codegen/index.ts';
import { keyedPeers, peerKeyedWorkflows } from '../../src/definitions/peer-auth.ts';
import { loadFiles } from '../helpers/definitions.ts';

const wf = (name: string, auth: string, calls: string[] = []) =>
  `catalyst: 1\nname: ${name}\nvisibility: public\nauth: ${auth}\ntrigger: { type: webhook, method: POST, path: /${name} }\nnodes:\n${
    calls.map((c, i) => `  - id: c${i}\n    type: workflowCall\n    workflow: ${c}\n    input: {}\n`).join('') || '  - id: out\n    type: respond\n    body: { ok: true }\n'
  }`;

const FILES = {
  'ledger/project.yaml': 'catalyst: 1\nname: ledger\nsecrets:\n  T: token\n',
  'ledger/workflows/balance.yaml': wf('balance', '{ type: bearer, secrets: [T] }'),
  'ledger/workflows/hook.yaml': wf('hook', '{ type: apiKey, secrets: [T] }'),
  'ledger/workflows/open.yaml': wf('open', 'none'),
  'desk/project.yaml': 'catalyst: 1\nname: desk\n',
  'desk/workflows/ask.yaml': wf('ask', 'none', ['ledger/balance', 'ledger/open', 'wiki/page']),
  'wiki/project.yaml': 'catalyst: 1\nname: wiki\n',
  'wiki/workflows/page.yaml': wf('page', 'none'),
  'wiki/workflows/edit.yaml': wf('edit', 'none', ['ledger/open']),
};

describe('peer keys', () => {
  const r = loadFiles(FILES);
  const ws = r.workspace!;
  const p = (n: string) => ws.projects.find((x) => x.name === n)!;

  it('the callee accepts its key on called workflows with auth other than none, only there', () => {
    expect(r.diagnostics).toEqual([]);
    expect(peerKeyedWorkflows(ws, 'ledger')).toEqual(['balance']);
    expect(peerKeyedWorkflows(ws, 'wiki')).toEqual([]);
    expect(peerKeyedWorkflows(ws, 'desk')).toEqual([]);
    expect(peerKeyedWorkflows(ws, 'nobody')).toEqual([]);
  });

  it('the caller sends a key only to peers with such a workflow among its calls', () => {
    expect(keyedPeers(ws, p('desk'))).toEqual(['ledger']);
    expect(keyedPeers(ws, p('wiki'))).toEqual([]);
    expect(keyedPeers(ws, p('ledger'))).toEqual([]);
  });

  it('the generated apps: peer_key on that route, the key variables required, PEER_KEYS on the caller', () => {
    const files = (name: string) => generateApp(p(name), ws, { catalystVersion: '0.0.0-test' }).files;
    const ledger = files('ledger');
    expect(ledger.get('app/registry.py')).toContain('"balance": AuthSpec(type="bearer", secrets=("T",), peer_key=True),');
    expect(ledger.get('app/registry.py')).toContain('"hook": AuthSpec(type="apiKey", secrets=("T",), header="X-Api-Key"),');
    expect(ledger.get('app/settings.py')).toMatch(/SECRET_NAMES: tuple\[str, \.\.\.\] = \(\n {4}"CATALYST_PEER_KEY",\n {4}"T",\n\)/);
    expect(ledger.get('app/settings.py')).toContain('optional_secret_names=("CATALYST_PEER_KEY_PREVIOUS",),');
    expect(ledger.get('.env.example')).toContain('CATALYST_PEER_KEY_PREVIOUS=');
    const desk = files('desk');
    expect(desk.get('app/settings.py')).toContain('PEER_KEYS: dict[str, str] = {\n    "ledger": "CATALYST_PEER_LEDGER_KEY",\n}');
    expect(desk.get('app/settings.py')).toContain('"CATALYST_PEER_LEDGER_KEY",');
    expect(desk.get('app/settings.py')).not.toContain('CATALYST_PEER_WIKI_KEY');
    expect(desk.get('README.md')).toContain('| `CATALYST_PEER_LEDGER_KEY` | peer key of project ledger, sent in X-Catalyst-Peer-Key on calls to it (from its stack) |');
    const wiki = files('wiki');
    expect(wiki.get('app/settings.py')).not.toMatch(/PEER_KEY/);
  });
});
