/**
 * `catalyst dev`, in-process (coverage counts): a bounded start (--once), a watched run that reloads on
 * a definition change and keeps serving through an invalid one, and its clear failures.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { call, cleanupTemps, REPO, requirePython, tempDir } from '../helpers/codegen.ts';

afterAll(() => cleanupTemps());

function tempRepo(): string {
  const d = tempDir('catalyst-dev-');
  cpSync(join(REPO, 'projects'), join(d, 'projects'), { recursive: true });
  return d;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), text: () => out.join(''), errText: () => err.join('') };
}

// billing's secrets come from the environment, as `catalyst dev` documents (its lookup takes an API key).
const API_KEY = 'dev-test-billing-api-key';
const env: NodeJS.ProcessEnv = { ...process.env, CATALYST_CACHE_DIR: join(REPO, '.cache'), BILLING_API_KEY: API_KEY, CATALYST_PEER_KEY: 'dev-test-billing-peer-key' };
const withKey = { 'X-Api-Key': API_KEY };

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('catalyst dev', () => {
  it('--once generates, prepares the venv, starts the app and exits after /ready', { timeout: 240_000 }, async () => {
    requirePython();
    const cwd = tempRepo();
    const io = capture();
    const code = await main(['dev', 'billing', '--once', '--port', '0'], { cwd, env, stdout: io.stdout, stderr: io.stderr, isTTY: false });
    expect(code, io.text() + io.errText()).toBe(0);
    expect(io.text()).toMatch(/generated billing → \.catalyst\/dev\/billing/);
    expect(io.text()).toMatch(/virtualenv .*(cached|built in)/);
    expect(io.text()).toMatch(/ready: http:\/\/127\.0\.0\.1:\d+ \(content hash [0-9a-f]{12}\)\n {2}POST http:\/\/127\.0\.0\.1:\d+\/charge/);
  });

  it('reloads on a definition change and keeps serving through an invalid one', { timeout: 240_000 }, async () => {
    const cwd = tempRepo();
    const io = capture();
    const ac = new AbortController();
    const running = main(['dev', join(cwd, 'projects', 'billing'), '--port', '0'], { cwd, env, stdout: io.stdout, stderr: io.stderr, isTTY: false, signal: ac.signal });
    try {
      await until(() => io.text().includes('watching'), 60_000, 'the first start');
      const url = /ready: (http:\/\/127\.0\.0\.1:\d+)/.exec(io.text())![1];
      expect((await call(`${url}/lookup`, { body: { customerId: 'cus_1' }, headers: withKey })).body.monthly).toBe(49);
      const file = join(cwd, 'projects', 'billing', 'workflows', 'lookup.yaml');
      const original = readFileSync(file, 'utf8');
      writeFileSync(file, original.replace('monthly: 49', 'monthly: 59'));
      await until(() => io.text().includes('reloaded billing'), 60_000, 'the reload');
      const url2 = /ready: (http:\/\/127\.0\.0\.1:\d+)/g;
      const urls = [...io.text().matchAll(url2)].map((m) => m[1]);
      expect(urls.at(-1)).toBe(url);
      expect((await call(`${url}/lookup`, { body: { customerId: 'cus_1' }, headers: withKey })).body.monthly).toBe(59);
      writeFileSync(file, original.replace('type: switch', 'type: swich'));
      await until(() => io.errText().includes('still serving the previous version'), 30_000, 'the invalid change to be reported');
      expect(io.errText()).toMatch(/lookup\.yaml:\d+:\d+/);
      expect((await call(`${url}/lookup`, { body: { customerId: 'cus_1' }, headers: withKey })).body.monthly).toBe(59);
    } finally {
      ac.abort();
    }
    expect(await running).toBe(0);
    const url = /ready: (http:\/\/127\.0\.0\.1:\d+)/.exec(io.text())![1];
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('says what is missing: Python, a secret, a project', { timeout: 120_000 }, async () => {
    const cwd = tempRepo();
    const noPy = capture();
    expect(await main(['dev', 'billing', '--once'], { cwd, env: { ...env, CATALYST_PYTHON: '/nonexistent/python3' }, stdout: noPy.stdout, stderr: noPy.stderr, isTTY: false })).toBe(1);
    expect(noPy.errText()).toMatch(/generated apps need Python 3\.11 or newer \(\/nonexistent\/python3: not found\)/);

    const noSecret = capture();
    const secretEnv: NodeJS.ProcessEnv = { ...env };
    delete secretEnv.OPENAI_API_KEY;
    delete secretEnv.TICKETS_TOKEN;
    expect(await main(['dev', 'support-bot', '--once', '--port', '0'], { cwd, env: secretEnv, stdout: noSecret.stdout, stderr: noSecret.stderr, isTTY: false })).toBe(1);
    expect(noSecret.text()).toContain('missing required secret(s): CATALYST_PEER_BILLING_KEY, OPENAI_API_KEY, TICKETS_TOKEN');
    expect(noSecret.errText()).toMatch(/exited with code 78; see its log above \(a missing secret/);

    const bad = capture();
    expect(await main(['dev', 'nope', '--once'], { cwd, env, stdout: bad.stdout, stderr: bad.stderr, isTTY: false })).toBe(1);
    expect(bad.errText()).toContain('no project "nope"');
    const usage = capture();
    expect(await main(['dev', '--port', 'x', 'billing'], { cwd, env, stdout: usage.stdout, stderr: usage.stderr, isTTY: false })).toBe(2);
    expect(usage.errText()).toContain('--port must be a port number');
  });
});
