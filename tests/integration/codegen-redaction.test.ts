/**
 * Secret redaction in the generated app, exercised: a planted secret (with characters JSON escapes) is
 * pushed through every channel where it could leak, and must come out as [redacted] each time:
 *
 * - an upstream error that echoes the Authorization header (the answer's body, JSON-escaped);
 * - a logged exception (a `logging` line from user code, the runtime's "workflow failed" line, the 500 body);
 * - a response header echoing the upstream header;
 * - the runtime's own lines (a log node).
 *
 * Then the same probes against copies of the app whose redaction was weakened in each of the ways
 * issue 15 lists (and one more: headers): every weakening must make some probe leak, so these tests
 * would notice it.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, json, project, requirePython, startApp, startStub, stopAllApps, tempDir, testPython, workspaceFrom, type RunningApp, type Stub } from '../helpers/codegen.ts';

/** 17 characters; JSON writes the quote and the backslash escaped. */
const PLANTED = 'pl4nted"sec\\ret-9';
const FORMS = [PLANTED, JSON.stringify(PLANTED).slice(1, -1)];

const FILES = (apiUrl: string): Record<string, string> => ({
  'leak/project.yaml': `catalyst: 1
name: leak
secrets:
  TOKEN: planted test secret
env:
  API_URL: ${apiUrl}
defaults: { visibility: public, auth: none }
`,
  // The upstream fails and echoes the Authorization header it got; the workflow answers with its body.
  'leak/workflows/upstream.yaml': `catalyst: 1
name: upstream
trigger: { type: webhook, path: /upstream }
nodes:
  - { id: fetch, type: httpRequest, method: POST, url: "{{ env.API_URL }}/fail", auth: { secret: TOKEN }, failOnError: false }
  - { id: out, type: respond, status: 502, body: { upstream: "{{ nodes.fetch.body }}", twice: "{{ nodes.fetch.body.auth }} {{ nodes.fetch.body.auth }}" } }
`,
  // User code logs the echoed header through \`logging\` and raises with it (twice in one message).
  'leak/workflows/raise.yaml': `catalyst: 1
name: raise
trigger: { type: webhook, path: /raise }
nodes:
  - { id: fetch, type: httpRequest, url: "{{ env.API_URL }}/ok", auth: { secret: TOKEN } }
  - id: boom
    type: code
    inputs: { echo: "{{ nodes.fetch.body.auth }}" }
    code: |
      import logging
      logging.getLogger("user.code").error("upstream echoed %s", echo)
      raise RuntimeError("upstream echoed " + echo + " and again " + echo)
`,
  // The upstream header comes back as a response header, and through a log node.
  'leak/workflows/header.yaml': `catalyst: 1
name: header
trigger: { type: webhook, path: /header }
nodes:
  - { id: fetch, type: httpRequest, url: "{{ env.API_URL }}/ok", auth: { secret: TOKEN } }
  - { id: note, type: log, level: warning, message: "got {{ nodes.fetch.body.auth }}" }
  - { id: out, type: respond, headers: { x-echo: "{{ nodes.fetch.body.auth }}" }, body: { ok: true } }
`,
});

let python: string;
let stub: Stub;
let dir: string;
let app: RunningApp;

beforeAll(async () => {
  requirePython();
  python = await testPython();
  stub = await startStub((req, _body, res) => json(res, req.url === '/fail' ? 500 : 200, { auth: req.headers.authorization ?? null }));
  const { workspace } = workspaceFrom(FILES(stub.url));
  dir = generateInto(project(workspace, 'leak'), workspace).dir;
  app = await startApp(dir, python, { TOKEN: PLANTED });
});

afterAll(async () => {
  await stopAllApps();
  await stub?.close();
  cleanupTemps();
});

const leaks = (text: string) => FORMS.some((f) => text.includes(f));

