/**
 * Schemathesis (pinned, in the cached test venv) against each example app's /openapi.json: no server
 * error, every status documented, every response matching its documented schema and content type,
 * invalid input rejected. support-bot's peer (billing) runs for real; its LLM and ticketing API are
 * local stubs, so no 5xx can come from a missing dependency. Bounded: few examples, a time cap.
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, generateInto, json, loadExample, requirePython, runAsync, startApp, startStub, stopAllApps, tempDir, testPython, type RunningApp, type Stub } from '../helpers/codegen.ts';

const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance', 'negative_data_rejection'];

let python: string;
let billing: RunningApp;
let bot: RunningApp;
let stubs: Stub[] = [];

beforeAll(async () => {
  requirePython();
  python = await testPython();
  const llm = await startStub((_r, _b, res) => json(res, 200, { model: 'm', choices: [{ message: { role: 'assistant', content: 'fine' } }], usage: {} }));
  const tickets = await startStub((_r, _b, res) => json(res, 201, { id: 'T-9' }));
  stubs = [llm, tickets];
  const b = loadExample('billing');
  billing = await startApp(generateInto(b.project, b.workspace).dir, python, { CATALYST_LOG_LEVEL: 'warning', BILLING_API_KEY: 'billing-test-api-key', CATALYST_PEER_KEY: 'billing-test-peer-key' });
  const s = loadExample('support-bot');
  bot = await startApp(generateInto(s.project, s.workspace).dir, python, {
    CATALYST_LOG_LEVEL: 'warning',
    OPENAI_API_KEY: 'sk-test-openai-key',
    TICKETS_TOKEN: 'tok-test',
    LLM_BASE_URL: `${llm.url}/v1`,
    TICKETS_API_URL: `${tickets.url}/api`,
    CATALYST_PEER_BILLING_URL: billing.url,
    CATALYST_PEER_BILLING_KEY: 'billing-test-peer-key',
  });
});

afterAll(async () => {
  await stopAllApps();
  await Promise.all(stubs.map((s) => s.close()));
  cleanupTemps();
});

/** billing's lookup is authenticated (X-Api-Key): Schemathesis sends the key, and checks that requests without it are refused. */
async function schemathesis(app: RunningApp, auth: string[] = []) {
  const st = join(dirname(python), 'schemathesis');
  const cwd = tempDir('catalyst-st-');
  return runAsync(
    st,
    ['run', `${app.url}/openapi.json`, ...auth, '--checks', [...CHECKS, ...(auth.length ? ['ignored_auth'] : [])].join(','), '--max-examples', '25', '--seed', '20260101', '--request-timeout', '10', '--no-color', '--generation-database', 'none'],
    { cwd, timeoutMs: 150_000, env: { ...process.env, NO_COLOR: '1' } },
  );
}

describe('schemathesis finds no server error and no schema violation', () => {
  for (const name of ['billing', 'support-bot']) {
    it(name, { timeout: 180_000 }, async () => {
      const r = name === 'billing' ? await schemathesis(billing, ['-H', 'X-Api-Key: billing-test-api-key']) : await schemathesis(bot);
      expect(r.out, r.out).toMatch(/\d+ generated, \d+ passed/);
      expect(r.out).not.toMatch(/\d+ failed/);
      expect(r.code, r.out).toBe(0);
      console.log(`schemathesis ${name}: ${/(\d+ generated, \d+ passed[^\n]*)/.exec(r.out)?.[1]} in ${(r.ms / 1000).toFixed(1)}s`);
    });
  }
});
