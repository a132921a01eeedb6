import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pulumiProjectName } from '../../src/pulumi/history.ts';
import { ensureFileBackend, fileBackendDir, realRunner, type PulumiRunner } from '../../src/pulumi/pulumi.ts';
import { fileBackendPendingOperations, isPulumiProcess, lockIsStale, reapLocalApp, recoverStack, stackLocks } from '../../src/pulumi/recover.ts';

const DEAD_PID = 2 ** 22 + 12345; // above Linux's pid_max default: never a live process

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'catalyst-recover-'));
  writeFileSync(join(dir, 'Pulumi.yaml'), 'name: catalyst\nruntime: nodejs\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const backend = () => join(dir, '.pulumi-state');

function writeLock(stack: string, pid: number, host = hostname(), org = 'organization'): string {
  const d = join(backend(), '.pulumi', 'locks', org, 'catalyst', stack);
  mkdirSync(d, { recursive: true });
  const f = join(d, `${pid}.json`);
  writeFileSync(f, JSON.stringify({ pid, username: 'root', hostname: host, timestamp: '2026-01-01T00:00:00Z' }));
  return f;
}

function writeCheckpoint(stack: string, pending: { type: string; urn: string }[], gz = false): void {
  const d = join(backend(), '.pulumi', 'stacks', 'catalyst');
  mkdirSync(d, { recursive: true });
  const body = JSON.stringify({ version: 3, checkpoint: { latest: { resources: [], pending_operations: pending.map((p) => ({ type: p.type, resource: { urn: p.urn } })) } } });
  if (gz) writeFileSync(join(d, `${stack}.json.gz`), gzipSync(body));
  else writeFileSync(join(d, `${stack}.json`), body);
}

interface Call {
  args: string[];
}

function fakeRunner(calls: Call[], answers: Record<string, { code: number; stdout?: string; stderr?: string }> = {}): PulumiRunner {
  return async (args) => {
    calls.push({ args });
    const a = answers[args[0]] ?? { code: 0 };
    return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
  };
}

const URN = 'urn:pulumi:billing.local::catalyst::catalyst:index:Project$catalyst:local:LocalService$pulumi-nodejs:dynamic/catalyst:LocalApp::billing-local-process';

describe('file backend helpers', () => {
  it('resolves file:// URLs (query dropped, ~ expanded, relative to the repo) and creates a missing backend', () => {
    expect(fileBackendDir('file:///a/b?no_tmp_dir=true', '/r')).toBe('/a/b');
    expect(fileBackendDir('file://state', '/r')).toBe('/r/state');
    expect(fileBackendDir('file://~/x', '/r')).toMatch(/\/x$/);
    expect(fileBackendDir('https://api.pulumi.com', '/r')).toBeUndefined();
    expect(fileBackendDir(undefined, '/r')).toBeUndefined();
    ensureFileBackend({ PULUMI_BACKEND_URL: `file://${backend()}` }, dir);
    expect(existsSync(backend())).toBe(true);
    ensureFileBackend({ PULUMI_BACKEND_URL: 'https://api.pulumi.com' }, dir); // not a directory: nothing to do
  });

  it('reads the project name, the stack locks and the pending operations', () => {
    expect(pulumiProjectName(dir)).toBe('catalyst');
    expect(pulumiProjectName(join(dir, 'nowhere'))).toBeNull();
    expect(stackLocks(backend(), 'catalyst', 'billing.local')).toEqual([]);
    const f = writeLock('billing.local', 4242);
    mkdirSync(join(backend(), '.pulumi', 'locks', 'organization', 'catalyst', 'other.local'), { recursive: true });
    writeFileSync(join(backend(), '.pulumi', 'locks', 'organization', 'catalyst', 'other.local', 'x.json'), 'not json');
    expect(stackLocks(backend(), 'catalyst', 'billing.local')).toEqual([{ file: f, pid: 4242, host: hostname(), timestamp: '2026-01-01T00:00:00Z' }]);
    expect(stackLocks(backend(), 'catalyst', 'other.local')).toEqual([{ file: expect.stringContaining('x.json'), pid: null, host: null, timestamp: null }]);

    expect(fileBackendPendingOperations(backend(), 'catalyst', 'billing.local')).toBeUndefined();
    writeCheckpoint('billing.local', [{ type: 'creating', urn: URN }]);
    expect(fileBackendPendingOperations(backend(), 'catalyst', 'billing.local')).toEqual([{ type: 'creating', urn: URN }]);
    writeCheckpoint('support-bot.local', [], true);
    expect(fileBackendPendingOperations(backend(), 'catalyst', 'support-bot.local')).toEqual([]);
  });

  it('calls a lock stale only when it was taken on this host by a pid that is no longer pulumi', () => {
    expect(isPulumiProcess(DEAD_PID)).toBe(false);
    expect(isPulumiProcess(process.pid)).toBe(false); // alive, but node running vitest
    expect(lockIsStale({ file: 'f', pid: DEAD_PID, host: hostname(), timestamp: null })).toBe(true);
    expect(lockIsStale({ file: 'f', pid: process.pid, host: hostname(), timestamp: null })).toBe(true);
    expect(lockIsStale({ file: 'f', pid: DEAD_PID, host: 'another-host', timestamp: null })).toBe(false);
    expect(lockIsStale({ file: 'f', pid: null, host: hostname(), timestamp: null })).toBe(false);
  });
});

describe('recoverStack', () => {
  const env = () => ({ PULUMI_BACKEND_URL: `file://${backend()}` });

  it('does nothing for a healthy stack', async () => {
    writeCheckpoint('billing.local', []);
    const calls: Call[] = [];
    let err = '';
    expect(await recoverStack({ runner: fakeRunner(calls), repo: dir, stack: 'billing.local', env: env(), stderr: (t) => void (err += t) })).toBe(true);
    expect(calls).toEqual([]);
    expect(err).toBe('');
  });

  it('removes a stale lock with pulumi cancel and clears interrupted creates with pulumi refresh', async () => {
    writeLock('billing.local', DEAD_PID);
    writeCheckpoint('billing.local', [
      { type: 'creating', urn: URN },
      { type: 'updating', urn: 'urn:x::y' },
    ]);
    const calls: Call[] = [];
    let err = '';
    expect(await recoverStack({ runner: fakeRunner(calls), repo: dir, stack: 'billing.local', env: env(), stderr: (t) => void (err += t) })).toBe(true);
    expect(calls.map((c) => c.args)).toEqual([
      ['cancel', '--yes', '--non-interactive', '--stack', 'billing.local'],
      ['refresh', '--clear-pending-creates', '--yes', '--skip-preview', '--non-interactive', '--stack', 'billing.local'],
    ]);
    expect(err).toMatch(new RegExp(`billing\\.local: removing the lock left by an interrupted pulumi \\(pid ${DEAD_PID} on ${hostname()}`));
    expect(err).toMatch(/1 create\(s\) were interrupted by an earlier pulumi run \(billing-local-process\)/);
  });

  it('leaves a live or foreign lock alone, and says how to remove it', async () => {
    writeLock('billing.local', DEAD_PID, 'another-host');
    const calls: Call[] = [];
    let err = '';
    expect(await recoverStack({ runner: fakeRunner(calls), repo: dir, stack: 'billing.local', env: env(), stderr: (t) => void (err += t) })).toBe(true);
    expect(calls).toEqual([]);
    expect(err).toMatch(/locked by another pulumi \(pid \d+ on another-host at 2026-01-01T00:00:00Z\); if that process is gone, run: pulumi cancel --stack billing\.local/);
  });

  it('reports a failing pulumi cancel or refresh', async () => {
    writeLock('billing.local', DEAD_PID);
    let err = '';
    const calls: Call[] = [];
    expect(await recoverStack({ runner: fakeRunner(calls, { cancel: { code: 255, stderr: 'error: boom' } }), repo: dir, stack: 'billing.local', env: env(), stderr: (t) => void (err += t) })).toBe(false);
    expect(err).toMatch(/removing the stale lock failed \(pulumi cancel .*\):\nerror: boom/);
    writeCheckpoint('billing.local', [{ type: 'creating', urn: URN }]);
    rmSync(join(backend(), '.pulumi', 'locks'), { recursive: true });
    expect(await recoverStack({ runner: fakeRunner([], { refresh: { code: 255, stdout: 'refresh broke' } }), repo: dir, stack: 'billing.local', env: env(), stderr: (t) => void (err += t) })).toBe(false);
    expect(err).toMatch(/clearing the interrupted creates failed .*\nrefresh broke/);
  });

  it('asks pulumi stack export when the checkpoint is not a local file (another backend)', async () => {
    const calls: Call[] = [];
    const deployment = JSON.stringify({ deployment: { pending_operations: [{ type: 'creating', resource: { urn: URN } }] } });
    const cloud = { PULUMI_BACKEND_URL: 'https://api.example.com' };
    expect(await recoverStack({ runner: fakeRunner(calls, { stack: { code: 0, stdout: deployment } }), repo: dir, stack: 'billing.local', env: cloud, stderr: () => {} })).toBe(true);
    expect(calls.map((c) => c.args[0])).toEqual(['stack', 'refresh']);
    // export failing or unreadable: nothing to go on, the update itself reports the problem
    expect(await recoverStack({ runner: fakeRunner([], { stack: { code: 255 } }), repo: dir, stack: 'billing.local', env: cloud, stderr: () => {} })).toBe(true);
    expect(await recoverStack({ runner: fakeRunner([], { stack: { code: 0, stdout: 'not json' } }), repo: dir, stack: 'billing.local', env: cloud, stderr: () => {} })).toBe(true);
  });
});

describe('reapLocalApp', () => {
  it('stops an app process the state does not know, and removes its run directory', async () => {
    const appDir = join(dir, 'app-src');
    mkdirSync(join(appDir, 'app'), { recursive: true });
    writeFileSync(join(appDir, 'app', '__init__.py'), '');
    writeFileSync(join(appDir, 'app', '__main__.py'), 'import time\ntime.sleep(120)\n');
    const child = spawn('python3', ['-m', 'app'], { cwd: appDir, detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const runDir = join(dir, '.catalyst', 'run', 'billing.local');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'app.pid'), `${child.pid}\n`);
    writeFileSync(join(runDir, 'app.log'), 'log\n');
    await new Promise((r) => setTimeout(r, 300));
    let err = '';
    expect(await reapLocalApp(dir, 'billing.local', (t) => void (err += t))).toBe(child.pid);
    await exited;
    expect(err).toMatch(new RegExp(`billing\\.local: stopping app process ${child.pid}, left running by an interrupted create`));
    expect(existsSync(runDir)).toBe(false);
  });

  it('only removes the run directory when nothing runs, and does nothing without one', async () => {
    expect(await reapLocalApp(dir, 'none.local', () => {})).toBeUndefined();
    const runDir = join(dir, '.catalyst', 'run', 'billing.local');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'app.pid'), `${DEAD_PID}\n`);
    expect(await reapLocalApp(dir, 'billing.local', () => {})).toBeUndefined();
    expect(existsSync(runDir)).toBe(false);
  });
});

