/**
 * The `local` target's dynamic provider, called directly (not through the engine) against real
 * generated apps under a real Python: create starts and health-checks, diff/update/read behave,
 * delete leaves no process, port or file; a bad setting fails create with the log tail and leaves no
 * orphan. Last, the provider as Pulumi really runs it: serialized, revived in plain Node, run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { defaultVenvCache, ensureVenv } from '../../src/codegen/python-env.ts';
import { loadProjectModel } from '../../src/definitions/load.ts';
import { localAppProvider } from '../../src/infra/targets/local/provider.ts';
import { changedKeys, logTail, processEnv, type LocalAppInputs, type LocalAppOutputs } from '../../src/infra/targets/local/process.ts';
import { stableJson } from '../../src/shared/json.ts';
import { isAppProcess, portInUse } from '../../src/shared/process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VENVS = defaultVenvCache(ROOT);
const SECRET = 'sk-PLANTED-local-9d2e';
const work = mkdtempSync(join(tmpdir(), 'catalyst-local-'));
const apps: Record<string, { dir: string; hash: string }> = {};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  for (const name of ['billing', 'support-bot']) {
    const { project, workspace } = loadProjectModel(name, { cwd: ROOT });
    const app = generateApp(project, workspace);
    const dir = join(work, 'build', name, app.contentHash);
    writeApp(app, dir);
    apps[name] = { dir, hash: app.contentHash };
  }
  // Build (or reuse) the app venv once, outside the per-test timeouts.
  await ensureVenv(readFileSync(join(apps.billing.dir, 'requirements.txt'), 'utf8'), VENVS);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

async function inputs(name: 'billing' | 'support-bot', over: Partial<LocalAppInputs> = {}): Promise<LocalAppInputs> {
  const stack = `${name}.test`;
  return {
    stack,
    project: name,
    appDir: apps[name].dir,
    contentHash: apps[name].hash,
    host: '127.0.0.1',
    port: await freePort(),
    env: { CURRENCY: 'USD', CATALYST_GIT_COMMIT: '0123456789abcdef0123456789abcdef01234567', CATALYST_GIT_DIRTY: 'false' },
    // billing requires its API key and peer key (support-bot calls its lookup with it).
    secretEnv: name === 'billing' ? { BILLING_API_KEY: 'billing-provider-api-key', CATALYST_PEER_KEY: 'billing-provider-peer-key' } : {},
    runDir: join(work, 'run', `${stack}-${Math.random().toString(36).slice(2, 8)}`),
    venvDir: VENVS,
    startTimeoutMs: 30_000,
    ...over,
  };
}

async function health(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${url}/health`);
  return { status: r.status, body: await r.json() };
}

describe('local provider lifecycle (billing app)', () => {
  it('create starts a healthy app; diff/read/update/delete behave; delete leaves nothing', async () => {
    const inp = await inputs('billing');
    const created = await localAppProvider.create!(inp);
    const outs = created.outs as LocalAppOutputs;
    expect(created.id).toBe('local-billing.test');
    expect(outs.url).toBe(`http://127.0.0.1:${inp.port}`);
    expect(await health(outs.url)).toMatchObject({ status: 200, body: { status: 'ok', project: 'billing' } });
    const version = await (await fetch(`${outs.url}/version`)).json();
    expect(version).toMatchObject({ project: 'billing', contentHash: apps.billing.hash, commit: '0123456789abcdef0123456789abcdef01234567', dirty: false });
    expect(readFileSync(outs.pidFile, 'utf8').trim()).toBe(String(outs.pid));
    expect(existsSync(outs.logFile)).toBe(true);
    expect(isAppProcess(outs.pid)).toBe(true);

    // Unchanged inputs: no change, the process is not restarted.
    expect(await localAppProvider.diff!(created.id, outs, inp)).toEqual({ changes: false });
    // Restart-relevant changes: replace, stopping the old process first (same port).
    expect(await localAppProvider.diff!(created.id, outs, { ...inp, env: { ...inp.env, CURRENCY: 'EUR' } })).toEqual({ changes: true, replaces: ['env'], deleteBeforeReplace: true });
    expect((await localAppProvider.diff!(created.id, outs, { ...inp, secretEnv: { X: 'y' }, port: inp.port + 1 })).replaces).toEqual(['secretEnv', 'port']);
    expect((await localAppProvider.diff!(created.id, outs, { ...inp, contentHash: 'f'.repeat(64) })).replaces).toEqual(['contentHash']);
    // Other inputs (timeouts, cache paths) do not restart it.
    expect(await localAppProvider.diff!(created.id, outs, { ...inp, startTimeoutMs: 5000 })).toEqual({ changes: false });
    expect(await localAppProvider.read!(created.id, outs)).toEqual({ id: created.id, props: outs });

    // update = restart with the new inputs (used when the process died).
    const updated = (await localAppProvider.update!(created.id, outs, { ...inp, env: { ...inp.env, CURRENCY: 'GBP' } })).outs as LocalAppOutputs;
    expect(updated.pid).not.toBe(outs.pid);
    expect(isAppProcess(outs.pid)).toBe(false);
    expect((await health(updated.url)).status).toBe(200);

    await localAppProvider.delete!(created.id, updated);
    expect(isAppProcess(updated.pid)).toBe(false);
    expect(await portInUse('127.0.0.1', inp.port)).toBe(false);
    expect(existsSync(updated.pidFile)).toBe(false);
    expect(existsSync(updated.logFile)).toBe(false);
    expect(existsSync(inp.runDir)).toBe(false);
    // Gone: refresh drops it; an up restarts it (diff reports a change).
    expect((await localAppProvider.read!(created.id, updated)).id).toBe('');
    expect(await localAppProvider.diff!(created.id, updated, { ...inp, env: { ...inp.env, CURRENCY: 'GBP' } })).toEqual({ changes: true });
  });
});

describe('local provider failures', () => {
  it('a bad setting (missing secret) fails create with the log tail and leaves no orphan', async () => {
    const inp = await inputs('support-bot', { secretEnv: { OPENAI_API_KEY: SECRET } });
    const err = await localAppProvider.create!(inp).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^local: support-bot \(support-bot\.test\) exited \(code 78\) before it became healthy\. Last lines of .*app\.log:\n/);
    expect(err?.message).toContain('TICKETS_TOKEN');
    expect(err?.message).not.toContain(SECRET);
    expect(await portInUse('127.0.0.1', inp.port)).toBe(false);
    expect(existsSync(join(inp.runDir, 'app.pid'))).toBe(false);
  });

  it('an app that never becomes healthy is stopped after the timeout', async () => {
    const inp = await inputs('billing', { startTimeoutMs: 1, env: { CATALYST_LOG_LEVEL: 'info' } });
    const err = await localAppProvider.create!(inp).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/did not answer GET http:\/\/127\.0\.0\.1:\d+\/health with 200 within 0s|exited/);
    expect(await portInUse('127.0.0.1', inp.port)).toBe(false);
    expect(existsSync(join(inp.runDir, 'app.pid'))).toBe(false);
  });

  it('refuses a port another process holds, naming the config key to change', async () => {
    const srv = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as { port: number }).port;
    try {
      const inp = await inputs('billing', { port });
      await expect(localAppProvider.create!(inp)).rejects.toThrow(`local: port ${port} on 127.0.0.1 is already in use by another process; stop it, or give this stack another port: pulumi config set catalyst:port <port> --stack billing.test`);
    } finally {
      srv.close();
    }
  });
});

describe('local process helpers', () => {
  it('mask secrets in the log tail and keep only the last lines', () => {
    const dir = mkdtempSync(join(work, 'log-'));
    const f = join(dir, 'app.log');
    writeFileSync(f, `${Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n')}\nboom: key=${SECRET}\n`);
    const tail = logTail(f, { OPENAI_API_KEY: SECRET }, 5);
    expect(tail.split('\n')).toEqual(['line 56', 'line 57', 'line 58', 'line 59', 'boom: key=[secret]']);
    expect(logTail(join(dir, 'missing.log'), {})).toBe('(no log output)');
  });

  it('give the app an allowlisted environment (never the Pulumi passphrase)', async () => {
    const env = processEnv(await inputs('billing', { secretEnv: { K: 'v' } }), { PATH: '/bin', HOME: '/h', PULUMI_CONFIG_PASSPHRASE: 'nope', PULUMI_ACCESS_TOKEN: 'nope' });
    expect(env).toMatchObject({ PATH: '/bin', HOME: '/h', K: 'v', CURRENCY: 'USD', CATALYST_HOST: '127.0.0.1' });
    expect(env.PORT).toMatch(/^\d+$/);
    expect(Object.keys(env).some((k) => k.startsWith('PULUMI_'))).toBe(false);
    // the schedules' test-only fast clock reaches a local app from the deploying environment, nothing else of CATALYST_*
    const t = processEnv(await inputs('billing'), { PATH: '/bin', CATALYST_TEST_CLOCK_SPEED: '60', CATALYST_TEST_CLOCK_ORIGIN: '1700000000', CATALYST_SCHEDULER_TOKEN: 'from-the-shell' });
    expect(t).toMatchObject({ CATALYST_TEST_CLOCK_SPEED: '60', CATALYST_TEST_CLOCK_ORIGIN: '1700000000' });
    expect(t.CATALYST_SCHEDULER_TOKEN).toBeUndefined();
  });

  it('compare inputs by value', () => {
    expect(stableJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    const base = { appDir: 'a', contentHash: 'h', env: { A: '1', B: '2' }, secretEnv: {}, host: '127.0.0.1', port: 1 } as unknown as LocalAppInputs;
    expect(changedKeys({ ...base, env: { B: '2', A: '1' } }, base)).toEqual([]);
    expect(isAppProcess(process.pid)).toBe(false); // node, not our python app
    expect(isAppProcess(999_999_999)).toBe(false);
  });
});

describe('the serialized provider, as the engine runs it', () => {
  const SCRIPT = `
import * as pulumi from '@pulumi/pulumi';
import rfs from 'require-from-string';
const { localAppProvider } = await import(process.env.ROOT + 'src/infra/targets/local/provider.ts');
const text = (await pulumi.runtime.serializeFunction(() => localAppProvider, { allowSecrets: true })).text;
const provider = rfs(text).handler();
const inputs = JSON.parse(process.env.INPUTS);
const created = await provider.create(inputs);
const res = await fetch(created.outs.url + '/health');
await provider.delete(created.id, created.outs);
console.log(JSON.stringify({ text, status: res.status, pid: created.outs.pid }));
`;

  it('revives in plain Node, starts the app and stops it; the text holds no secret and no vitest code', async () => {
    const base = await inputs('billing');
    const inp = { ...base, secretEnv: { ...base.secretEnv, UNUSED_SECRET: SECRET } };
    mkdirSync(inp.runDir, { recursive: true });
    const res = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', SCRIPT], { cwd: ROOT, env: { ...process.env, ROOT, INPUTS: JSON.stringify(inp) } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { text: string; status: number; pid: number };
    expect(out.status).toBe(200);
    expect(isAppProcess(out.pid)).toBe(false);
    expect(await portInUse('127.0.0.1', inp.port)).toBe(false);
    expect(out.text).toContain('src/infra/targets/local/process.ts');
    expect(out.text).not.toMatch(/__vite|vitest/);
    expect(out.text).not.toContain(SECRET);
  });
});
