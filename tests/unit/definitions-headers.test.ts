/**
 * Request headers in definitions (docs/workflows.md, "Request headers"): a webhook trigger declares the
 * headers its workflow reads (`trigger.headers`, lower-case HTTP tokens, no duplicates, no hop-by-hop
 * headers); expressions read them as `request.headers.<name>`; anything else is a positioned error with
 * the fix. A scheduled or called workflow has no request, so it declares and reads none.
 */
import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../src/expressions/parse.ts';
import { pyExpr } from '../../src/expressions/python.ts';
import { credentialHeaders } from '../../src/definitions/headers.ts';
import { generateApp } from '../../src/codegen/index.ts';
import { expectDiag, expectValid, loadFiles, PROJECT, wfDiags } from '../helpers/definitions.ts';

const PUBLIC = (headers: string, nodes: string) => `visibility: public\nauth: none\ntrigger: { type: webhook, path: /w${headers} }\nnodes:\n${nodes}`;
const RESPOND = (expr: string) => `  - { id: out, type: respond, body: { v: "${expr}" } }\n`;

describe('trigger.headers', () => {
  it('a declared header is read by name, with dashes in brackets, or all at once; the model lists them', () => {
    const r = loadFiles({
      'pp/project.yaml': PROJECT,
      'pp/workflows/w.yaml': `catalyst: 1\nname: w\n${PUBLIC(', headers: [authorization, x-signature]', RESPOND("{{ request.headers.authorization }} {{ request.headers['x-signature'] }} {{ len(request.headers) }}"))}`,
    });
    expectValid(r);
    const wf = r.workspace!.projects[0].workflows[0];
    expect(wf.requestHeaders).toEqual(['authorization', 'x-signature']);
    expect(wf.trigger).toEqual({ type: 'webhook', method: 'POST', path: '/w' });
  });

  it('an undeclared header is an error at the expression, with the declaration to add', () => {
    const ds = wfDiags(PUBLIC(', headers: [authorization]', RESPOND('{{ request.headers.x_tenant }}')));
    const d = expectDiag(ds, /reads request header "x_tenant", which trigger.headers does not declare/, { line: 7 });
    expect(d.fix).toBe('declare it: trigger.headers: [authorization, x_tenant]');
    const none = expectDiag(wfDiags(PUBLIC('', RESPOND('{{ request.headers.authorization }}'))), /does not declare/);
    expect(none.fix).toBe('declare it: trigger.headers: [authorization]');
    // an empty list declares no header: reading one is the same error (it would read null at run time)
    const empty = expectDiag(wfDiags(PUBLIC(', headers: []', RESPOND('{{ request.headers.authorization }}'))), /does not declare/);
    expect(empty.fix).toBe('declare it: trigger.headers: [authorization]');
  });

  it('a header read in upper case says to read it in lower case', () => {
    const d = expectDiag(wfDiags(PUBLIC(', headers: [authorization]', RESPOND("{{ request.headers['Authorization'] }}"))), /read in lower case/);
    expect(d.fix).toBe('write request.headers.authorization');
  });

  it('bad names, upper case, duplicates and hop-by-hop headers are refused where they are written', () => {
    expectDiag(wfDiags(PUBLIC(', headers: ["x bad"]', RESPOND('ok'))), /header name is an HTTP token/, { path: 'trigger.headers[0]' });
    expectDiag(wfDiags(PUBLIC(', headers: ["x:y"]', RESPOND('ok'))), /header name is an HTTP token/, { path: 'trigger.headers[0]' });
    const upper = expectDiag(wfDiags(PUBLIC(', headers: [X-Token]', RESPOND('ok'))), /written in lower case/, { path: 'trigger.headers[0]', line: 5 });
    expect(upper.fix).toBe('write x-token');
    expectDiag(wfDiags(PUBLIC(', headers: [x-a, x-b, x-a]', RESPOND('ok'))), /declared twice \(also trigger.headers\[0\]\)/, { path: 'trigger.headers[2]' });
    for (const h of ['connection', 'transfer-encoding', 'upgrade', 'te', 'keep-alive']) expectDiag(wfDiags(PUBLIC(`, headers: [${h}]`, RESPOND('ok'))), /hop-by-hop header/, { path: 'trigger.headers[0]' });
    const many = Array.from({ length: 33 }, (_, i) => `x-h${i}`).join(', ');
    expectDiag(wfDiags(PUBLIC(`, headers: [${many}]`, RESPOND('ok'))), /at most 32 request headers/);
  });

  it('a scheduled or called workflow declares no headers and reads none', () => {
    const sched = expectDiag(wfDiags(`trigger: { type: schedule, cron: "@daily", headers: [authorization] }\nnodes:\n${RESPOND('ok')}`), /only a webhook trigger has request headers/, { path: 'trigger.headers' });
    expect(sched.line).toBe(3);
    expectDiag(wfDiags(`trigger: { type: call, headers: [authorization] }\nnodes:\n${RESPOND('ok')}`), /only a webhook trigger has request headers/, { path: 'trigger.headers' });
    expectDiag(wfDiags(`trigger: { type: schedule, cron: "@daily" }\nnodes:\n${RESPOND('{{ request.headers.authorization }}')}`), /runs on a schedule, so it has no request headers/);
    const called = expectDiag(wfDiags(`nodes:\n${RESPOND('{{ request.headers.authorization }}')}`), /triggered by calls from other workflows, so it has no request headers/);
    expect(called.fix).toMatch(/input/);
  });

  it('request is read only through request.headers', () => {
    expectDiag(wfDiags(PUBLIC(', headers: [authorization]', RESPOND('{{ request }}'))), /read a request header: request.headers.<name>/);
    expectDiag(wfDiags(PUBLIC(', headers: [authorization]', RESPOND('{{ request.body }}'))), /read a request header/);
    expectDiag(wfDiags(PUBLIC(', headers: [authorization]', RESPOND('{{ request.headers.authorization.x }}'))), /is text; it has no fields/);
  });
});

