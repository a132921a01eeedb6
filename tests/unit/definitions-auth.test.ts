import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, expectValid, loadFiles, PROJECT, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

const ROUTE = 'visibility: public\ntrigger: { type: webhook, path: /w }\n';
const RESPOND = 'nodes: [{ id: r, type: respond }]\n';
const SECRETS = 'catalyst: 1\nname: pp\nsecrets:\n  API_KEY: the API key\n  TOKEN: a token\n  OLD_TOKEN: the token before the rotation\n';
const model = (body: string, project = SECRETS) => {
  const r = loadFiles({ 'pp/project.yaml': project, 'pp/workflows/w.yaml': `catalyst: 1\nname: w\n${body}` });
  expectValid(r);
  return r.workspace!.projects[0].workflows[0];
};

describe('inbound auth: every public workflow states it', () => {
  it('a public workflow without auth is an error at its visibility line, with the line to add', () => {
    const d = expectDiag(wfDiags(ROUTE + RESPOND), /public workflow "w" does not say who may call it/, { file: 'projects/pp/workflows/w.yaml', path: 'visibility', line: 3, col: 13 });
    expect(d.fix).toContain('add the line `auth: none`');
    expect(d.fix).toContain('auth: { type: bearer, secrets: [PP_API_TOKEN] }');
  });
  it('public by the project default: the error points at the name', () => {
    expectDiag(wfDiags(`trigger: { type: webhook, path: /w }\n${RESPOND}`, `${PROJECT}defaults: { visibility: public }\n`), /does not say who may call it/, { path: 'name', line: 2 });
  });
  it('auth: none written out is accepted; internal workflows need no decision', () => {
    expect(model(`${ROUTE}auth: none\n${RESPOND}`).auth).toEqual({ type: 'none' });
    expect(model(RESPOND).auth).toEqual({ type: 'none' });
  });
  it('defaults.auth applies; the workflow\'s own auth wins', () => {
    const project = `${SECRETS}defaults: { auth: { type: bearer, secrets: [TOKEN] } }\n`;
    expect(model(ROUTE + RESPOND, project).auth).toEqual({ type: 'bearer', secrets: ['TOKEN'] });
    expect(model(ROUTE + RESPOND, project).secrets).toEqual(['TOKEN']);
    expect(model(`${ROUTE}auth: none\n${RESPOND}`, project).auth).toEqual({ type: 'none' });
    expect(model(`${ROUTE}auth: { type: apiKey, secrets: [API_KEY] }\n${RESPOND}`, project).auth).toEqual({ type: 'apiKey', header: 'X-Api-Key', secrets: ['API_KEY'] });
  });
  it('every mode, normalized (defaults applied, secret → secrets)', () => {
    const cases: [string, unknown][] = [
      ['{ type: apiKey, header: X-Key, secrets: [API_KEY, OLD_TOKEN] }', { type: 'apiKey', header: 'X-Key', secrets: ['API_KEY', 'OLD_TOKEN'] }],
      ['{ type: bearer, secrets: [TOKEN, OLD_TOKEN] }', { type: 'bearer', secrets: ['TOKEN', 'OLD_TOKEN'] }],
      ['{ type: basic, user: ops, secret: TOKEN }', { type: 'basic', user: 'ops', secrets: ['TOKEN'] }],
      ['{ type: hmac, scheme: github, secret: TOKEN }', { type: 'hmac', scheme: 'github', header: 'X-Hub-Signature-256', secrets: ['TOKEN'], toleranceSeconds: 300 }],
      ['{ type: hmac, scheme: stripe, secrets: [TOKEN, OLD_TOKEN], toleranceSeconds: 60 }', { type: 'hmac', scheme: 'stripe', header: 'Stripe-Signature', secrets: ['TOKEN', 'OLD_TOKEN'], toleranceSeconds: 60 }],
      ['{ type: hmac, secret: TOKEN, header: X-Sig }', { type: 'hmac', scheme: 'generic', header: 'X-Sig', secrets: ['TOKEN'], toleranceSeconds: 300 }],
      ['{ type: jwt, secret: TOKEN, issuer: me, audience: you }', { type: 'jwt', algorithm: 'HS256', secrets: ['TOKEN'], issuer: 'me', audience: 'you' }],
    ];
    for (const [auth, expected] of cases) expect(model(`${ROUTE}auth: ${auth}\n${RESPOND}`).auth, auth).toEqual(expected);
  });
  it('secrets must be declared; secret and secrets are exclusive; no duplicates', () => {
    expectDiag(wfDiags(`${ROUTE}auth: { type: bearer, secrets: [TOKN] }\n${RESPOND}`), /secret "TOKN" is not declared by project "pp"/, { path: 'auth.secrets[0]', fix: 'did you mean "TOKEN"?' });
    expectDiag(wfDiags(`${ROUTE}auth: { type: basic, user: u, secret: TOKEN, secrets: [TOKEN] }\n${RESPOND}`), /needs exactly one of `secret`/, { path: 'auth' });
    expectDiag(wfDiags(`${ROUTE}auth: { type: jwt }\n${RESPOND}`), /needs exactly one of `secret`/, { path: 'auth', fix: 'add secret: <DECLARED_SECRET>' });
    expectDiag(wfDiags(`${ROUTE}auth: { type: bearer, secrets: [TOKEN, TOKEN] }\n${RESPOND}`), /listed twice/, { path: 'auth.secrets[1]' });
    expectDiag(wfDiags(`${ROUTE}auth: { type: bearer, secrets: [] }\n${RESPOND}`), /at least one declared secret/);
  });
  it('a bad defaults.auth is reported once, in project.yaml', () => {
    const r = loadFiles({ 'pp/project.yaml': `${SECRETS}defaults: { auth: { type: bearer, secrets: [NOPE] } }\n`, 'pp/workflows/a.yaml': `catalyst: 1\nname: a\n${ROUTE.replace('/w', '/a')}${RESPOND}`, 'pp/workflows/b.yaml': `catalyst: 1\nname: b\n${ROUTE.replace('/w', '/b')}${RESPOND}` });
    const hits = r.diagnostics.filter((d) => /NOPE/.test(d.message));
    expect(hits.map((d) => `${d.file} ${d.path}`)).toEqual(['projects/pp/project.yaml defaults.auth.secrets[0]']);
  });
  it('wrong forms: unknown type, auth written as a word other than none, bad header and user names', () => {
    expectDiag(wfDiags(`${ROUTE}auth: open\n${RESPOND}`), /the string "open" matches none of the allowed forms/, { path: 'auth', fix: 'write none, or a mapping (see the schema)' });
    expectDiag(wfDiags(`${ROUTE}auth: none_\n${RESPOND}`), /matches none/, { fix: 'did you mean "none"?' });
    expectDiag(wfDiags(`${ROUTE}auth: { type: bearr, secrets: [TOKEN] }\n${RESPOND}`), /unknown type "bearr"/, { path: 'auth.type', fix: 'did you mean "bearer"?' });
    expectDiag(wfDiags(`${ROUTE}auth: { type: bearer }\n${RESPOND}`), /missing required field "secrets"/, { path: 'auth.secrets' });
    expectDiag(wfDiags(`${ROUTE}auth: { type: apiKey, header: "X Key", secrets: [TOKEN] }\n${RESPOND}`, SECRETS), /HTTP token/);
    expectDiag(wfDiags(`${ROUTE}auth: { type: basic, user: "a:b", secret: TOKEN }\n${RESPOND}`, SECRETS), /no ":"/);
    expectDiag(wfDiags(`${ROUTE}auth: { type: jwt, algorithm: RS256, secret: TOKEN }\n${RESPOND}`, SECRETS), /not allowed here|HS256/);
  });
  it('an internal workflow may carry auth for later (checked, not applied)', () => {
    expect(model(`auth: { type: bearer, secrets: [TOKEN] }\n${RESPOND}`).auth).toEqual({ type: 'none' });
    expectDiag(wfDiags(`auth: { type: bearer, secrets: [NOPE] }\n${RESPOND}`), /secret "NOPE" is not declared/);
  });
});