describe('realRunner', () => {
  it('forwards one SIGINT per signal to pulumi (own process group) and reports the interruption', async () => {
    const bin = join(dir, 'fake-pulumi');
    writeFileSync(bin, '#!/bin/sh\ntrap \'echo "cancelled $*"; exit 3\' INT\necho ready\nwhile :; do sleep 0.05; done\n');
    chmodSync(bin, 0o755);
    const signals = new EventEmitter();
    let out = '';
    const result = realRunner(bin, signals)(['up', '--stack', 's'], {
      cwd: dir,
      env: process.env,
      passthrough: true,
      stdout: (t) => {
        out += t;
        if (t.includes('ready')) signals.emit('SIGINT', 'SIGINT');
      },
      stderr: () => {},
    });
    const r = await result;
    expect(r).toMatchObject({ code: 3, interrupted: 'SIGINT' });
    expect(out).toContain('cancelled up --stack s');
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('captures output without interruption, and rejects when the binary cannot run', async () => {
    const bin = join(dir, 'fake-ok');
    writeFileSync(bin, '#!/bin/sh\necho out; echo err >&2\n');
    chmodSync(bin, 0o755);
    expect(await realRunner(bin, new EventEmitter())([], { cwd: dir, env: process.env })).toEqual({ code: 0, stdout: 'out\n', stderr: 'err\n' });
    await expect(realRunner(join(dir, 'missing'), new EventEmitter())([], { cwd: dir, env: process.env })).rejects.toThrow(/ENOENT/);
  });
});
