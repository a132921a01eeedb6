import { afterAll, describe, expect, it } from 'vitest';
import { generateApp } from '../../src/codegen/index.ts';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, loadFiles, PROJECT } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

const P = PROJECT.replace('env:\n', 'env:\n  API_BASE: https://api.example.com\n');
const INPUT = 'input: { type: object, properties: { path: { type: string }, base: { type: string }, callbackUrl: { type: string }, host: { type: string }, port: { type: string }, id: { type: string }, q: { type: string }, pw: { type: string }, s: { type: string } } }\n';
const http = (url: string, extra = '') => `${INPUT}nodes:\n  - { id: prev, type: transform, set: { next: x } }\n  - { id: h, type: httpRequest, url: ${JSON.stringify(url)}${extra} }\n  - { id: done, type: respond }\n`;
const llm = (baseUrl: string, extra = '') => `${INPUT}nodes:\n  - { id: l, type: llm, model: m, prompt: hi, apiKeySecret: API_KEY, baseUrl: ${JSON.stringify(baseUrl)}${extra} }\n  - { id: done, type: respond }\n`;
const load = (body: string) => loadFiles({ 'pp/project.yaml': P, 'pp/workflows/w.yaml': `catalyst: 1\nname: w\n${body}` });
const AUTH = ', auth: { secret: API_KEY, scheme: header, header: X-Api-Key }';

/** Finding 2: request data cannot choose where an outgoing request (and its secret) goes. */
describe('outgoing URL rules at validate time', () => {
  const refused: [string, string, RegExp][] = [
    ['env base + input path, header secret (the reported exfiltration)', http('{{ env.API_BASE }}{{ input.path }}', AUTH), /request data inside the scheme, host or port of url/],
    ['llm baseUrl from input', llm('{{ input.base }}'), /the whole baseUrl comes from request data/],
    ['whole URL from input', http('{{ input.callbackUrl }}'), /the whole url comes from request data/],
    ['host from input', http('https://{{ input.host }}/x'), /request data inside the scheme, host or port/],
    ['literal host with input glued on (no /)', http('https://api.example.com{{ input.path }}', AUTH), /inside the scheme, host or port/],
    ['port from input', http('https://api.example.com:{{ input.port }}/x'), /inside the scheme, host or port/],
    ['scheme from input', http('http{{ input.s }}://api.example.com/'), /inside the scheme, host or port/],
    ['userinfo from input', http('https://user:{{ input.pw }}@api.example.com/'), /inside the scheme, host or port/],
    ['URL from a previous node', http('{{ nodes.prev.next }}'), /the whole url comes from request data/],
    ['an expression mixing env and input in the host', http('https://{{ env.API_BASE + input.host }}/x'), /inside the scheme, host or port/],
    ['allowHosts: any on a node with a secret', http('{{ input.callbackUrl }}', `${AUTH}, allowHosts: any`), /allowHosts: any sends this node's secret/],
    ['allowHosts: any on an llm node (always a secret)', llm('{{ input.base }}', ', allowHosts: any'), /allowHosts: any sends this node's secret/],
    ['allowHosts with a URL instead of a host', http('{{ input.callbackUrl }}', ', allowHosts: ["https://x.example.com"]'), /a host name in lower case/],
    ['allowHosts empty', http('{{ input.callbackUrl }}', ', allowHosts: []'), /too small|at least/i],
  ];
  for (const [what, body, message] of refused) {
    it(`refused: ${what}`, () => {
      const d = expectDiag(load(body).diagnostics, message);
      expect(d.line).toBeGreaterThan(0);
      expect(`${d.path} ${d.message} ${d.fix ?? ''}`).toMatch(/allowHosts|host/);
    });
  }
  const accepted: [string, string][] = [
    ['literal origin, input in a path segment', http('https://api.example.com/users/{{ input.id }}', AUTH)],
    ['env origin, then /, input', http('{{ env.API_BASE }}/users/{{ input.id }}', AUTH)],
    ['input in a query value', http('https://api.example.com/search?q={{ input.q }}', AUTH)],
    ['env origin then ?', http('{{ env.API_BASE }}?q={{ input.q }}')],
    ['env only', http('{{ env.API_BASE }}', AUTH)],
    ['dynamic URL with declared hosts and a secret', http('{{ input.callbackUrl }}', `${AUTH}, allowHosts: [hooks.example.com, "*.example.org"]`)],
    ['dynamic URL, allowHosts: any, no secret', http('{{ input.callbackUrl }}', ', allowHosts: any')],
    ['llm with env base URL', llm('{{ env.API_BASE }}/v1')],
    ['llm with declared hosts', llm('{{ input.base }}', ', allowHosts: [llm.example.com]')],
  ];
  for (const [what, body] of accepted) {
    it(`accepted: ${what}`, () => {
      const r = load(body);
      expect(r.diagnostics.map((d) => d.message)).toEqual([]);
    });
  }
  it('codegen percent-encodes request data in URLs and passes allowHosts to the runtime', () => {
    const r = load(http('{{ env.API_BASE }}/users/{{ input.id }}?q={{ input.q }}', AUTH));
    const app = generateApp(r.workspace!.projects[0], r.workspace!, { catalystVersion: '0.0.0-test' });
    const py = app.files.get('app/workflows/w.py')!;
    expect(py).toContain('url="".join((rx.text(rx.get(ctx.env, "API_BASE")), "/users/", rx.url_part(rx.get(ctx.input, "id")), "?q=", rx.url_part(rx.get(ctx.input, "q")),)),');
    const r2 = load(http('{{ input.callbackUrl }}', ', allowHosts: [b.example.com, a.example.com]'));
    const py2 = generateApp(r2.workspace!.projects[0], r2.workspace!, { catalystVersion: '0.0.0-test' }).files.get('app/workflows/w.py')!;
    expect(py2).toContain('allow_hosts=("a.example.com", "b.example.com"),');
  });
});

describe('the n8n importer and data-driven URLs', () => {
  it('writes allowHosts: any (with a warning) for an HTTP node whose URL comes from data and that sends no credential', async () => {
    const { mkdirSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { run, tempDir } = await import('../helpers/cli-workspace.ts');
    const root = tempDir();
    mkdirSync(join(root, 'exports'));
    const exp = { name: 'fetcher', nodes: [
      { name: 'Hook', type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { path: 'fetch', httpMethod: 'POST' } },
      { name: 'Get It', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, parameters: { url: '={{ $json.body.url }}' } },
    ], connections: { Hook: { main: [[{ node: 'Get It', type: 'main', index: 0 }]] } } };
    writeFileSync(join(root, 'exports', 'f.json'), JSON.stringify(exp));
    const r = await run(root, 'import', 'n8n', 'exports/f.json', '--project', 'fetcher');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const wf = readFileSync(join(root, 'projects', 'fetcher', 'workflows', 'fetcher.yaml'), 'utf8');
    expect(wf).toMatch(/allowHosts: any/);
    expect(r.stdout + r.stderr).toMatch(/allowHosts: any/);
  }, 60_000);
});