describe('request headers in Python and in redaction', () => {
  it('compile to reads of ctx.request', () => {
    expect(pyExpr(parseExpression("request.headers['x-sig']").ast)).toBe('rx.get(rx.get(ctx.request, "headers"), "x-sig")');
  });

  it('credential headers: the fixed ones, the auth header, and names that say so', () => {
    const declared = ['authorization', 'cookie', 'proxy-authorization', 'x-api-key', 'x-auth-token', 'x-hub-signature-256', 'x-webhook-secret', 'x-tenant', 'accept', 'x-keyboard', 'x-custom'];
    expect(credentialHeaders(declared, { type: 'none' })).toEqual(['authorization', 'cookie', 'proxy-authorization', 'x-api-key', 'x-auth-token', 'x-webhook-secret']);
    // a signature proves one body; it is not a credential
    expect(credentialHeaders(['x-hub-signature-256'], { type: 'hmac', scheme: 'github', header: 'X-Hub-Signature-256', secrets: ['K'], toleranceSeconds: 300 })).toEqual([]);
    expect(credentialHeaders(declared, { type: 'apiKey', header: 'X-Custom', secrets: ['K'] })).toContain('x-custom');
    // names split at - and _, and parts that end like a credential
    const more = ['x-authorization', 'x-api_key', 'api_key', 'x-apikey', 'x-credentials', 'x-jwt-assertion', 'x-csrftoken', 'x-authtoken', 'x-access-token', 'x-client-secret', 'x-tenant', 'x-keyboard', 'x-request-id', 'accept-language'];
    expect(credentialHeaders(more, { type: 'none' })).toEqual(more.slice(0, 10));
  });
});

describe('codegen', () => {
  it('a workflow reading headers names them (and its credential headers) in its Workflow; one reading none is unchanged', () => {
    const r = loadFiles({
      'pp/project.yaml': PROJECT,
      'pp/workflows/w.yaml': `catalyst: 1\nname: w\n${PUBLIC(', headers: [x-tenant, authorization]', RESPOND('{{ request.headers.authorization }}'))}`,
      'pp/workflows/plain.yaml': `catalyst: 1\nname: plain\n${PUBLIC('', RESPOND('ok')).replace('/w', '/plain')}`,
    });
    expectValid(r);
    const app = generateApp(r.workspace!.projects[0], r.workspace!, { catalystVersion: '0.0.0-test' });
    const w = app.files.get('app/workflows/w.py')!;
    expect(w).toContain('    headers=("x-tenant", "authorization"),\n    secret_headers=("authorization",),\n');
    expect(w).toContain('rx.get(rx.get(ctx.request, "headers"), "authorization")');
    expect(app.files.get('app/workflows/plain.py')).not.toMatch(/headers=/);
  });
});