/** Send every probe; → the channels where the secret leaked, and the texts seen (for [redacted]). */
async function probe(a: RunningApp): Promise<{ leaked: string[]; seen: Record<string, string> }> {
  const before = a.lines.length;
  const up = await call(`${a.url}/upstream`, { body: {} });
  const boom = await call(`${a.url}/raise`, { body: {} });
  const hdr = await call(`${a.url}/header`, { body: {} });
  await new Promise((r) => setTimeout(r, 300)); // log lines reach stderr at the end of the loop's step
  const lines = a.lines.slice(before);
  const seen: Record<string, string> = {
    'upstream error body (JSON-escaped)': up.text,
    'exception: 500 body': boom.text,
    'exception: logging line': lines.filter((l) => l.includes('"user.code"')).join('\n'),
    'exception: runtime line': lines.filter((l) => l.includes('"workflow failed"')).join('\n'),
    'response header': hdr.headers.get('x-echo') ?? '(none)',
    'log node line': lines.filter((l) => l.includes('"msg": "got ')).join('\n'),
  };
  expect(up.status).toBe(502);
  expect(boom.status).toBe(500);
  expect(hdr.status).toBe(200);
  return { leaked: Object.entries(seen).filter(([, t]) => leaks(t)).map(([k]) => k), seen };
}

describe('a planted secret is redacted on every channel', () => {
  it('upstream error body, logged exception (both log paths and the 500 body), response header, log node', async () => {
    const { leaked, seen } = await probe(app);
    expect(leaked).toEqual([]);
    for (const [channel, text] of Object.entries(seen)) expect(text, channel).toContain('[redacted]');
    // Every occurrence, not only the first.
    expect(seen['exception: 500 body']).toContain('upstream echoed Bearer [redacted] and again Bearer [redacted]');
    expect(JSON.parse(seen['upstream error body (JSON-escaped)']).twice).toBe('Bearer [redacted] Bearer [redacted]');
    expect(seen['response header']).toBe('Bearer [redacted]');
  });
  it('a secret shorter than 8 characters stops startup, naming it (not its value)', async () => {
    await expect(startApp(dir, python, { TOKEN: 'short7!' }, 10_000)).rejects.toThrow(/exited with 78[\s\S]*shorter than 8 characters: TOKEN/);
  });
});

/** Each weakening: [name, file, source as generated, weakened source]. */
const WEAKENINGS: [string, string, string, string][] = [
  ['redaction off entirely', 'catalyst_runtime/logs.py', 'def redact(text: str) -> str:\n', 'def redact(text: str) -> str:\n    return text\n'],
  ['minimum length raised (8 → 64)', 'catalyst_runtime/logs.py', 'len(v) >= MIN_SECRET_LENGTH', 'len(v) >= 64'],
  ['`logging` lines skipped', 'catalyst_runtime/logs.py', '    return redact(line) if _redactions or request_redactions.get() else line\n', '    return line\n'],
  ["the runtime's own lines skipped", 'catalyst_runtime/logs.py', '    _emit(redact(line) if _redactions or request_redactions.get() else line)\n', '    _emit(line)\n'],
  ['error bodies skipped', 'catalyst_runtime/server.py', '    return Response(json_bytes(body), status_code=status, media_type=JSON_TYPE)\n', '    return Response(expr.to_json(body).encode("utf-8"), status_code=status, media_type=JSON_TYPE)\n'],
  ['only the first occurrence replaced', 'catalyst_runtime/logs.py', 'text = text.replace(value, mask)', 'text = text.replace(value, mask, 1)'],
  ['JSON-escaped forms dropped', 'catalyst_runtime/logs.py', '        if escaped != v:\n', '        if False:\n'],
  ['response headers skipped', 'catalyst_runtime/server.py', 'headers = {k: logs.redact(v) for k, v in result.headers.items()}', 'headers = dict(result.headers)'],
];

describe('the probes notice every weakening of the redaction', () => {
  for (const [name, file, from, to] of WEAKENINGS) {
    it(name, { timeout: 60_000 }, async () => {
      const copy = tempDir('catalyst-weak-');
      cpSync(dir, copy, { recursive: true });
      const path = join(copy, file);
      const src = readFileSync(path, 'utf8');
      expect(src.includes(from), `${file} no longer contains ${JSON.stringify(from)}: update this weakening`).toBe(true);
      writeFileSync(path, src.replace(from, to));
      const weak = await startApp(copy, python, { TOKEN: PLANTED });
      const { leaked } = await probe(weak);
      await weak.stop();
      console.log(`weakening "${name}": leaked on ${leaked.join('; ') || 'nothing'}`);
      expect(leaked.length, `weakening "${name}" went unnoticed`).toBeGreaterThan(0);
    });
  }
});
